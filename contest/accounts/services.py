"""Creating accounts and checking passwords."""
import functools
import secrets
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from contest.accounts.models import Role, User
from contest.extensions import db
from questions.text import clean


class AccountError(ValueError):
    """A registration that breaks a rule; the message is shown beside the form field named."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


def normalise_email(email: str) -> str:
    """E-mail addresses compare case-insensitively."""
    return clean(email).lower()


def hash_password(password: str) -> str:
    """Hash a password with the configured method."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def create_user(*, full_name: str, email: str, password: str | None = None,
                password_hash: str | None = None, role: Role = Role.CONTESTANT,
                agency_id: int | None = None, phone: str | None = None,
                citizen_id: str | None = None, birth_date: date | None = None,
                consented_at: datetime | None = None, stream: str = "CBCCVC") -> User:
    """Add a user; the caller commits. Raises AccountError if the e-mail or CCCD is taken."""
    email = normalise_email(email)
    citizen_id = clean(citizen_id) or None
    if db.session.scalar(sa.select(User.id).where(User.email == email)):
        raise AccountError("Email này đã được đăng ký.", "email")
    if citizen_id and db.session.scalar(sa.select(User.id).where(User.citizen_id == citizen_id)):
        raise AccountError("Số CCCD này đã được đăng ký: mỗi người chỉ có một tài khoản.", "citizen_id")
    user = User(
        full_name=clean(full_name), email=email, phone=clean(phone) or None, citizen_id=citizen_id,
        birth_date=birth_date, agency_id=agency_id, role=role.value,
        password_hash=password_hash or hash_password(password), consented_at=consented_at, stream=stream,
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user with this e-mail and password, or None."""
    user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    if user is None:
        # As slow as a wrong password: the reply's timing does not tell which e-mails have accounts.
        check_password_hash(_stand_in_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    return user


@functools.cache
def _stand_in_hash(method: str) -> str:
    """A hash of a random password, checked when the e-mail has no account."""
    return generate_password_hash(secrets.token_urlsafe(16), method=method)

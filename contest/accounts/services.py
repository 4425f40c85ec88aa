"""Creating accounts, checking and changing passwords, single-use links sent by e-mail."""
import functools
import hashlib
import secrets
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from contest.accounts.models import AccountToken, Role, User
from contest.accounts.sessions import end_all_sessions
from contest.accounts.throttle import forget_account
from contest.database import UTCDateTime, utcnow
from contest.agencies.models import Agency
from contest.audit.services import record
from contest.extensions import db
from contest.leaderboards.models import ContestStanding, Standing
from questions.text import clean, fold


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
    user.search_text = search_text_of(user)
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


def search_text_of(user: User) -> str:
    """What the organizers' account search matches: name, e-mail, phone and CCCD, folded."""
    return fold(" ".join(part for part in (user.full_name, user.email, user.phone, user.citizen_id) if part))


SEARCH_LIMIT = 50


def search_accounts(query: str) -> list[User]:
    """Accounts whose name, e-mail, phone or CCCD contain every word of `query`, diacritics and case
    ignored ("nguyen van a" finds "Nguyễn Văn A"); at most SEARCH_LIMIT, by name."""
    words = fold(query).split()
    if not words:
        return []
    condition = sa.and_(*(User.search_text.contains(word, autoescape=True) for word in words))
    return db.session.scalars(sa.select(User).where(condition).order_by(User.full_name, User.id)
                              .limit(SEARCH_LIMIT)).all()


MIN_PASSWORD_LENGTH = 8


def set_password(user: User, password: str, now: datetime | None = None, reason: str = "password_set",
                 keep: str | None = None, actor: User | None = None) -> None:
    """Give the account a new password: its log-ins end (but `keep`, the one making the change), its
    unused reset links stop working and its failed log-ins are forgotten."""
    now = now or utcnow()
    user.password_hash = hash_password(password)
    end_all_sessions(user, now, reason, keep=keep, actor=actor)
    _expire_tokens(user, "reset", now)
    forget_account(user.email)


def change_password(user: User, current: str, new: str, now: datetime | None = None,
                    keep: str | None = None) -> None:
    """The account holder changes their password (their other log-ins end); AccountError if the current
    one is wrong."""
    if not check_password_hash(user.password_hash, current):
        raise AccountError("Mật khẩu hiện tại không đúng.", "current_password")
    if current == new:
        raise AccountError("Mật khẩu mới phải khác mật khẩu hiện tại.", "password")
    set_password(user, new, now, "password_changed", keep=keep)


# How long a mailed link works.
TOKEN_LIFETIMES = {"reset": timedelta(minutes=30), "confirm": timedelta(hours=24)}


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _expire_tokens(user: User, purpose: str, now: datetime) -> None:
    table = AccountToken.__table__
    db.session.execute(sa.update(table).where(table.c.user_id == user.id, table.c.purpose == purpose,
                                              table.c.used_at.is_(None))
                       .values(used_at=sa.literal(now, UTCDateTime())).execution_options(synchronize_session=False))


def issue_token(user: User, purpose: str, now: datetime, address: str = "") -> str:
    """A new single-use link token for `user` ("reset" or "confirm"), returned once; only its SHA-256 is
    stored. Earlier unused ones of the same purpose stop working. The caller commits."""
    _expire_tokens(user, purpose, now)
    raw = secrets.token_urlsafe(32)
    db.session.add(AccountToken(user_id=user.id, purpose=purpose, token_hash=_token_hash(raw), created_at=now,
                                expires_at=now + TOKEN_LIFETIMES[purpose], address=address[:45]))
    return raw


def find_token(raw: str, purpose: str, now: datetime) -> AccountToken | None:
    """The unused, unexpired token behind a link (without using it), or None."""
    if not raw or len(raw) > 100:
        return None
    return db.session.scalar(sa.select(AccountToken).where(
        AccountToken.token_hash == _token_hash(raw), AccountToken.purpose == purpose,
        AccountToken.used_at.is_(None), AccountToken.expires_at > now))


def redeem_token(raw: str, purpose: str, now: datetime) -> User | None:
    """Use a link's token: its account, or None if unknown, used or expired. One statement, so two
    requests racing with the same link cannot both use it."""
    if not raw or len(raw) > 100:
        return None
    table = AccountToken.__table__
    user_id = db.session.execute(sa.update(table).where(
        table.c.token_hash == _token_hash(raw), table.c.purpose == purpose, table.c.used_at.is_(None),
        table.c.expires_at > sa.literal(now, UTCDateTime()))
        .values(used_at=sa.literal(now, UTCDateTime())).returning(table.c.user_id)).scalar()
    return db.session.get(User, user_id) if user_id is not None else None


def reset_password_by_link(raw: str, password: str, now: datetime) -> User | None:
    """Set a new password from a reset link: every log-in of the account ends. None if the link is not
    good (any more). Logged. The caller commits."""
    user = redeem_token(raw, "reset", now)
    if user is None:
        return None
    set_password(user, password, now, "password_reset_by_mail")
    record(user.id, "account.password_reset_by_mail", "user", user.id)
    return user


def confirm_by_link(raw: str, now: datetime) -> User | None:
    """Confirm a new account's e-mail address from its link; None if the link is not good. Logged."""
    user = redeem_token(raw, "confirm", now)
    if user is None:
        return None
    user.is_awaiting_confirmation = False
    record(user.id, "account.email_confirmed", "user", user.id)
    return user


def find_account(email: str) -> User | None:
    """The account with this e-mail address (compared as log-in compares it), or None."""
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


# No 0/O, 1/l/I: a temporary password is read out over the phone.
_TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def reset_password(user: User, organizer: User) -> str:
    """An organizer gives a contestant who forgot their password a temporary one, returned once and
    stored only as a hash; the account's failed log-ins are forgotten. Logged. The caller commits."""
    if not user.may_be_managed_by(organizer):
        raise AccountError("Chỉ quản trị viên mới cấp lại mật khẩu cho tài khoản Ban tổ chức, Ban giám khảo.",
                           "account")
    temporary = "".join(secrets.choice(_TEMPORARY_ALPHABET) for _ in range(10))
    set_password(user, temporary, reason="password_reset_by_organizer", actor=organizer)
    record(organizer.id, "account.password_reset", "user", user.id, email=user.email)
    return temporary


# What an organizer may correct in a registration (the e-mail is the log-in and stays).
CORRECTABLE = ("full_name", "phone", "citizen_id", "agency_id", "stream")


def correct_account(user: User, organizer: User, changes: dict, reason: str) -> dict:
    """An organizer corrects a contestant's registration; returns {field: (before, after)} of what
    changed. A corrected agency moves the contestant's results with them: their round and contest
    standings take the new agency and its path (boards and agency tables follow; signed results keep
    their snapshot). Logged with the reason. Raises AccountError; the caller commits."""
    if not user.may_be_managed_by(organizer):
        raise AccountError("Chỉ quản trị viên mới sửa tài khoản Ban tổ chức, Ban giám khảo.", "full_name")
    cleaned = {"full_name": clean(changes["full_name"]), "phone": clean(changes.get("phone")) or None,
               "citizen_id": clean(changes.get("citizen_id")) or None, "agency_id": changes["agency_id"],
               "stream": changes["stream"]}
    if cleaned["citizen_id"] and cleaned["citizen_id"] != user.citizen_id and db.session.scalar(
            sa.select(User.id).where(User.citizen_id == cleaned["citizen_id"], User.id != user.id)):
        raise AccountError("Số CCCD này thuộc một tài khoản khác: mỗi người chỉ có một tài khoản.", "citizen_id")
    agency = db.session.get(Agency, cleaned["agency_id"])
    if agency is None:
        raise AccountError("Chọn đơn vị công tác.", "agency_id")
    changed = {name: (getattr(user, name), value) for name, value in cleaned.items() if getattr(user, name) != value}
    if not changed:
        return changed
    for name, (_, value) in changed.items():
        setattr(user, name, value)
    user.search_text = search_text_of(user)
    if "agency_id" in changed:
        for model in (Standing, ContestStanding):
            db.session.execute(sa.update(model).where(model.user_id == user.id)
                               .values(agency_id=agency.id, agency_path=agency.path)
                               .execution_options(synchronize_session=False))
    record(organizer.id, "account.correct", "user", user.id, reason=clean(reason),
           **{name: f"{before} → {after}" for name, (before, after) in changed.items()})
    return changed

"""Accounts: contestants, organizers (Ban tổ chức), judges (Ban giám khảo) and admins."""
import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.database import UTCDateTime, utcnow
from contest.extensions import db


class Role(str, enum.Enum):
    """What an account may do; the value is what the database stores."""

    CONTESTANT = "contestant"
    ORGANIZER = "organizer"
    JUDGE = "judge"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        """The role's name as the interface shows it."""
        return ROLE_LABELS[self]


# The streams ("khối dự thi") a contestant may register in; contests say which they admit.
STREAMS = ("CBCCVC", "Người dân")

ROLE_LABELS = {
    Role.CONTESTANT: "Thí sinh",
    Role.ORGANIZER: "Ban tổ chức",
    Role.JUDGE: "Ban giám khảo",
    Role.ADMIN: "Quản trị",
}


class User(UserMixin, db.Model):
    """A person with an account; contestants belong to an agency."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(sa.String(150))
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    # Căn cước công dân: one account per person, so unique when given.
    citizen_id: Mapped[str | None] = mapped_column(sa.String(12), unique=True)
    birth_date: Mapped[date | None] = mapped_column(sa.Date)
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    role: Mapped[str] = mapped_column(sa.String(20), default=Role.CONTESTANT.value)
    # The contestant's stream ("khối dự thi"), ranked and awarded separately: CBCCVC or Người dân.
    stream: Mapped[str] = mapped_column(sa.String(50), default="CBCCVC")
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Name, e-mail, phone and CCCD folded (no diacritics, lower case): what the organizers' search reads.
    search_text: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # Moves on every password change or reset: sessions signed before it no longer name the user.
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agency: Mapped["Agency | None"] = relationship()  # noqa: F821

    @property
    def role_enum(self) -> Role:
        """The stored role as a Role."""
        return Role(self.role)

    def get_id(self) -> str:
        """What the session stores (Flask-Login): the id, and the session epoch once it has moved."""
        return str(self.id) if not self.session_epoch else f"{self.id}.{self.session_epoch}"

    def end_other_sessions(self) -> None:
        """Sessions signed before now stop naming this user (after a password change or reset)."""
        self.session_epoch = (self.session_epoch or 0) + 1

    def may_be_managed_by(self, staff: "User") -> bool:
        """True if `staff` (an organizer) may reset this account's password or correct it: contestants'
        accounts, or any account for an admin."""
        return self.role == Role.CONTESTANT.value or staff.role == Role.ADMIN.value

    def has_role(self, *roles: Role) -> bool:
        """True if the user holds one of `roles`; admins hold every role."""
        return self.role == Role.ADMIN.value or self.role in {r.value for r in roles}


class LoginThrottle(db.Model):
    """Failed log-ins counted per key in a fixed window: one account from one address, one account
    from anywhere, one address for any account. Kept in the database so every instance sees them."""

    __tablename__ = "login_throttles"

    # "ai|<email>|<address>", "a|<email>" or "i|<address>"
    key: Mapped[str] = mapped_column(sa.String(320), primary_key=True)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    failures: Mapped[int] = mapped_column(default=0)


def parse_session_id(value) -> tuple[int, int] | None:
    """The (user id, session epoch) a session's "_user_id" holds (see User.get_id), or None."""
    try:
        user_id, _, epoch = str(value).partition(".")
        return int(user_id), int(epoch or 0)
    except (TypeError, ValueError):
        return None

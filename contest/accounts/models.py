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
    # Registered while e-mail confirmation was on, and the link in the mail not yet followed: no log-in.
    is_awaiting_confirmation: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agency: Mapped["Agency | None"] = relationship()  # noqa: F821

    @property
    def agency_name(self) -> str | None:
        """The agency's name, as a page's header or result shows it (a Viewer reads it in its query)."""
        return self.agency.name if self.agency is not None else None

    @property
    def role_enum(self) -> Role:
        """The stored role as a Role."""
        return Role(self.role)

    # The log-in (UserSession.id) the current request runs under; set by whoever loaded the user.
    session_key = None  # str, not a column

    def get_id(self) -> str:
        """What the signed session stores (Flask-Login): "<user id>.<session id>"."""
        return f"{self.id}.{self.session_key}"

    def may_be_managed_by(self, staff: "User") -> bool:
        """True if `staff` (an organizer) may reset this account's password or correct it: contestants'
        accounts, or any account for an admin."""
        return self.role == Role.CONTESTANT.value or staff.role == Role.ADMIN.value

    def has_role(self, *roles: Role) -> bool:
        """True if the user holds one of `roles`; admins hold every role."""
        return self.role == Role.ADMIN.value or self.role in {r.value for r in roles}


class Throttle(db.Model):
    """Requests counted per key in a fixed window (failed log-ins, registrations, reset requests, used
    challenges), kept in the database so every instance sees the same counts (accounts.throttle)."""

    __tablename__ = "throttles"

    # "<kind>|<e-mail or address or both>", see accounts.throttle
    key: Mapped[str] = mapped_column(sa.String(320), primary_key=True)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    count: Mapped[int] = mapped_column(default=0)


class UserSession(db.Model):
    """One log-in: the signed session cookie names it, so ending it here logs that browser out."""

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)  # random, see accounts.sessions
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Idle sessions end here (moved on by use); a remembered one REMEMBER_DAYS (≤ 30) after the log-in.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(sa.String(30))
    address: Mapped[str] = mapped_column(sa.String(45), default="")
    user_agent: Mapped[str] = mapped_column(sa.String(300), default="")
    # SHA-256 of the remember-me cookie's secret (a new one on every use), when "remember me" was ticked.
    remember_hash: Mapped[str | None] = mapped_column(sa.String(64))

    @property
    def is_remembered(self) -> bool:
        """True if the log-in asked to be remembered across browser restarts."""
        return self.remember_hash is not None


class AccountToken(db.Model):
    """A single-use link sent by e-mail (password reset, address confirmation); only its hash is kept."""

    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(20))  # "reset" or "confirm"
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    address: Mapped[str] = mapped_column(sa.String(45), default="")


def parse_session_id(value) -> tuple[int, str] | None:
    """The (user id, session id) a session's "_user_id" holds (see User.get_id), or None."""
    user_id, _, key = str(value).partition(".")
    if not user_id.isdigit() or len(user_id) > 12 or not 16 <= len(key) <= 32:
        return None
    return int(user_id), key

"""Log-ins as rows (user_sessions): the signed session cookie names one, so logging out, a password
change or a reset ends it on the server and a copied cookie stops working.

The signed cookie holds "<user id>.<session id>" (Flask-Login's "_user_id"); the session id is random
and only means something while its row is live. Reading the row is part of loading the user (one
query, see load_user); its last_seen_at is written at most once in five minutes, after the view (see
finish_request), so a busy page costs no extra write. "Remember me" is a second cookie, "<session id>.<secret>", whose
secret is kept only as a SHA-256 hash, replaced each time the cookie brings the browser back, and
dies with the session: at most REMEMBER_DAYS (≤ 30) after the log-in.
"""
import collections
import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, g, session
from flask_login import current_user

from contest.accounts.models import User, UserSession, parse_session_id
from contest.agencies.models import Agency
from contest.audit.services import record
from contest.database import UTCDateTime, execute_alone, first_row
from contest.extensions import db

REMEMBER_COOKIE = "contest_remember"
# last_seen_at is at most this stale: at a round's close every contestant opens a few pages within
# minutes, and each touch is a write on PostgreSQL (230,000 signed in: 770 writes/s, not 3,800 at one
# minute); an idle log-in (SESSION_IDLE_MINUTES, 120 by default) ends at most this much early.
TOUCH_EVERY = timedelta(minutes=5)
MAX_REMEMBER_DAYS = 30
_TABLE = UserSession.__table__


def _idle() -> timedelta:
    return timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])


def remember_lifetime() -> timedelta:
    """How long a remembered log-in lasts at most (REMEMBER_DAYS, never more than 30 days)."""
    return timedelta(days=min(current_app.config["REMEMBER_DAYS"], MAX_REMEMBER_DAYS))


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def start_session(user: User, now: datetime, address: str, user_agent: str,
                  remember: bool = False) -> tuple[UserSession, str | None]:
    """Open a log-in for `user` (the caller commits and then calls login_user); returns the row and,
    if asked to remember, the remember-me cookie's value."""
    row = UserSession(id=secrets.token_urlsafe(18), user_id=user.id, created_at=now, last_seen_at=now,
                      expires_at=now + (remember_lifetime() if remember else _idle()), address=address[:45],
                      user_agent=(user_agent or "")[:300])
    secret = None
    if remember:
        secret = secrets.token_urlsafe(32)
        row.remember_hash = _digest(secret)
    db.session.add(row)
    user.session_key = row.id
    return row, f"{row.id}.{secret}" if secret else None


def load_user(user_id: int, session_id: str, now: datetime) -> tuple[User, UserSession] | None:
    """The account and its live log-in the signed cookie names, in one query; None if the log-in ended
    or ran out (a run-out one is marked ended)."""
    row = db.session.execute(sa.select(User, UserSession).join(UserSession, UserSession.user_id == User.id)
                             .where(User.id == user_id, UserSession.id == session_id)).first()
    if row is None or row[1].ended_at is not None:
        return None
    user, login = row
    if login.expires_at <= now:
        g.idle_session = login.id  # ended after the response (see finish_request)
        return None
    user.session_key = login.id
    return user, login


@dataclass(frozen=True)
class Viewer:
    """A signed-in visitor as a read-only page shows them (the header, their own line on a board): the
    account's few columns, not the account and its log-in as ORM objects."""

    id: int
    full_name: str
    role: str
    agency_id: int | None
    agency_name: str | None
    session_key: str
    is_authenticated = True
    is_active = True
    is_anonymous = False
    has_role = User.has_role

    def get_id(self) -> str:
        return f"{self.id}.{self.session_key}"


@dataclass(frozen=True)
class _Seen:
    """What finish_request reads of a log-in."""

    id: str
    last_seen_at: datetime
    remember_hash: str | None

    is_remembered = UserSession.is_remembered


_USERS = User.__table__
_AGENCIES = Agency.__table__
_VIEWER = sa.select(_USERS.c.full_name, _USERS.c.role, _USERS.c.agency_id, _AGENCIES.c.name, _TABLE.c.last_seen_at,
                    _TABLE.c.remember_hash) \
    .select_from(_USERS.join(_TABLE, _TABLE.c.user_id == _USERS.c.id)
                 .outerjoin(_AGENCIES, _AGENCIES.c.id == _USERS.c.agency_id)) \
    .where(_USERS.c.id == sa.bindparam("user_id"), _TABLE.c.id == sa.bindparam("session_id"),
           _TABLE.c.ended_at.is_(None), _TABLE.c.expires_at > sa.bindparam("now", type_=UTCDateTime()))


def viewer(now: datetime):
    """Flask-Login's current user for a read-only page, read as a Viewer in one Core query when the signed
    session names a live log-in (an ended or run-out one, or none, goes through Flask-Login's loader,
    which says so); the templates' current_user is then that Viewer. The log-in's last-seen time is
    brought up to date after the response, as for any page."""
    return viewer_with(now, None, {})[0]


@dataclass(frozen=True)
class _Rider:
    """The viewer's query with another read beside it (see viewer_with), and the rows that read returns."""

    statement: sa.Select
    record: type


# The viewer query's columns, then the rider's, then a marker that is NULL where the rider found no row.
_VIEWER_WIDTH = len(_VIEWER.selected_columns)


@functools.cache
def _rider(read: sa.Select) -> _Rider:
    """_VIEWER and `read` as one statement, built once per read (reads are module constants)."""
    mine = _VIEWER.subquery("viewer")
    theirs = read.add_columns(sa.literal_column("1").label("rider_found")).subquery("rider")
    names = [column.key for column in read.selected_columns]
    return _Rider(sa.select(*mine.c, *theirs.c).select_from(mine.outerjoin(theirs, sa.true())),
                  collections.namedtuple("Row", names, rename=True))


def viewer_with(now: datetime, read: sa.Select | None, values: dict) -> tuple:
    """viewer(now), and the first row of `read` (None if it has none), in one round trip where the signed
    session names a live log-in: at a round's close everyone's board reads their log-in and their standing.
    `read` is a read for the viewer's own page whose parameter user_id is the viewer's account (the others
    are in `values`); without a live log-in it runs on its own for whoever Flask-Login finds, if anyone."""
    if "_login_user" in g:
        who = g._login_user
    else:
        parsed = parse_session_id(session.get("_user_id"))
        rider = _rider(read) if read is not None else None
        row = first_row(db.session, db.engine, rider.statement if rider else _VIEWER,
                        {**values, "user_id": parsed[0], "session_id": parsed[1], "now": now}) \
            if parsed is not None else None
        if row is not None:
            full_name, role, agency_id, agency_name, last_seen_at, remember_hash = row[:_VIEWER_WIDTH]
            who = Viewer(parsed[0], full_name, role, agency_id, agency_name, parsed[1])
            current_app.login_manager._update_request_context_with_user(who)  # what current_user reads
            g.current_login = _Seen(parsed[1], last_seen_at, remember_hash)
            found = rider is not None and row[-1] is not None
            return who, rider.record._make(row[_VIEWER_WIDTH:-1]) if found else None
        who = current_user._get_current_object()
    if read is None or not who.is_authenticated:
        return who, None
    return who, first_row(db.session, db.engine, read, {**values, "user_id": who.id})


def is_due_for_touch(login: UserSession, now: datetime) -> bool:
    """True if the log-in's last_seen_at is TOUCH_EVERY old (then touch() after the response)."""
    return now - login.last_seen_at >= TOUCH_EVERY


def finish_request(login: UserSession | None, now: datetime) -> None:
    """After the response: note the request's log-in as seen (if its last-seen time is TOUCH_EVERY old; an
    idle session's end moves on), or end the one that ran out. The view has committed what it meant to
    keep, so what it left is rolled back first (as the request's end would), then this commits alone."""
    idle = g.pop("idle_session", None)
    if login is None and idle is None:
        return
    if login is not None and not is_due_for_touch(login, now):
        return
    db.session.rollback()
    if idle is not None:
        end_sessions(_TABLE.c.id == idle, now, "idle")
        db.session.commit()
    else:
        _touch(login.id, now, None if login.is_remembered else now + _idle())


def _touch_statement(moves_expiry: bool) -> sa.Update:
    """last_seen_at (and, for a log-in not remembered, the idle end) brought up to date."""
    values = {"last_seen_at": sa.bindparam("now", type_=UTCDateTime())}
    if moves_expiry:
        values["expires_at"] = sa.bindparam("expires_at", type_=UTCDateTime())
    return sa.update(_TABLE).where(_TABLE.c.id == sa.bindparam("session_id"), _TABLE.c.ended_at.is_(None)) \
        .values(**values)


_TOUCH = {moves_expiry: _touch_statement(moves_expiry) for moves_expiry in (False, True)}


def _touch(session_id: str, now: datetime, expires_at: datetime | None) -> None:
    """Note the log-in as seen, as a transaction of its own. On PostgreSQL it is one autocommit statement
    on the driver (no BEGIN and COMMIT round trips): every signed-in log-in pays it once in five
    minutes, and at a round's close that is the first page of every contestant."""
    statement = _TOUCH[expires_at is not None]
    params = {"session_id": session_id, "now": now, "expires_at": expires_at}
    if db.engine.dialect.name == "postgresql":
        execute_alone(db.engine, statement, params)
    else:
        db.session.execute(statement, params)
        db.session.commit()


def end_sessions(condition, now: datetime, reason: str) -> int:
    """End the live log-ins matching `condition` (on user_sessions' columns); returns how many."""
    result = db.session.execute(sa.update(_TABLE).where(condition, _TABLE.c.ended_at.is_(None))
                                .values(ended_at=sa.literal(now, UTCDateTime()), end_reason=reason)
                                .execution_options(synchronize_session=False))
    return result.rowcount


def end_session(session_id: str | None, now: datetime, reason: str = "logout") -> None:
    """End one log-in (logging out)."""
    if session_id:
        end_sessions(_TABLE.c.id == session_id, now, reason)


def end_all_sessions(user: User, now: datetime, reason: str, keep: str | None = None, actor: User | None = None) -> int:
    """End every log-in of `user` but `keep` (the one making the change, if any); logged if any ended."""
    condition = _TABLE.c.user_id == user.id
    if keep:
        condition = sa.and_(condition, _TABLE.c.id != keep)
    ended = end_sessions(condition, now, reason)
    if ended:
        record(actor.id if actor else user.id, "account.sessions_ended", "user", user.id, reason=reason, count=ended)
    return ended


def end_one_session(user: User, session_id: str, now: datetime) -> bool:
    """The account holder ends one of their own log-ins from the account page; False if it was not live."""
    ended = end_sessions(sa.and_(_TABLE.c.id == session_id, _TABLE.c.user_id == user.id), now, "ended_by_owner")
    if ended:
        record(user.id, "account.sessions_ended", "user", user.id, reason="ended_by_owner", count=ended)
    return bool(ended)


def active_sessions(user: User, now: datetime) -> list[UserSession]:
    """The account's live log-ins, the most recently seen first."""
    return db.session.scalars(sa.select(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None), UserSession.expires_at > now)
        .order_by(UserSession.last_seen_at.desc(), UserSession.created_at.desc())).all()


def restore_remembered(cookie: str, now: datetime) -> tuple[UserSession, str] | None:
    """The live log-in a remember-me cookie names, with the cookie's next value (its secret replaced,
    in the caller's transaction); None if the cookie is stale, forged or its log-in ended."""
    session_id, _, secret = (cookie or "").partition(".")
    if not session_id or not secret or len(cookie) > 120:
        return None
    login = db.session.get(UserSession, session_id)
    if login is None or login.ended_at is not None or login.expires_at <= now or login.remember_hash is None \
            or not hmac.compare_digest(login.remember_hash, _digest(secret)):
        return None
    fresh = secrets.token_urlsafe(32)
    # Only the holder of the current secret rotates it: of two racing requests one wins, the other is refused.
    changed = db.session.execute(sa.update(_TABLE).where(_TABLE.c.id == login.id,
                                                         _TABLE.c.remember_hash == login.remember_hash)
                                 .values(remember_hash=_digest(fresh), last_seen_at=now)
                                 .execution_options(synchronize_session=False)).rowcount
    return (login, f"{login.id}.{fresh}") if changed else None


def device_label(user_agent: str) -> str:
    """A short name for the browser and system in a User-Agent ("Chrome · Android"), for the account page."""
    agent = user_agent or ""
    browser = next((name for token, name in (("Edg/", "Edge"), ("OPR/", "Opera"), ("CocCoc", "Cốc Cốc"),
                                              ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
                    if token in agent), "Trình duyệt khác")
    system = next((name for token, name in (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
                                             ("Windows", "Windows"), ("Mac OS X", "macOS"), ("Linux", "Linux"))
                   if token in agent), "")
    return f"{browser} · {system}" if system else browser


def is_live(session_id, user_id) -> sa.Exists:
    """SQL: the log-in `session_id` of `user_id` has not ended (values or bound parameters), for the
    statements of the hot paths that check the session in the query they make anyway. A log-in idle too
    long is ended when its next page loads; a save in between still counts (the paper is the owner's)."""
    return sa.select(_TABLE.c.id).where(_TABLE.c.id == session_id, _TABLE.c.user_id == user_id,
                                        _TABLE.c.ended_at.is_(None)).exists()

"""Slowing password guessing: failed log-ins are counted, and past a limit the log-in is refused
until the window ends, before any password is checked (a refused guess costs no password hash).

Three counts, each with its own limit (configuration LOGIN_LIMIT_*): one account from one address
(the usual guesser, stopped soon), one account from anywhere (guesses spread over many addresses)
and one address for any account (one machine trying many accounts; set high, since a whole agency
may reach the site through one address). Counts live in the database, so every instance shares
them. A successful log-in clears its account's counts, not its address's.
"""
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from contest.accounts.models import LoginThrottle
from contest.database import UTCDateTime
from contest.extensions import db

_TABLE = LoginThrottle.__table__
PRUNE_ONE_IN = 200  # failures between two deletions of expired counts


@dataclass(frozen=True)
class Keys:
    """The three counts a log-in touches, with their limits."""

    pair: str
    account: str
    address: str

    def limits(self) -> dict[str, int]:
        config = current_app.config
        return {self.pair: config["LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS"],
                self.account: config["LOGIN_LIMIT_PER_ACCOUNT"], self.address: config["LOGIN_LIMIT_PER_ADDRESS"]}


def keys_for(email: str, address: str) -> Keys:
    """The counts of a log-in to `email` (normalised) from `address`."""
    return Keys(pair=f"ai|{email}|{address}", account=f"a|{email}", address=f"i|{address}")


def window() -> timedelta:
    """How long a count runs before it starts again from zero."""
    return timedelta(minutes=current_app.config["LOGIN_WINDOW_MINUTES"])


def running_counts(keys: Keys, now: datetime) -> dict[str, tuple[int, datetime]]:
    """The counts of these keys whose window is still running: key → (failures, window start)."""
    rows = db.session.execute(sa.select(_TABLE.c.key, _TABLE.c.failures, _TABLE.c.window_started_at)
                              .where(_TABLE.c.key.in_([keys.pair, keys.account, keys.address]),
                                     _TABLE.c.window_started_at > now - window()))
    return {key: (failures, started) for key, failures, started in rows}


def refused_until(keys: Keys, counts: dict[str, tuple[int, datetime]]) -> datetime | None:
    """When log-ins for these keys may be tried again if a limit is reached (see running_counts); else None."""
    limits = keys.limits()
    ends = [started + window() for key, (failures, started) in counts.items() if failures >= limits[key]]
    return max(ends, default=None)


def record_failure(keys: Keys, now: datetime) -> None:
    """Count a failed log-in under each key: one upsert; a count whose window has ended starts again."""
    insert = (postgresql if db.engine.dialect.name == "postgresql" else sqlite).insert(_TABLE)
    at = sa.literal(now, UTCDateTime())
    is_current = _TABLE.c.window_started_at > sa.literal(now - window(), UTCDateTime())
    statement = insert.values([{"key": key, "window_started_at": now, "failures": 1}
                               for key in (keys.pair, keys.account, keys.address)])
    statement = statement.on_conflict_do_update(index_elements=["key"], set_={
        "failures": sa.case((is_current, _TABLE.c.failures + 1), else_=1),
        "window_started_at": sa.case((is_current, _TABLE.c.window_started_at), else_=at)})
    db.session.execute(statement)
    if random.randrange(PRUNE_ONE_IN) == 0:  # keeps the table to the counts still running
        db.session.execute(sa.delete(_TABLE).where(_TABLE.c.window_started_at <= now - window()))


def clear_account(keys: Keys, counts: dict[str, tuple[int, datetime]]) -> bool:
    """Forget the account's failures after its password was given: its owner is back. Writes (and
    returns True) only if there is something to forget: most log-ins have no failures behind them."""
    if keys.pair not in counts and keys.account not in counts:
        return False
    db.session.execute(sa.delete(_TABLE).where(_TABLE.c.key.in_([keys.pair, keys.account])))
    return True


def forget_account(email: str) -> None:
    """Forget every count of an account (from any address), as when an organizer resets its password."""
    keys = keys_for(email, "")  # its pair key with no address is the prefix of all its pair keys
    db.session.execute(sa.delete(_TABLE).where(sa.or_(
        _TABLE.c.key == keys.account, _TABLE.c.key.startswith(keys.pair, autoescape=True))))

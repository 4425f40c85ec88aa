"""Counting requests per key in the database, so every instance sees the same counts.

Log-ins: failed ones are counted three ways (configuration LOGIN_LIMIT_*): one account from one
address (the usual guesser), one account from anywhere (guesses spread over many addresses) and one
address for any account (set high: a whole agency may reach the site through one address). Past a
limit the log-in is never refused: it asks for a proof-of-work challenge (accounts.challenge) whose
work doubles every CHALLENGE_STEP further failures, so the owner always gets in while a guesser pays
for every guess. A successful log-in clears its account's counts, not its address's.

Registrations and reset requests: counted per address (past REQUEST_LIMIT_PER_ADDRESS they are
challenged the same way) and per e-mail (past RESET_MAILS_PER_ACCOUNT no more mails go to it in the
window, while the page answers as before). Used challenges are kept here too, so each is used once.
"""
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from contest.accounts.models import Throttle
from contest.database import UTCDateTime, dialect_insert
from contest.extensions import db

_TABLE = Throttle.__table__
PRUNE_ONE_IN = 200  # counts between two deletions of expired ones

LOGIN_LIMITS = ("LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS", "LOGIN_LIMIT_PER_ACCOUNT", "LOGIN_LIMIT_PER_ADDRESS")


@dataclass(frozen=True)
class Keys:
    """The three counts a log-in (or a live team's PIN) touches, and the settings holding their limits."""

    pair: str
    account: str
    address: str
    settings: tuple[str, str, str] = LOGIN_LIMITS

    def all(self) -> list[str]:
        """The keys, pair first."""
        return [self.pair, self.account, self.address]

    def limits(self) -> dict[str, int]:
        """Each key's limit."""
        config = current_app.config
        return {key: config[setting] for key, setting in zip(self.all(), self.settings)}


def keys_for(email: str, address: str) -> Keys:
    """The counts of a log-in to `email` (normalised) from `address`."""
    return Keys(pair=f"ai|{email}|{address}", account=f"a|{email}", address=f"i|{address}")


def request_keys(kind: str, email: str, address: str) -> tuple[str, str]:
    """The counts of a registration ("reg") or reset request ("reset"): per address, per e-mail."""
    return f"{kind}|i|{address}", f"{kind}|a|{email}"


def window() -> timedelta:
    """How long a count runs before it starts again from zero."""
    return timedelta(minutes=current_app.config["LOGIN_WINDOW_MINUTES"])


def running_counts(keys: Keys | list[str], now: datetime) -> dict[str, tuple[int, datetime]]:
    """The counts of these keys whose window is still running: key → (count, window start)."""
    names = keys.all() if isinstance(keys, Keys) else list(keys)
    rows = db.session.execute(sa.select(_TABLE.c.key, _TABLE.c.count, _TABLE.c.window_started_at)
                              .where(_TABLE.c.key.in_(names), _TABLE.c.window_started_at > now - window()))
    return {key: (count, started) for key, count, started in rows}


def excess(limits: dict[str, int], counts: dict[str, tuple[int, datetime]]) -> int | None:
    """How far the furthest count is past its limit (0: just reached it); None if none has reached it."""
    over = [counts[key][0] - limit for key, limit in limits.items() if key in counts and counts[key][0] >= limit]
    return max(over, default=None)


def refused_until(keys: Keys, counts: dict[str, tuple[int, datetime]]) -> datetime | None:
    """When tries may start again if a limit is reached; else None (a live team's PIN: a hard stop)."""
    limits = keys.limits()
    ends = [started + window() for key, (count, started) in counts.items() if count >= limits[key]]
    return max(ends, default=None)


def count(keys: Keys | list[str], now: datetime) -> None:
    """Add one to each key: one upsert; a count whose window has ended starts again."""
    names = keys.all() if isinstance(keys, Keys) else list(keys)
    insert = dialect_insert(_TABLE, db.engine.dialect.name)
    at = sa.literal(now, UTCDateTime())
    is_current = _TABLE.c.window_started_at > sa.literal(now - window(), UTCDateTime())
    statement = insert.values([{"key": key, "window_started_at": now, "count": 1} for key in names])
    statement = statement.on_conflict_do_update(index_elements=["key"], set_={
        "count": sa.case((is_current, _TABLE.c.count + 1), else_=1),
        "window_started_at": sa.case((is_current, _TABLE.c.window_started_at), else_=at)})
    db.session.execute(statement)
    if random.randrange(PRUNE_ONE_IN) == 0:  # keeps the table to the counts still running
        db.session.execute(sa.delete(_TABLE).where(_TABLE.c.window_started_at <= now - window()))


record_failure = count  # a failed log-in (or PIN) is one more on each of its keys


def claim_once(key: str, now: datetime) -> bool:
    """Note `key` as used; False if it already was within the window (a challenge's second use)."""
    insert = dialect_insert(_TABLE, db.engine.dialect.name)
    claimed = db.session.execute(insert.values(key=key, window_started_at=now, count=1)
                                 .on_conflict_do_nothing(index_elements=["key"]).returning(_TABLE.c.key)).first()
    return claimed is not None


def clear_account(keys: Keys, counts: dict[str, tuple[int, datetime]]) -> bool:
    """Forget the account's failures after its password was given: its owner is back. Writes (and
    returns True) only if there is something to forget: most log-ins have no failures behind them."""
    if keys.pair not in counts and keys.account not in counts:
        return False
    db.session.execute(sa.delete(_TABLE).where(_TABLE.c.key.in_([keys.pair, keys.account])))
    return True


def forget_account(email: str) -> None:
    """Forget every log-in count of an account (from any address), as when its password is reset."""
    keys = keys_for(email, "")  # its pair key with no address is the prefix of all its pair keys
    db.session.execute(sa.delete(_TABLE).where(sa.or_(
        _TABLE.c.key == keys.account, _TABLE.c.key.startswith(keys.pair, autoescape=True))))

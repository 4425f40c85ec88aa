"""Score counts for the whole-country live board, kept fresh by the worker's background refresher.

Counting the contestants ranked above someone on a national board of a million standings scans up to
a million index entries (about 90 ms). Instead, each worker keeps, per round, how many standings
have each (score, second of time used), in rank order with running totals; a standing's rank is then
the total of the buckets ahead of its own (a binary search), plus an exact count inside its own bucket
(a short index range). The counts may lag the standings by at most STALE_SECONDS, so only the public
live board at whole-country scope uses them; agency boards, the final and frozen views and the judges'
boards count exactly.

A bucket is a second wide, not a minute: at a national close most papers share a few high scores, so a
minute's bucket held thousands of standings (a million over 15 minutes and a handful of scores: about
9,000), and every viewer's exact count walked half of them; a second's holds a sixtieth. The counts
stay small: at most one entry per score and second a round lasts.
"""
import bisect
import threading
import time
from array import array
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from contest.extensions import db
from contest.leaderboards import refresher
from contest.leaderboards.models import Standing
from contest.rounds.models import Round

# A live count is at most this old (plus the time one count takes) when a page reads it.
STALE_SECONDS = 30
BUCKET_MS = 1_000
# A refresh job nobody asked for in this long stops.
IDLE_SECONDS = 600

_values: dict[tuple, tuple[float, object]] = {}
_jobs: dict[tuple, dict] = {}
_lock = threading.Lock()


def _refresh_jobs() -> None:
    """Recompute every job whose value is past half its age limit; drop jobs left idle (the refresher's task)."""
    with _lock:
        jobs = list(_jobs.items())
    now = time.monotonic()
    for key, job in jobs:
        if now - job["used"] > IDLE_SECONDS:
            with _lock:
                _jobs.pop(key, None)
                _values.pop(key, None)
            continue
        if now - _values.get(key, (0.0, None))[0] > job["max_age"] / 2:
            try:
                with job["app"].app_context():
                    began = time.monotonic()
                    _values[key] = (began, job["compute"]())
            except Exception:  # noqa: BLE001 — a failed refresh leaves the request path to compute it
                job["app"].logger.exception("background refresh of %s failed", key)


def refreshed(key: tuple, compute: Callable[[], object], max_age: float) -> object:
    """compute()'s value, at most max_age seconds old; outside tests a background thread of this
    process recomputes it ahead of time, so requests after the first are served from memory."""
    entry = _values.get(key)
    now = time.monotonic()
    if entry is None or now - entry[0] > max_age:
        entry = (now, compute())
        _values[key] = entry
    if not current_app.testing:
        with _lock:
            _jobs[key] = {"app": current_app._get_current_object(), "compute": compute, "max_age": max_age,
                          "used": now}
        refresher.run_often("counts", _refresh_jobs)
    return entry[1]


def bucket_of(duration_ms: int) -> int:
    """The second of time used a standing is counted in."""
    return duration_ms // BUCKET_MS


def _order_key(score: int, bucket: int) -> int:
    """A (score, bucket) pair as one integer that sorts in rank order: higher score first, then the
    shorter time (a bucket is under 2**32 seconds)."""
    return -score * 2**32 + bucket


@dataclass(frozen=True)
class Histogram:
    """A round's standings counted per (score, second of time used): the buckets' keys in rank order
    (_order_key) and, for each, how many standings lie in the buckets before it."""

    keys: array
    ahead: array
    entrants: int

    def count_ahead(self, score: int, duration_ms: int) -> int:
        """Standings in buckets ranked wholly before (score, duration_ms)'s bucket: a higher score, or
        the same score and a shorter second."""
        index = bisect.bisect_left(self.keys, _order_key(score, bucket_of(duration_ms)))
        return self.ahead[index] if index < len(self.keys) else self.entrants


def compute_histogram(round_id: int) -> Histogram:
    """The round's standings counted per (score, second of time used), in one grouped scan."""
    bucket = Standing.duration_ms // BUCKET_MS
    rows = db.session.execute(sa.select(Standing.score, bucket, sa.func.count()).where(Standing.round_id == round_id)
                              .group_by(Standing.score, bucket)).all()
    keys, ahead, total = array("q"), array("q"), 0
    for key, count in sorted((_order_key(score, int(second)), count) for score, second, count in rows):
        keys.append(key)
        ahead.append(total)
        total += count
    return Histogram(keys, ahead, total)


def live_histogram(round_: Round) -> Histogram:
    """The round's (score, second) counts, at most STALE_SECONDS old (LIVE_COUNTS_MAX_AGE overrides it;
    tests count afresh every time)."""
    round_id = round_.id
    key = ("histogram", str(db.engine.url), round_id, round_.created_at)  # the id alone can name a recreated round
    max_age = current_app.config.get("LIVE_COUNTS_MAX_AGE", 0 if current_app.testing else STALE_SECONDS)
    return refreshed(key, lambda: compute_histogram(round_id), max_age)

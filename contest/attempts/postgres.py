"""PostgreSQL's side of the attempt engine: each hot step in as few round trips as the driver allows,
behind a function named for the step. services.py decides when each runs; SQLite runs the same steps
through the session, plainly.

- start_with_drawn_paper: claim a paper drawn ahead (contest.attempts.ahead) and store the attempt and its
  items, in one statement. FOR UPDATE SKIP LOCKED lets a thousand simultaneous starts each take a
  different paper without waiting on one another; the paper row is deleted by the same statement, so a
  paper serves one attempt only.
- save_in_one_trip: the answer save as its own transaction, one statement sent by psycopg itself
  (SQLAlchemy's execution cost a third of the request's time).
- locked_for_submission, store_sent_answers, finish: the submission on a pooled driver connection,
  without the ORM (its bookkeeping cost a fifth of a submission): BEGIN, the lock and the paper in one
  pipeline; marking, the claim, both standings and the COMMIT in another.
"""
import functools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone

import psycopg
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from contest.accounts.sessions import is_live
from contest.attempts.statements import (ATTEMPT, CLAIM, ITEM, PAPER_DOCUMENT, ROUND_RULES, STORE_SENT, PaperRow,
                                         paper_from, quick_save_statement)
from contest.database import UTCDateTime, autocommit_driver_connection, driver_statement, execute_alone, first_row
from contest.extensions import db
from contest.leaderboards.services import contest_standing_statement, standing_statement
from contest.rounds.models import Contest, Round

_CLAIM_AND_STORE = sa.text("""
WITH drawn AS (
    DELETE FROM drawn_papers WHERE id = (
        SELECT id FROM drawn_papers WHERE round_id = :round_id AND recipe = :recipe
        ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING seed, items),
attempt AS (
    INSERT INTO attempts (user_id, round_id, number, seed, started_at, deadline_at, max_score, client_ip,
                          device_id, is_auto_submitted)
    SELECT :user_id, :round_id, :number, drawn.seed, :started_at, :deadline_at, :max_score,
           :client_ip, :device_id, false
    FROM drawn
    RETURNING id),
items AS (
    INSERT INTO attempt_items (attempt_id, position, question_id, choice_order, revision)
    SELECT attempt.id, item.ordinality - 1, (item.value ->> 0)::int, item.value -> 1, 0
    FROM attempt, drawn, json_array_elements(drawn.items) WITH ORDINALITY AS item)
SELECT id FROM attempt
""").columns(id=sa.Integer())


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def start_with_drawn_paper(recipe: str, values: dict) -> int | None:
    """Claim a paper of `recipe` for the attempt described by `values` (as start_attempt_id builds them,
    without a seed) and store it; its id, or None if none is left. In the session's transaction if it
    holds one; otherwise as a statement of its own, committed by itself (no BEGIN or COMMIT round trip,
    nothing through SQLAlchemy): the start at the opening rush. A clash with another start of the same
    contestant is an IntegrityError either way (nothing claimed, nothing stored)."""
    row = first_row(db.session, db.engine, _CLAIM_AND_STORE, {
        **values, "recipe": recipe, "started_at": _naive_utc(values["started_at"]),
        "deadline_at": _naive_utc(values["deadline_at"])})
    return row[0] if row else None


def save_in_one_trip(kind: str, params: dict) -> list | None:
    """The save's statement (statements.quick_save_statement) in autocommit: its own transaction, with no
    BEGIN and COMMIT round trips. The stored (selected, revision, deadline_at), or None if it stored nothing."""
    return execute_alone(db.engine, quick_save_statement(kind), params)


def _submission_lock() -> tuple[sa.Select, list[str], list[str]]:
    """The lock query of locked_for_submission: the attempt's columns, the round's rules, the contest's
    overall rule and whether the session (b_session) is live; and the names of the attempt's and the
    round's columns in it."""
    rounds, contests = Round.__table__, Contest.__table__
    round_columns = [rounds.c.id, *(rounds.c[rule.key] for rule in ROUND_RULES)]
    query = sa.select(*ATTEMPT.c, *round_columns, contests.c.id, contests.c.overall_rule,
                      is_live(sa.bindparam("b_session", type_=sa.String()), ATTEMPT.c.user_id)) \
        .select_from(ATTEMPT.join(rounds, rounds.c.id == ATTEMPT.c.round_id)
                     .join(contests, contests.c.id == rounds.c.contest_id)) \
        .where(ATTEMPT.c.id == sa.bindparam("b_attempt")).with_for_update(of=ATTEMPT)
    return query, [column.key for column in ATTEMPT.c], [column.key for column in round_columns]


_SUBMISSION_LOCK, _ATTEMPT_NAMES, _ROUND_NAMES = _submission_lock()


class _Values:
    """Column values read by the driver, as attributes: what marking reads of a row, with nothing for
    the ORM to track."""

    def __init__(self, **values):
        self.__dict__.update(values)


class LockedAttempt(_Values):
    """An attempt read under the submission's lock: its columns, and its round's rules
    (round.contest.overall_rule too) — what services.submit_attempt reads of an Attempt."""

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


@contextmanager
def locked_for_submission(attempt_id: int, session_id: str) \
        -> "Iterator[tuple[LockedAttempt, bool, list[PaperRow], psycopg.Connection] | None]":
    """The attempt under the exclusive lock for its submission, whether the session is a live log-in of its
    owner, its paper, and the driver connection holding the lock (its transaction open); None if there is
    no such attempt. Whatever the caller has not committed when the block ends is rolled back.

    BEGIN, the lock and the paper travel together in psycopg's pipeline mode: one round trip instead of
    three. The connection is in autocommit mode, so that psycopg does not send a BEGIN of its own and
    wait for its answer; everything from our BEGIN to the COMMIT is one transaction. The paper is its own
    statement, run after the lock is held, so it sees every save committed before (the lock's own query
    could not: its snapshot predates the wait).
    """
    lock = driver_statement(_SUBMISSION_LOCK, db.engine.dialect)
    paper = driver_statement(PAPER_DOCUMENT["postgresql"], db.engine.dialect)
    with autocommit_driver_connection(db.engine) as raw:
        try:
            with raw.pipeline():
                raw.execute("BEGIN")
                locked = raw.execute(lock.sql, lock.params({"b_attempt": attempt_id, "b_session": session_id}))
                read = raw.execute(paper.sql, paper.params({"b_attempt": attempt_id}))
            row = lock.row(locked.fetchone())
            document = read.fetchone()[0]
            if row is None:
                yield None
                return
            values = iter(row)
            attempt = LockedAttempt(**{name: next(values) for name in _ATTEMPT_NAMES})
            attempt.round = _Values(**{name: next(values) for name in _ROUND_NAMES})
            attempt.round.contest = _Values(id=next(values), overall_rule=next(values))
            yield attempt, next(values), paper_from(document), raw
        finally:
            if raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                raw.rollback()


def store_sent_answers(connection: psycopg.Connection, changes: list[dict]) -> None:
    """Write the answers sent with a submission (statements.STORE_SENT's parameters) on its connection."""
    statement = driver_statement(STORE_SENT, db.engine.dialect)
    connection.cursor().executemany(statement.sql, [statement.params(change) for change in changes])


@functools.cache
def _finish_statement(rule: str, is_before_freeze: bool, enters_standings: bool, is_best_round: bool) -> sa.Select:
    """Claim the attempt (only if still open), mark its items and, if the claim took, upsert the round
    standing and, if that changed, the contest standing, as one statement of data-modifying CTEs (one
    round trip instead of four). Returns 1 if the claim took, else 0. Its text stays under 4 kB, the
    longest psycopg keeps converted in its cache (longer, it is parsed on every call)."""
    claim = CLAIM.values(submitted_at=sa.bindparam("b_submitted_at", type_=UTCDateTime()),
                         score=sa.bindparam("b_score", type_=sa.Integer()),
                         is_auto_submitted=sa.bindparam("b_is_auto_submitted", type_=sa.Boolean()),
                         duration_ms=sa.bindparam("b_duration_ms", type_=sa.BigInteger()),
                         prediction=sa.bindparam("b_prediction", type_=sa.BigInteger())) \
        .returning(ATTEMPT.c.id).cte("claim")
    # One array parameter, not an expanding IN: the statement's text stays the same for every paper.
    mark = ITEM.update().where(ITEM.c.attempt_id == sa.bindparam("b_attempt")) \
        .values(is_correct=ITEM.c.position == sa.func.any(sa.bindparam("b_correct", type_=ARRAY(sa.Integer()))))
    statement = sa.select().add_cte(mark.cte("mark"))
    if enters_standings:
        standing = standing_statement("postgresql", rule, is_before_freeze, source=claim).cte("standing")
        overall = contest_standing_statement(
            "postgresql", is_best_round, sa.bindparam("b_contest_id", type_=sa.Integer()),
            sa.bindparam("b_user_id", type_=sa.Integer()), incoming=standing)
        statement = statement.add_cte(overall.cte("contest_standing"))
    # A data-modifying CTE runs whether or not the statement reads it.
    return statement.add_columns(sa.select(sa.func.count()).select_from(claim).scalar_subquery())


def finish(connection: psycopg.Connection, shape: tuple[str, bool, bool, bool], params: dict, commit: bool) -> bool:
    """Mark the paper, claim the attempt and upsert its standings in one statement (shape: the round's
    counting rule, whether the paper ends before the freeze, whether it enters the standings, whether the
    contest counts its best round); with `commit`, the COMMIT travels in the same round trip. True if the
    claim took (the attempt was still open)."""
    statement = driver_statement(_finish_statement(*shape), db.engine.dialect)
    with connection.pipeline():
        finished = connection.execute(statement.sql, statement.params(params))
        if commit:
            connection.execute("COMMIT")
    return bool(finished.fetchone()[0])

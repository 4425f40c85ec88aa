"""PostgreSQL's side of the stage: the answer's fast path, and the run's advisory lock.

Answers and the lock of a question must not pass each other: an answer stored while the lock is marking
would never be marked. Every answer holds the run's advisory lock shared for its transaction, and every change
to the stage (contest.live.services.locked_run) holds it exclusively, so a lock waits for the answers in flight
and the answers after it see the question locked. An advisory lock, not the run row's FOR SHARE: hundreds of
answers share-locking one row within a second each write the row and create a MultiXact, and PostgreSQL spent
more time on that than on the answers.

The answer itself is sent the way the paper's save is (contest.attempts.postgres.save_in_one_trip): BEGIN, the shared
lock, one statement (the question open by the server's clock, the option in range, the team's first answer
stored, the NOTIFY for the host's and the projector's tally) and COMMIT in one pipeline — one round trip. When
it stores nothing the caller takes the plain path, which says why.
"""
from datetime import datetime, timezone

import sqlalchemy as sa
from flask import current_app

from contest.database import autocommit_driver_connection
from contest.extensions import db
from contest.live.notify import CHANNEL

LOCK_CLASS = 18  # the first key of the two-key advisory locks on live runs

_STORE_ANSWER = f"""
WITH target AS (
    SELECT r.id AS run_id, r.event_id
    FROM live_runs r
    JOIN live_events e ON e.id = r.event_id
    JOIN live_questions lq ON lq.id = r.question_id
    JOIN questions q ON q.id = lq.question_id
    WHERE r.id = %(run)s AND e.code = %(code)s AND r.phase = 'open' AND r.question_id = %(question)s
      AND r.ended_at IS NULL AND r.locks_at >= %(at)s
      AND %(choice)s >= 0 AND %(choice)s < json_array_length(q.choices)
), stored AS (
    INSERT INTO live_answers (run_id, question_id, team_id, choice, device, received_at)
    SELECT run_id, %(question)s, %(team)s, %(choice)s, %(device)s, %(at)s FROM target
    ON CONFLICT (run_id, question_id, team_id) DO NOTHING
    RETURNING run_id
)
SELECT pg_notify('{CHANNEL}', (SELECT event_id FROM target)::text || ':tally') FROM stored
"""


def store_answer(code: str, run_id: int, question_id: int, team_id: int, choice: int, device: str,
                 now: datetime) -> bool:
    """Store a device's answer if the question is open and this is its team's first; True if stored."""
    params = {"run": run_id, "code": code, "question": question_id, "team": team_id, "choice": choice,
              "device": device[:16], "at": now.astimezone(timezone.utc).replace(tzinfo=None)}
    with autocommit_driver_connection(db.engine) as connection:
        with connection.pipeline():
            connection.execute("BEGIN")
            connection.execute("SELECT pg_advisory_xact_lock_shared(%s, %s)", (LOCK_CLASS, run_id))
            # Prepared once per connection, unless a transaction pooler may hand the next transaction another one.
            stored = connection.execute(_STORE_ANSWER, params,
                                        prepare=not current_app.config["DATABASE_TRANSACTION_POOLER"])
            connection.execute("COMMIT")
        return stored.fetchone() is not None


def share_run(run_id: int) -> None:
    """Hold the run's advisory lock shared until the session's transaction ends (an answer on the plain path)."""
    db.session.execute(sa.text("SELECT pg_advisory_xact_lock_shared(:lock_class, :run)"),
                       {"lock_class": LOCK_CLASS, "run": run_id})


def hold_run(run_id: int) -> None:
    """Hold the run's advisory lock exclusively until the session's transaction ends: answers in flight finish
    first, later ones wait and then see the change."""
    db.session.execute(sa.text("SELECT pg_advisory_xact_lock(:lock_class, :run)"),
                       {"lock_class": LOCK_CLASS, "run": run_id})

"""The answer's fast path on PostgreSQL: one statement in autocommit on the driver's connection.

A hall of devices answers within seconds of a question opening, so the answer is sent the way the paper's
save is (contest.attempts.services.quick_save): the run row read under a share lock (a lock that is marking
holds it exclusively, so no answer lands beside it), the question open by the server's clock, the option in
range, the team's first answer stored, and the NOTIFY for the host's and the projector's tally — one round
trip, no BEGIN or COMMIT of its own. When it stores nothing the caller takes the plain path, which says why.
"""
from datetime import datetime, timezone

from contest.database import autocommit_driver_connection
from contest.extensions import db
from contest.live.notify import CHANNEL

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
    FOR SHARE OF r
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
        return connection.execute(_STORE_ANSWER, params, prepare=True).fetchone() is not None

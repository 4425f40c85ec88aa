"""PostgreSQL's side of starting an attempt: claim a paper drawn ahead (contest.attempts.ahead) and
store the attempt and its items from it, in one statement and one round trip.

FOR UPDATE SKIP LOCKED lets a thousand simultaneous starts each take a different paper without
waiting on one another; the paper row is deleted by the same statement, so a paper serves one
attempt only. None when no paper of the round's current recipe is left: the caller draws on demand.
"""
from datetime import datetime, timezone

from contest.extensions import db

_CLAIM_AND_STORE = """
WITH drawn AS (
    DELETE FROM drawn_papers WHERE id = (
        SELECT id FROM drawn_papers WHERE round_id = %(round_id)s AND recipe = %(recipe)s
        ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING seed, items),
attempt AS (
    INSERT INTO attempts (user_id, round_id, number, seed, started_at, deadline_at, max_score, client_ip,
                          device_id, is_auto_submitted)
    SELECT %(user_id)s, %(round_id)s, %(number)s, drawn.seed, %(started_at)s, %(deadline_at)s, %(max_score)s,
           %(client_ip)s, %(device_id)s, false
    FROM drawn
    RETURNING id),
items AS (
    INSERT INTO attempt_items (attempt_id, position, question_id, choice_order, revision)
    SELECT attempt.id, item.ordinality - 1, (item.value ->> 0)::int, item.value -> 1, 0
    FROM attempt, drawn, json_array_elements(drawn.items) WITH ORDINALITY AS item)
SELECT id FROM attempt
"""


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def start_with_drawn_paper(recipe: str, values: dict) -> int | None:
    """Claim a paper of `recipe` for the attempt described by `values` (as start_attempt_id builds them,
    without a seed) and store it, in the session's transaction; its id, or None if none is left."""
    params = {**values, "recipe": recipe, "started_at": _naive_utc(values["started_at"]),
              "deadline_at": _naive_utc(values["deadline_at"])}
    row = db.session.connection().exec_driver_sql(_CLAIM_AND_STORE, params).first()
    return row[0] if row else None

"""Keeping standings current: done once per submission, so boards never scan attempts."""
from contest.attempts.models import Attempt
from contest.extensions import db
from contest.leaderboards.models import Standing
from contest.scoring.rules import is_better, rank_key


def replaces(rule: str, attempt: Attempt, standing: Standing) -> bool:
    """Whether a newly submitted attempt takes the place of the standing under the round's rule."""
    if rule == "first":
        return False
    if rule == "last":
        return attempt.submitted_at >= standing.submitted_at
    return is_better(rank_key(attempt.score, attempt.duration_ms, attempt.submitted_at),
                     rank_key(standing.score, standing.duration_ms, standing.submitted_at))


def record_standing(attempt: Attempt) -> Standing:
    """Make the attempt the contestant's standing in its round if the round's rule says it counts."""
    standing = db.session.get(Standing, (attempt.round_id, attempt.user_id), with_for_update=True)
    agency = attempt.user.agency
    if standing is None:
        standing = Standing(round_id=attempt.round_id, user_id=attempt.user_id)
        db.session.add(standing)
    elif not replaces(attempt.round.counting_rule, attempt, standing):
        return standing
    standing.attempt_id = attempt.id
    standing.score = attempt.score
    standing.max_score = attempt.max_score
    standing.duration_ms = attempt.duration_ms
    standing.submitted_at = attempt.submitted_at
    standing.prediction = attempt.prediction
    standing.agency_id = agency.id if agency else None
    standing.agency_path = agency.path if agency else ""
    db.session.flush()
    return standing

"""Keeping standings current: done once per submission, so boards never scan attempts."""
import sqlalchemy as sa

from contest.attempts.models import Attempt
from contest.extensions import db
from contest.leaderboards.models import ContestStanding, Standing
from contest.rounds.models import Contest, Round
from contest.scoring.rules import MISSING_PREDICTION_ERROR, is_better, rank_key


def replaces(rule: str, attempt: Attempt, standing: Standing) -> bool:
    """Whether a newly submitted attempt takes the place of the standing under the round's rule."""
    if rule == "first":
        return False
    if rule == "last":
        return attempt.submitted_at >= standing.submitted_at
    return is_better(rank_key(attempt.score, attempt.duration_ms, attempt.submitted_at),
                     rank_key(standing.score, standing.duration_ms, standing.submitted_at))


def record_standing(attempt: Attempt) -> Standing:
    """Make the attempt the contestant's standing in its round if the round's rule says it counts.

    Also keeps the frozen copy the public board shows after the round's freeze time, and the
    contestant's overall standing in the contest.
    """
    round_ = attempt.round
    standing = db.session.get(Standing, (attempt.round_id, attempt.user_id), with_for_update=True)
    agency = attempt.user.agency
    if standing is None:
        standing = Standing(round_id=attempt.round_id, user_id=attempt.user_id)
        db.session.add(standing)
    elif not replaces(round_.counting_rule, attempt, standing):
        return standing
    standing.attempt_id = attempt.id
    standing.score = attempt.score
    standing.max_score = attempt.max_score
    standing.duration_ms = attempt.duration_ms
    standing.submitted_at = attempt.submitted_at
    standing.prediction = attempt.prediction
    standing.agency_id = agency.id if agency else None
    standing.agency_path = agency.path if agency else ""
    if round_.freeze_at is None or attempt.submitted_at < round_.freeze_at:
        standing.frozen_score = attempt.score
        standing.frozen_duration_ms = attempt.duration_ms
        standing.frozen_submitted_at = attempt.submitted_at
    db.session.flush()
    update_contest_standing(round_.contest_id, attempt.user_id)
    return standing


def update_contest_standing(contest_id: int, user_id: int) -> ContestStanding | None:
    """Recompute a contestant's overall result from their round standings (a few rows)."""
    rows = db.session.execute(sa.select(Standing).join(Round, Round.id == Standing.round_id).where(
        Round.contest_id == contest_id, Standing.user_id == user_id)).scalars().all()
    is_best_round = db.session.get(Contest, contest_id).overall_rule == "best_round"
    overall = db.session.get(ContestStanding, (contest_id, user_id), with_for_update=True)
    if not rows:
        if overall is not None:
            db.session.delete(overall)
        return None
    if overall is None:
        overall = ContestStanding(contest_id=contest_id, user_id=user_id)
        db.session.add(overall)
    if is_best_round:
        best = min(rows, key=lambda s: rank_key(s.score, s.duration_ms, s.submitted_at))
        overall.score, overall.max_score = best.score, best.max_score
        overall.duration_ms, overall.submitted_at = best.duration_ms, best.submitted_at
    else:
        overall.score = sum(s.score for s in rows)
        overall.max_score = sum(s.max_score for s in rows)
        overall.duration_ms = sum(s.duration_ms for s in rows)
        overall.submitted_at = max(s.submitted_at for s in rows)
    latest = max(rows, key=lambda s: s.submitted_at)
    overall.agency_id, overall.agency_path = latest.agency_id, latest.agency_path
    overall.rounds_taken = len(rows)
    db.session.flush()
    return overall


def prediction_truth(round_: Round) -> int:
    """The figure the round's prediction asked for: fully correct papers, or entries (papers submitted)."""
    query = sa.select(sa.func.count()).select_from(Attempt).where(
        Attempt.round_id == round_.id, Attempt.submitted_at.is_not(None))
    if round_.prediction_kind == "perfect_papers":
        query = query.where(Attempt.score == Attempt.max_score)
    return db.session.scalar(query) or 0


def apply_prediction_truth(round_: Round) -> int:
    """Fix the round's true figure and each standing's distance to it; the round must be closed and
    its papers final. Returns the figure."""
    truth = prediction_truth(round_)
    db.session.execute(sa.update(Standing).where(Standing.round_id == round_.id, Standing.prediction.is_(None))
                       .values(prediction_error=MISSING_PREDICTION_ERROR).execution_options(synchronize_session=False))
    db.session.execute(sa.update(Standing).where(Standing.round_id == round_.id, Standing.prediction.is_not(None))
                       .values(prediction_error=sa.func.abs(Standing.prediction - truth))
                       .execution_options(synchronize_session=False))
    round_.prediction_truth = truth
    db.session.flush()
    return truth

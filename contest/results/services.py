"""Settling a round once its close and grace have passed, and correcting it afterwards.

Settling finalises every paper still open, fixes the prediction's true figure and each standing's
distance to it, and (under "best attempt counts" with a prediction) makes each contestant's counted
paper their best under the final rule; then records rounds.settled_at. It happens once: the claim is
a conditional UPDATE … WHERE settled_at IS NULL, so on PostgreSQL a second instance waits for the
first one's commit and then finds nothing to do, and on SQLite writers are serialised anyway.
"""
from datetime import datetime

import sqlalchemy as sa

from contest.attempts.models import Attempt, AttemptItem
from contest.attempts.services import finalize_round, grace
from contest.audit.services import record
from contest.database import utcnow
from contest.extensions import db
from contest.leaderboards.models import Standing
from contest.leaderboards.shared import round_state
from contest.leaderboards.services import apply_prediction_truth, update_contest_standing
from contest.prizes.models import ResultSnapshot, SignOff
from contest.rounds.models import Contest, Round
from contest.rounds.queries import RoundState
from contest.scoring.rules import MISSING_PREDICTION_ERROR


def is_due(round_: Round | RoundState, now: datetime) -> bool:
    """True when the round's close and grace have passed and it has not been settled yet."""
    return round_.settled_at is None and now > round_.closes_at + grace()


def _counted_paper_query(round_: Round, truth: int):
    """Each contestant's best paper under the final rule (score, prediction's distance, time,
    submission), among the papers that may stand: ROW_NUMBER() = 1 per contestant."""
    error = sa.case((Attempt.prediction.is_(None), MISSING_PREDICTION_ERROR),
                    else_=sa.func.abs(Attempt.prediction - truth))
    may_stand = Attempt.round_id == round_.id
    if round_.is_all_required:  # a paper closed by the clock with gaps never entered the standings
        gap = sa.exists().where(AttemptItem.attempt_id == Attempt.id, sa.or_(
            AttemptItem.selected.is_(None), sa.cast(AttemptItem.selected, sa.Text).in_(["[]", "null"])))
        may_stand = sa.and_(may_stand, sa.not_(gap))
    ranked = sa.select(
        Attempt.user_id, Attempt.id, Attempt.score, Attempt.max_score, Attempt.duration_ms, Attempt.submitted_at,
        Attempt.prediction, error.label("error"),
        sa.func.row_number().over(partition_by=Attempt.user_id,
                                  order_by=[Attempt.score.desc(), error, Attempt.duration_ms, Attempt.submitted_at,
                                            Attempt.id]).label("position")
    ).where(may_stand, Attempt.submitted_at.is_not(None)).subquery()
    return sa.select(ranked, Standing.attempt_id.label("held")).join(
        Standing, sa.and_(Standing.round_id == round_.id, Standing.user_id == ranked.c.user_id)
    ).where(ranked.c.position == 1, ranked.c.id != Standing.attempt_id)


def _count_best_under_final_rule(round_: Round, truth: int) -> int:
    """Move each standing of a "best" round to the contestant's best paper under the final rule
    (the distance may now outweigh the time); returns how many standings moved."""
    moved = db.session.execute(_counted_paper_query(round_, truth)).all()
    for row in moved:
        db.session.execute(sa.update(Standing).where(Standing.round_id == round_.id, Standing.user_id == row.user_id)
                           .values(attempt_id=row.id, score=row.score, max_score=row.max_score,
                                   duration_ms=row.duration_ms, submitted_at=row.submitted_at,
                                   prediction=row.prediction, prediction_error=row.error)
                           .execution_options(synchronize_session=False))
        update_contest_standing(round_.contest_id, row.user_id, round_.contest.overall_rule)
    return len(moved)


def _settle_figures(round_: Round, now: datetime) -> None:
    """Finalise the open papers, fix the prediction's figure and the counted papers (no claim, no commit)."""
    finalize_round(round_, now)
    if round_.prediction_kind:
        truth = apply_prediction_truth(round_)
        if round_.counting_rule == "best":
            _count_best_under_final_rule(round_, truth)


def settle_round(round_: Round, now: datetime) -> bool:
    """Settle the round if its close and grace have passed and nobody has; True if this call did.
    The caller commits (settled() and `flask rounds settle` do at once)."""
    if not is_due(round_, now):
        return False
    claimed = db.session.execute(
        sa.update(Round).where(Round.id == round_.id, Round.settled_at.is_(None)).values(settled_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if not claimed:  # another request or instance settled it meanwhile: read what it stored
        db.session.rollback()
        db.session.refresh(round_)
        return False
    _settle_figures(round_, now)
    record(None, "round.settle", "round", round_.id, prediction_truth=round_.prediction_truth)
    db.session.flush()
    db.session.refresh(round_)
    return True


def settled(round_: Round, now: datetime | None = None) -> Round:
    """The round, settled first in its own committed transaction if it is due (for any reader of a
    closed round's final figures: boards, exports, agency tables, statistics, prizes)."""
    now = now or utcnow()
    if is_due(round_, now):
        db.session.commit()  # nothing of the caller's rides along: the settling stands on its own
        if settle_round(round_, now):
            db.session.commit()
    return round_


def settled_state(round_id: int, now: datetime) -> RoundState | None:
    """The round as boards and result pages read it (shared for the interval, see
    contest.leaderboards.shared.round_state), settled first if it is due; None if there is none. The
    close is in the state read, so no request waits for a new read to settle the round."""
    round_ = round_state(round_id)
    if round_ is not None and is_due(round_, now):  # (or another request has settled it since that read)
        settled(db.session.get(Round, round_id), now)
        round_ = round_state(round_id, fresh=True)
    return round_


def settle_contest(contest: Contest, now: datetime | None = None) -> None:
    """Settle every due round of the contest (its overall board and agency table read them all)."""
    for round_ in contest.rounds:
        settled(round_, now)


def settle_due_rounds(now: datetime) -> list[Round]:
    """Settle every round whose close and grace have passed, each in its own transaction; the rounds
    this call settled (`flask rounds settle`; safe on several instances at once)."""
    done = []
    for round_id in db.session.scalars(sa.select(Round.id).where(Round.settled_at.is_(None), Round.closes_at < now)
                                       .order_by(Round.closes_at)).all():
        round_ = db.session.get(Round, round_id)
        if settle_round(round_, now):
            db.session.commit()
            done.append(round_)
    return done


class CorrectionError(ValueError):
    """A correction the rules refuse; the message is shown to the organizer."""


def correct_settled_round(round_: Round, organizer_id: int, reason: str, now: datetime) -> int:
    """Recount a settled round's figures after a correction (a question re-marked, a paper struck off):
    the papers' counting, the prediction's figure and the final order are fixed again, and any
    signatures and signed snapshot are withdrawn, since they covered the old figures. Logged with
    the reason; returns how many signatures were withdrawn. The caller commits."""
    if round_.settled_at is None:
        raise CorrectionError("Vòng thi chưa chốt kết quả: chưa có gì để điều chỉnh.")
    if not reason.strip():
        raise CorrectionError("Cần ghi rõ lý do điều chỉnh kết quả.")
    db.session.execute(sa.select(Round.id).where(Round.id == round_.id).with_for_update())
    snapshot = db.session.scalar(sa.select(ResultSnapshot).where(ResultSnapshot.round_id == round_.id))
    withdrawn = db.session.execute(sa.delete(SignOff).where(SignOff.round_id == round_.id)).rowcount
    if snapshot is not None:
        db.session.delete(snapshot)
    previous_truth = round_.prediction_truth
    _settle_figures(round_, now)
    round_.settled_at = now
    record(organizer_id, "round.correct", "round", round_.id, reason=reason.strip(),
           signatures_withdrawn=withdrawn, snapshot_withdrawn=snapshot is not None,
           prediction_truth_before=previous_truth, prediction_truth_after=round_.prediction_truth)
    return withdrawn

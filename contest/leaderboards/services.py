"""Keeping standings current: done once per submission, so boards never scan attempts.

Each write is one upsert statement (INSERT … ON CONFLICT on both databases): a submission at the
close of a national round pays for two statements, not for loading and flushing ORM objects.
"""
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from contest.accounts.models import User
from contest.agencies.models import Agency
from contest.attempts.models import Attempt
from contest.extensions import db
from contest.leaderboards.models import ContestStanding, Standing
from contest.rounds.models import Contest, Round
from contest.scoring.rules import MISSING_PREDICTION_ERROR

RESULT_COLUMNS = ("score", "max_score", "duration_ms", "submitted_at")


def _insert(table):
    """INSERT with ON CONFLICT for the session's database (PostgreSQL in production, SQLite in the demo)."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def _replaces(rule: str, new, old):
    """SQL condition: the newly submitted result takes the standing's place under the round's rule."""
    if rule == "last":
        return new.submitted_at >= old.submitted_at
    # "best": higher score, then shorter time, then earlier submission; a tie keeps the incumbent.
    return sa.or_(new.score > old.score,
                  sa.and_(new.score == old.score, new.duration_ms < old.duration_ms),
                  sa.and_(new.score == old.score, new.duration_ms == old.duration_ms,
                          new.submitted_at < old.submitted_at))


def _agency_of(user_id: int):
    """Scalar subqueries for the contestant's agency id and path at submission."""
    agency_id = sa.select(User.agency_id).where(User.id == user_id).scalar_subquery()
    agency_path = sa.func.coalesce(sa.select(Agency.path).join(User, User.agency_id == Agency.id)
                                   .where(User.id == user_id).scalar_subquery(), "")
    return agency_id, agency_path


def record_standing(attempt: Attempt) -> bool:
    """Make the attempt the contestant's standing in its round if the round's rule says it counts;
    True if it did. Also keeps the frozen copy the public board shows after the round's freeze time,
    and the contestant's overall standing in the contest."""
    round_ = attempt.round
    agency_id, agency_path = _agency_of(attempt.user_id)
    values = {
        "round_id": attempt.round_id, "user_id": attempt.user_id, "attempt_id": attempt.id,
        "score": attempt.score, "max_score": attempt.max_score, "duration_ms": attempt.duration_ms,
        "submitted_at": attempt.submitted_at, "prediction": attempt.prediction,
        "agency_id": agency_id, "agency_path": agency_path,
    }
    if round_.freeze_at is None or attempt.submitted_at < round_.freeze_at:
        values.update(frozen_score=attempt.score, frozen_duration_ms=attempt.duration_ms,
                      frozen_submitted_at=attempt.submitted_at)
    statement = _insert(Standing).values(**values)
    changed = {name: statement.excluded[name] for name in values if name not in ("round_id", "user_id")}
    if round_.counting_rule == "first":
        statement = statement.on_conflict_do_nothing(index_elements=["round_id", "user_id"])
    else:
        statement = statement.on_conflict_do_update(
            index_elements=["round_id", "user_id"], set_=changed,
            where=_replaces(round_.counting_rule, statement.excluded, Standing.__table__.c))
    is_counted = db.session.execute(statement.returning(Standing.attempt_id)).first() is not None
    if is_counted:
        update_contest_standing(round_.contest_id, attempt.user_id)
    return is_counted


def update_contest_standing(contest_id: int, user_id: int) -> None:
    """Recompute a contestant's overall result from their round standings (a few rows), in one upsert."""
    mine = sa.and_(Round.contest_id == contest_id, Standing.user_id == user_id)
    rounds_taken = sa.select(sa.func.count()).select_from(Standing).join(Round, Round.id == Standing.round_id) \
        .where(mine).scalar_subquery()
    is_best_round = db.session.scalar(sa.select(Contest.overall_rule).where(Contest.id == contest_id)) == "best_round"
    if is_best_round:
        result = sa.select(Standing.score, Standing.max_score, Standing.duration_ms, Standing.submitted_at) \
            .join(Round, Round.id == Standing.round_id).where(mine) \
            .order_by(Standing.score.desc(), Standing.duration_ms, Standing.submitted_at).limit(1)
    else:
        result = sa.select(sa.func.sum(Standing.score), sa.func.sum(Standing.max_score),
                           sa.func.sum(Standing.duration_ms), sa.func.max(Standing.submitted_at)) \
            .join(Round, Round.id == Standing.round_id).where(mine).group_by(Standing.user_id)
    # The agency is the contestant's agency now (this submission is their latest).
    agency_id, agency_path = _agency_of(user_id)
    source = result.subquery()
    # WHERE true: SQLite reads "SELECT … FROM x ON CONFLICT" as a join's ON without it.
    rows = sa.select(sa.literal(contest_id), sa.literal(user_id), *source.c, rounds_taken, agency_id, agency_path) \
        .where(sa.true())
    statement = _insert(ContestStanding).from_select(
        ["contest_id", "user_id", *RESULT_COLUMNS, "rounds_taken", "agency_id", "agency_path"], rows)
    statement = statement.on_conflict_do_update(
        index_elements=["contest_id", "user_id"],
        set_={name: statement.excluded[name] for name in (*RESULT_COLUMNS, "rounds_taken", "agency_id", "agency_path")})
    if db.session.execute(statement.returning(ContestStanding.user_id)).first() is None:
        # No round standing is left (a paper struck off): no overall result either.
        db.session.execute(sa.delete(ContestStanding).where(ContestStanding.contest_id == contest_id,
                                                            ContestStanding.user_id == user_id))


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

"""Keeping standings current: done once per submission, so boards never scan attempts.

Each write is one upsert statement (INSERT … ON CONFLICT on both databases): a submission at the
close of a national round pays for two statements, not for loading and flushing ORM objects.
"""
import functools

import sqlalchemy as sa

from contest.accounts.models import User
from contest.agencies.models import Agency
from contest.attempts.models import Attempt
from contest.database import dialect_insert
from contest.extensions import db
from contest.leaderboards.models import ContestStanding, Standing
from contest.rounds.models import Round
from contest.scoring.rules import MISSING_PREDICTION_ERROR

RESULT_COLUMNS = ("score", "max_score", "duration_ms", "submitted_at")


def _replaces(rule: str, new, old):
    """SQL condition: the newly submitted result takes the standing's place under the round's rule."""
    if rule == "last":
        return new.submitted_at >= old.submitted_at
    # "best": higher score, then shorter time, then earlier submission; a tie keeps the incumbent.
    # One row comparison (lexicographic on both databases) says all three.
    return sa.tuple_(-new.score, new.duration_ms, new.submitted_at) < \
        sa.tuple_(-old.score, old.duration_ms, old.submitted_at)


def _agency_of(user_id):
    """Scalar subqueries for the contestant's agency id and path at submission."""
    agency_id = sa.select(User.agency_id).where(User.id == user_id).scalar_subquery()
    agency_path = sa.func.coalesce(sa.select(Agency.path).join(User, User.agency_id == Agency.id)
                                   .where(User.id == user_id).scalar_subquery(), "")
    return agency_id, agency_path


STANDING_VALUES = ("attempt_id", "score", "max_score", "duration_ms", "submitted_at", "prediction")


def standing_statement(dialect: str, rule: str, is_before_freeze: bool, source=None):
    """The round standing's upsert for one counting rule (parameters b_<column>, b_round_id, b_user_id).

    source: a FROM clause (the submit's claim, on PostgreSQL) that must yield a row for anything to be
    written; without it the values are inserted as they are.
    """
    values = {"round_id": sa.bindparam("b_round_id", type_=sa.Integer()),
              "user_id": sa.bindparam("b_user_id", type_=sa.Integer())}
    values.update({name: sa.bindparam(f"b_{name}", type_=Standing.__table__.c[name].type) for name in STANDING_VALUES})
    if source is None:
        values["agency_id"], values["agency_path"] = _agency_of(values["user_id"])
    else:  # read in the same join as the source, not by two subqueries
        source = source.join(User, User.id == values["user_id"]).outerjoin(Agency, Agency.id == User.agency_id)
        values["agency_id"], values["agency_path"] = User.agency_id, sa.func.coalesce(Agency.path, "")
    if is_before_freeze:  # the frozen copy the public board shows after the round's freeze time
        values.update(frozen_score=values["score"], frozen_duration_ms=values["duration_ms"],
                      frozen_submitted_at=values["submitted_at"])
    if source is None:
        statement = dialect_insert(Standing, dialect).values(**values)
    else:
        statement = dialect_insert(Standing, dialect).from_select(
            list(values), sa.select(*(value.label(name) for name, value in values.items())).select_from(source))
    changed = {name: statement.excluded[name] for name in values if name not in ("round_id", "user_id")}
    if rule == "first":
        statement = statement.on_conflict_do_nothing(index_elements=["round_id", "user_id"])
    else:
        statement = statement.on_conflict_do_update(
            index_elements=["round_id", "user_id"], set_=changed,
            where=_replaces(rule, statement.excluded, Standing.__table__.c))
    return statement.returning(*(Standing.__table__.c[name]
                                 for name in ("attempt_id", *RESULT_COLUMNS, "agency_id", "agency_path")))


@functools.cache
def _standing_upsert(dialect: str, rule: str, is_before_freeze: bool):
    """The round standing's upsert, built once per rule."""
    return standing_statement(dialect, rule, is_before_freeze)


def standing_params(attempt: Attempt, result: dict | None = None) -> dict:
    """The parameters of standing_statement for a submitted attempt; `result` holds the score, time
    and finish the submission is writing, if they are not on the attempt yet."""
    values = {"attempt_id": attempt.id, **{name: getattr(attempt, name) for name in STANDING_VALUES[1:]},
              **(result or {})}
    return {"b_round_id": attempt.round_id, "b_user_id": attempt.user_id,
            **{f"b_{name}": value for name, value in values.items()}}


def record_standing(attempt: Attempt) -> bool:
    """Make the attempt the contestant's standing in its round if the round's rule says it counts;
    True if it did. Also keeps the frozen copy the public board shows after the round's freeze time,
    and the contestant's overall standing in the contest. One upsert each, built once per rule."""
    round_ = attempt.round
    is_before_freeze = round_.freeze_at is None or attempt.submitted_at < round_.freeze_at
    connection = db.session.connection()
    statement = _standing_upsert(connection.dialect.name, round_.counting_rule, is_before_freeze)
    is_counted = connection.execute(statement, standing_params(attempt)).first() is not None
    if is_counted:
        update_contest_standing(round_.contest_id, attempt.user_id, round_.contest.overall_rule)
    return is_counted


def contest_standing_statement(dialect: str, is_best_round: bool, contest_id, user_id, incoming=None):
    """The overall standing's upsert for one overall rule, computed from the contestant's round
    standings (a few rows).

    incoming: the round standing a submission has just written (the RETURNING of its upsert, on
    PostgreSQL in the same statement): it replaces what the table holds for its round, which that
    statement cannot see yet, and nothing is written unless it holds a row. Its round is the
    parameter b_round_id.
    """
    mine = sa.and_(Round.contest_id == contest_id, Standing.user_id == user_id)
    held = sa.select(Standing.score, Standing.max_score, Standing.duration_ms, Standing.submitted_at) \
        .join(Round, Round.id == Standing.round_id).where(mine)
    if incoming is not None:
        held = held.where(Standing.round_id != sa.bindparam("b_round_id", type_=sa.Integer())).union_all(
            sa.select(*(incoming.c[name] for name in RESULT_COLUMNS)))
    rounds = held.subquery("rounds_held")
    # One pass over the rounds held: the count rides along (a window over the rows before the LIMIT).
    if is_best_round:
        result = sa.select(*rounds.c, sa.func.count().over().label("rounds_taken")) \
            .order_by(rounds.c.score.desc(), rounds.c.duration_ms, rounds.c.submitted_at).limit(1)
    else:
        result = sa.select(sa.func.sum(rounds.c.score), sa.func.sum(rounds.c.max_score),
                           sa.func.sum(rounds.c.duration_ms), sa.func.max(rounds.c.submitted_at),
                           sa.func.count().label("rounds_taken")) \
            .having(sa.func.count() > 0)
    totals = result.subquery()
    # The agency is the contestant's agency now (this submission is their latest): the one the
    # incoming round standing was written with (no row there, nothing written), or the account's.
    if incoming is not None:
        agency = sa.select(incoming.c.agency_id, incoming.c.agency_path).subquery("agency")
        source = totals.join(agency, sa.true())
        agency_id, agency_path = agency.c.agency_id, agency.c.agency_path
    else:
        source = totals
        agency_id, agency_path = _agency_of(user_id)
    # WHERE true: SQLite reads "SELECT … FROM x ON CONFLICT" as a join's ON without it.
    rows = sa.select(sa.cast(contest_id, sa.Integer), sa.cast(user_id, sa.Integer), *totals.c, agency_id,
                     agency_path).select_from(source).where(sa.true())
    statement = dialect_insert(ContestStanding, dialect).from_select(
        ["contest_id", "user_id", *RESULT_COLUMNS, "rounds_taken", "agency_id", "agency_path"], rows)
    statement = statement.on_conflict_do_update(
        index_elements=["contest_id", "user_id"],
        set_={name: statement.excluded[name] for name in (*RESULT_COLUMNS, "rounds_taken", "agency_id", "agency_path")})
    return statement.returning(ContestStanding.user_id)


@functools.cache
def _contest_standing_upsert(dialect: str, is_best_round: bool):
    """The overall standing's upsert, built once per overall rule (parameters b_contest, b_user)."""
    return contest_standing_statement(dialect, is_best_round, sa.bindparam("b_contest"), sa.bindparam("b_user"))


def update_contest_standing(contest_id: int, user_id: int, overall_rule: str) -> None:
    """Recompute a contestant's overall result from their round standings (a few rows), in one upsert."""
    connection = db.session.connection()
    statement = _contest_standing_upsert(connection.dialect.name, overall_rule == "best_round")
    if connection.execute(statement, {"b_contest": contest_id, "b_user": user_id}).first() is None:
        # No round standing is left (a paper struck off): no overall result either.
        db.session.execute(sa.delete(ContestStanding).where(ContestStanding.contest_id == contest_id,
                                                            ContestStanding.user_id == user_id))


def prediction_truth(round_: Round) -> int:
    """The figure the round's prediction asked for, from the submitted papers: fully correct papers,
    people with a fully correct paper, papers submitted, or people who took part."""
    submitted = sa.and_(Attempt.round_id == round_.id, Attempt.submitted_at.is_not(None))
    kind = round_.prediction_kind
    if kind in ("perfect_papers", "perfect_people"):
        submitted = sa.and_(submitted, Attempt.score == Attempt.max_score)
    counted = sa.func.count(sa.distinct(Attempt.user_id)) if kind in ("perfect_people", "participants") \
        else sa.func.count()
    return db.session.scalar(sa.select(counted).select_from(Attempt).where(submitted)) or 0


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

"""The SQL the attempt engine sends on either database, built once per process (at import, or cached by
its shape): the save's conditional UPDATE, the paper as one JSON document, marking and the claim. The
rules that decide when each is sent live in contest.attempts.services; how PostgreSQL sends them, in
contest.attempts.postgres.
"""
import functools
import json
from dataclasses import dataclass
from operator import attrgetter

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from contest.accounts.models import User
from contest.accounts.sessions import is_live
from contest.agencies.models import Agency
from contest.attempts.models import Attempt, AttemptItem
from contest.bank.models import Question, QuestionBank
from contest.database import UTCDateTime
from contest.rounds.models import Contest, Round

ITEM, ATTEMPT = AttemptItem.__table__, Attempt.__table__
ATTEMPT_INSERT = ATTEMPT.insert().returning(ATTEMPT.c.id)

# What saving and marking read of the round (its other columns load if something else asks for them).
ROUND_RULES = (Round.contest_id, Round.counting_rule, Round.prediction_kind, Round.is_all_required, Round.freeze_at,
               Round.closes_at)


def lock_query(exclusive: bool, *columns) -> sa.Select:
    """An attempt with its round's rules and its contest's overall rule, the attempt row locked (shared
    for a save, exclusive for a submission); `columns` are read beside it."""
    return sa.select(Attempt, *columns) \
        .options(joinedload(Attempt.round, innerjoin=True).load_only(*ROUND_RULES)
                 .joinedload(Round.contest, innerjoin=True).load_only(Contest.overall_rule)) \
        .with_for_update(read=not exclusive, of=Attempt.__table__).execution_options(populate_existing=True)


# What starting an attempt reads of the round (services.StartRules), beside the entrant, its contest's
# streams and its eligible agency's name and path.
START_RULES = ("id", "bank_id", "opens_at", "closes_at", "attempts_allowed", "stream_banks", "time_limit_seconds",
               "question_count", "is_flagged_excluded", "quotas")


@functools.cache
def entrant_query() -> sa.Select:
    """The round's rules for a start with the account, its attempts in the round and the round's bank
    revision (services.read_entrant), built once: at the opening rush building it cost more than running
    it. One row if the round exists; the account's columns are NULL if it does not."""
    user, agency, bank = User.__table__, Agency.__table__, QuestionBank.__table__
    round_, contest, eligible = Round.__table__, Contest.__table__, Agency.__table__.alias("eligible")
    mine = sa.and_(ATTEMPT.c.user_id == sa.bindparam("user_id"), ATTEMPT.c.round_id == round_.c.id)
    return (sa.select(user.c.role, user.c.stream, agency.c.path, is_live(sa.bindparam("session_id"), user.c.id),
                      sa.select(sa.func.count()).select_from(ATTEMPT).where(mine).scalar_subquery(),
                      sa.select(ATTEMPT.c.id).where(mine, ATTEMPT.c.submitted_at.is_(None)).scalar_subquery(),
                      bank.c.revision, bank.c.created_at, *(round_.c[name] for name in START_RULES),
                      contest.c.streams, eligible.c.name, eligible.c.path)
            .select_from(round_.join(contest, contest.c.id == round_.c.contest_id)
                         .outerjoin(eligible, eligible.c.id == contest.c.eligible_agency_id)
                         .outerjoin(bank, bank.c.id == round_.c.bank_id)
                         .outerjoin(user, user.c.id == sa.bindparam("user_id"))
                         .outerjoin(agency, agency.c.id == user.c.agency_id))
            .where(round_.c.id == sa.bindparam("round_id")))


def selection_checks(cleaned: list[int], highest) -> list:
    """SQL conditions on the item a save changes: the chosen options are among those shown (`highest`
    is the largest chosen, a value or a parameter), and several are chosen only where the question
    has several right answers."""
    checks = []
    if cleaned:
        checks.append(sa.func.json_array_length(ITEM.c.choice_order) > highest)
    if len(cleaned) > 1:
        checks.append(sa.select(sa.func.json_array_length(Question.__table__.c.correct))
                      .where(Question.__table__.c.id == ITEM.c.question_id).scalar_subquery() > 1)
    return checks


@functools.cache
def quick_save_statement(kind: str) -> sa.Update:
    """The one-statement save, built once per number of options chosen ("blank", "one", "several")."""
    sample = {"blank": [], "one": [0], "several": [0, 1]}[kind]  # only its length shapes the statement
    conditions = [
        ITEM.c.attempt_id == sa.bindparam("b_attempt"), ITEM.c.position == sa.bindparam("b_position"),
        ITEM.c.revision < sa.bindparam("b_revision"),
        # The share lock keeps a save from landing between a submission's marking and its commit.
        # The session must be a live log-in of the account (logout, a password change or reset end it).
        is_live(sa.bindparam("b_session", type_=sa.String()), sa.bindparam("b_user")),
        sa.select(ATTEMPT.c.id).where(ATTEMPT.c.id == sa.bindparam("b_attempt"),
                                      ATTEMPT.c.user_id == sa.bindparam("b_user"),
                                      ATTEMPT.c.submitted_at.is_(None),
                                      ATTEMPT.c.deadline_at >= sa.bindparam("b_cutoff", type_=UTCDateTime()))
        .with_for_update(read=True).exists(),
        *selection_checks(sample, sa.bindparam("b_highest"))]
    deadline = sa.select(ATTEMPT.c.deadline_at).where(ATTEMPT.c.id == sa.bindparam("b_attempt")).scalar_subquery()
    return ITEM.update().where(*conditions).values(
        selected=sa.null() if kind == "blank" else sa.bindparam("b_selected", type_=sa.JSON()),
        answered_at=sa.bindparam("b_now", type_=UTCDateTime()), revision=sa.bindparam("b_revision"),
    ).returning(ITEM.c.selected, ITEM.c.revision, deadline.label("deadline_at"))


@dataclass
class PaperRow:
    """What marking needs of one item: plain values read in one query, not ORM objects."""

    position: int
    selected: list[int] | None
    choice_order: list[int]
    revision: int
    correct: list[int]


def _paper_document(dialect: str) -> sa.Select:
    """The paper as one JSON array of [position, selected, choice_order, revision, correct] per item:
    one value to decode instead of three JSON columns on each of twenty rows (most of a submit's
    reading time went to decoding them one by one)."""
    question = Question.__table__
    if dialect == "postgresql":
        item = sa.func.json_build_array(ITEM.c.position, ITEM.c.selected, ITEM.c.choice_order,
                                        ITEM.c.revision, question.c.correct)
        document = sa.func.json_agg(item)
    else:  # SQLite keeps JSON as text: json() embeds it as JSON rather than as a string
        item = sa.func.json_array(ITEM.c.position, sa.func.json(ITEM.c.selected), sa.func.json(ITEM.c.choice_order),
                                  ITEM.c.revision, sa.func.json(question.c.correct))
        document = sa.func.json_group_array(item)
    return sa.select(document).select_from(ITEM.join(question, question.c.id == ITEM.c.question_id)) \
        .where(ITEM.c.attempt_id == sa.bindparam("b_attempt"))


PAPER_DOCUMENT = {dialect: _paper_document(dialect) for dialect in ("postgresql", "sqlite")}


def paper_from(document) -> list[PaperRow]:
    """The paper document (see _paper_document) as rows in position order."""
    if isinstance(document, str):  # SQLite returns the text; psycopg has decoded it already
        document = json.loads(document)
    return sorted((PaperRow(*item) for item in document or ()), key=attrgetter("position"))


MARK = ITEM.update().where(ITEM.c.attempt_id == sa.bindparam("b_attempt")) \
    .values(is_correct=ITEM.c.position.in_(sa.bindparam("b_correct", expanding=True)))
# The guard on submitted_at makes a double submit, or a submit racing the expiry job, count once.
CLAIM = ATTEMPT.update().where(ATTEMPT.c.id == sa.bindparam("b_attempt"), ATTEMPT.c.submitted_at.is_(None))
STORE_SENT = ITEM.update().where(ITEM.c.attempt_id == sa.bindparam("b_attempt"),
                                 ITEM.c.position == sa.bindparam("b_position")) \
    .values(selected=sa.bindparam("b_selected", type_=sa.JSON()), answered_at=sa.bindparam("b_now", type_=UTCDateTime()),
            revision=sa.bindparam("b_revision"))

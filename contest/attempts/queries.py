"""Reading an attempt as the contestant sees it: shown order only, never the key."""
import functools
import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from contest.attempts.models import Attempt, AttemptItem
from contest.bank.models import Question
from contest.database import first_row
from contest.extensions import db
from contest.rounds.models import Round
from contest.rounds.settings import prediction_prompt


@dataclass
class ShownQuestion:
    """A question on the paper: its position, text and options in the order shown."""

    position: int
    text: str
    options: list[tuple[int, str]]
    is_multiple: bool
    selected: list[int]


@dataclass(frozen=True)
class PaperRound:
    """What the paper page says of its round."""

    name: str
    prediction_kind: str | None
    prediction_question: str
    is_all_required: bool


@dataclass(frozen=True)
class PaperPage:
    """An attempt as its paper page shows it: plain values read in one statement (paper_page)."""

    id: int
    deadline_at: datetime
    is_submitted: bool
    prediction: int | None
    round: PaperRound
    questions: list[ShownQuestion]
    revision: int  # the highest revision saved: the page's saves go on from it


@functools.cache
def _paper_page_statement(dialect: str) -> sa.Select:
    """The attempt, its round's wording and its items with their questions' text, options and key length,
    as one row: the items are one JSON array of [position, text, choices, choice order, selected, revision,
    number of right options] (one value to decode, not twenty rows of ORM objects). Never the key itself."""
    item, question, attempt, round_ = (AttemptItem.__table__, Question.__table__, Attempt.__table__,
                                       Round.__table__)
    if dialect == "postgresql":
        entries = sa.func.json_agg(sa.func.json_build_array(
            item.c.position, question.c.text, question.c.choices, item.c.choice_order, item.c.selected,
            item.c.revision, sa.func.json_array_length(question.c.correct)))
    else:  # SQLite keeps JSON as text: json() embeds it as JSON rather than as a string
        entries = sa.func.json_group_array(sa.func.json_array(
            item.c.position, question.c.text, sa.func.json(question.c.choices), sa.func.json(item.c.choice_order),
            sa.func.json(item.c.selected), item.c.revision, sa.func.json_array_length(question.c.correct)))
    items = sa.select(entries).select_from(item.join(question, question.c.id == item.c.question_id)) \
        .where(item.c.attempt_id == attempt.c.id).scalar_subquery()
    return sa.select(attempt.c.deadline_at, attempt.c.submitted_at.is_not(None),
                     attempt.c.prediction, round_.c.name, round_.c.prediction_kind, round_.c.prediction_prompt,
                     round_.c.is_all_required, items) \
        .select_from(attempt.join(round_, round_.c.id == attempt.c.round_id)) \
        .where(attempt.c.id == sa.bindparam("attempt_id"), attempt.c.user_id == sa.bindparam("user_id"))


def paper_page(attempt_id: int, user_id: int) -> PaperPage | None:
    """The contestant's own attempt as its paper page shows it, in one query; None if it is not theirs."""
    row = first_row(db.session, db.engine, _paper_page_statement(db.engine.dialect.name),
                    {"attempt_id": attempt_id, "user_id": user_id})
    if row is None:
        return None
    deadline_at, is_submitted, prediction, name, kind, prompt, is_all_required, entries = row
    if isinstance(entries, str):  # SQLite returns the text; psycopg has decoded it already
        entries = json.loads(entries)
    entries = sorted(entries or (), key=lambda entry: entry[0])
    questions = [_shown(position, text, choices, order, selected, right_count)
                 for position, text, choices, order, selected, _, right_count in entries]
    return PaperPage(attempt_id, deadline_at, bool(is_submitted), prediction,
                     PaperRound(name, kind, prediction_prompt(kind, prompt), is_all_required),
                     questions, max((entry[5] for entry in entries), default=0))


def load_attempt(attempt_id: int) -> Attempt | None:
    """The attempt with its items and their questions, loaded in three queries."""
    return db.session.scalar(sa.select(Attempt).where(Attempt.id == attempt_id).options(
        selectinload(Attempt.items).selectinload(AttemptItem.question)))


_OWN_ATTEMPT = sa.select(Attempt.__table__).where(Attempt.__table__.c.id == sa.bindparam("attempt_id"),
                                                  Attempt.__table__.c.user_id == sa.bindparam("user_id"))


def own_attempt(attempt_id: int, user_id: int) -> sa.Row | None:
    """The contestant's own attempt's columns as a read-only row (None if it is not theirs), in one query:
    what a result page shows, read at a round's close by nearly everyone."""
    return first_row(db.session, db.engine, _OWN_ATTEMPT, {"attempt_id": attempt_id, "user_id": user_id})


def load_paper(attempt_id: int) -> Attempt | None:
    """The attempt as the summary before handing in needs it, in three queries: with its round and
    contest, its items, and of their questions only the text, the options and the key's length (not
    the explanation, citation or search text the page never shows)."""
    return db.session.scalar(sa.select(Attempt).where(Attempt.id == attempt_id).options(
        joinedload(Attempt.round).joinedload(Round.contest),
        selectinload(Attempt.items).selectinload(AttemptItem.question)
        .load_only(Question.text, Question.choices, Question.correct)))


def shown_paper(attempt: Attempt) -> list[ShownQuestion]:
    """The paper as the browser may see it: options are identified by shown position only."""
    return [_shown(item.position, item.question.text, item.question.choices, item.choice_order, item.selected,
                   len(item.question.correct)) for item in attempt.items]


def _shown(position: int, text: str, choices: list[str], order: list[int], selected: list[int] | None,
           right_count: int) -> ShownQuestion:
    """One question as shown: its options in the drawn order, numbered as shown."""
    return ShownQuestion(position=position, text=text,
                         options=[(shown, choices[original]) for shown, original in enumerate(order)],
                         # Saying "choose every correct option" is part of the question, not a hint at which.
                         is_multiple=right_count > 1, selected=selected or [])


@dataclass
class ReviewedQuestion:
    """A question after the paper is submitted, as the round's review policy allows it to be shown."""

    position: int
    text: str
    options: list[tuple[int, str, bool, bool]]  # shown number, text, chosen, correct
    is_correct: bool
    explanation: str
    citation: str


def review_paper(attempt: Attempt) -> list[ReviewedQuestion]:
    """Each question with the contestant's answer, the right one, the explanation and the article."""
    reviewed = []
    for item in attempt.items:
        question = item.question
        chosen = set(item.selected or [])
        reviewed.append(ReviewedQuestion(
            position=item.position, text=question.text,
            options=[(shown, question.choices[original], shown in chosen, original in question.correct)
                     for shown, original in enumerate(item.choice_order)],
            is_correct=bool(item.is_correct), explanation=question.explanation,
            citation=question.citation or (question.document.display_name if question.document else "")))
    return reviewed

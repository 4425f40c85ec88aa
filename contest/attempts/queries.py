"""Reading an attempt as the contestant sees it: shown order only, never the key."""
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from contest.attempts.models import Attempt, AttemptItem
from contest.bank.models import Question
from contest.extensions import db
from contest.rounds.models import Round


@dataclass
class ShownQuestion:
    """A question on the paper: its position, text and options in the order shown."""

    position: int
    text: str
    options: list[tuple[int, str]]
    is_multiple: bool
    selected: list[int]


def load_attempt(attempt_id: int) -> Attempt | None:
    """The attempt with its items and their questions, loaded in three queries."""
    return db.session.scalar(sa.select(Attempt).where(Attempt.id == attempt_id).options(
        selectinload(Attempt.items).selectinload(AttemptItem.question)))


def load_with_round(attempt_id: int) -> Attempt | None:
    """The attempt with its round and contest, in one query (its items load if asked for)."""
    return db.session.scalar(sa.select(Attempt).where(Attempt.id == attempt_id)
                             .options(joinedload(Attempt.round).joinedload(Round.contest)))


def load_paper(attempt_id: int) -> Attempt | None:
    """The attempt as its paper page needs it, in three queries: with its round and contest, its items,
    and of their questions only the text, the options and the key's length (not the explanation,
    citation or search text the page never shows)."""
    return db.session.scalar(sa.select(Attempt).where(Attempt.id == attempt_id).options(
        joinedload(Attempt.round).joinedload(Round.contest),
        selectinload(Attempt.items).selectinload(AttemptItem.question)
        .load_only(Question.text, Question.choices, Question.correct)))


def shown_paper(attempt: Attempt) -> list[ShownQuestion]:
    """The paper as the browser may see it: options are identified by shown position only."""
    paper = []
    for item in attempt.items:
        choices = item.question.choices
        paper.append(ShownQuestion(
            position=item.position,
            text=item.question.text,
            options=[(shown, choices[original]) for shown, original in enumerate(item.choice_order)],
            # Saying "choose every correct option" is part of the question, not a hint at which.
            is_multiple=len(item.question.correct) > 1,
            selected=item.selected or [],
        ))
    return paper


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

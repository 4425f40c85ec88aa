"""Reading an attempt as the contestant sees it: shown order only, never the key."""
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from contest.attempts.models import Attempt, AttemptItem
from contest.extensions import db


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

"""Setting up contests and rounds."""
from datetime import datetime

import sqlalchemy as sa

from contest.bank.models import Question, QuestionBank
from contest.extensions import db
from contest.rounds.models import Contest, Round
from questions.text import clean


class RoundError(ValueError):
    """Round settings that break a rule; the message is shown to the organizer."""


def get_or_create_contest(slug: str, title: str, rules_text: str = "") -> Contest:
    """The contest with this slug, created if absent."""
    contest = db.session.scalar(sa.select(Contest).where(Contest.slug == slug))
    if contest is None:
        contest = Contest(slug=slug, title=clean(title), rules_text=rules_text)
        db.session.add(contest)
        db.session.flush()
    return contest


def approved_question_count(bank_id: int) -> int:
    """How many questions of the bank can be drawn."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Question).where(
        Question.bank_id == bank_id, Question.status == "approved")) or 0


def create_round(*, contest: Contest, bank: QuestionBank, name: str, opens_at: datetime,
                 closes_at: datetime, time_limit_minutes: int, question_count: int,
                 attempts_allowed: int | None) -> Round:
    """Add a round to a contest after checking its settings; the caller commits."""
    if closes_at <= opens_at:
        raise RoundError("Thời điểm đóng phải sau thời điểm mở.")
    if time_limit_minutes <= 0:
        raise RoundError("Thời gian làm bài phải lớn hơn 0 phút.")
    if question_count <= 0:
        raise RoundError("Số câu hỏi phải lớn hơn 0.")
    if attempts_allowed is not None and attempts_allowed <= 0:
        raise RoundError("Số lần thi phải lớn hơn 0 (để trống nếu không giới hạn).")
    round_ = Round(contest=contest, bank_id=bank.id, name=clean(name), opens_at=opens_at,
                   closes_at=closes_at, time_limit_seconds=time_limit_minutes * 60,
                   question_count=question_count, attempts_allowed=attempts_allowed)
    db.session.add(round_)
    db.session.flush()
    return round_


def rounds_by_state(now: datetime) -> dict[str, list[Round]]:
    """Every round grouped as open, upcoming and closed at `now`."""
    grouped: dict[str, list[Round]] = {"open": [], "upcoming": [], "closed": []}
    for round_ in db.session.scalars(sa.select(Round).order_by(Round.opens_at, Round.id)):
        grouped[round_.state_at(now)].append(round_)
    grouped["closed"].reverse()
    return grouped

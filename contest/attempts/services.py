"""The attempt engine: start, save, submit and expire, with the server's clock as the only clock."""
import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from contest.accounts.models import Role, User
from contest.attempts.models import Attempt, AttemptItem
from contest.bank.models import Question
from contest.extensions import db
from contest.leaderboards.services import record_standing
from contest.rounds.models import Round
from contest.scoring.rules import is_answer_correct


class AttemptError(Exception):
    """A request the rules refuse; the message is Vietnamese and shown to the contestant."""


def grace() -> timedelta:
    """How long after the deadline a save or submission sent in time may still arrive."""
    return timedelta(seconds=current_app.config["ATTEMPT_GRACE_SECONDS"])


def open_attempt(user_id: int, round_id: int) -> Attempt | None:
    """The contestant's attempt in progress in this round, if any."""
    return db.session.scalar(sa.select(Attempt).where(
        Attempt.user_id == user_id, Attempt.round_id == round_id, Attempt.submitted_at.is_(None)))


def attempts_used(user_id: int, round_id: int) -> int:
    """How many attempts the contestant has started in this round."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Attempt).where(
        Attempt.user_id == user_id, Attempt.round_id == round_id)) or 0


def start_attempt(user: User, round_: Round, now: datetime) -> Attempt:
    """Start (or resume) the contestant's attempt: draw the questions and shuffle their options.

    The caller commits. Limits hold under races because the database enforces them: one attempt
    in progress per contestant and round, and each attempt number once.
    """
    if user.role != Role.CONTESTANT.value:
        raise AttemptError("Chỉ thí sinh mới được dự thi; tài khoản Ban tổ chức và Ban giám khảo không dự thi.")
    if now < round_.opens_at:
        raise AttemptError("Vòng thi chưa mở.")
    if now >= round_.closes_at:
        raise AttemptError("Vòng thi đã kết thúc.")
    current = open_attempt(user.id, round_.id)
    if current is not None:
        if not expire_if_due(current, now):
            return current
    used = attempts_used(user.id, round_.id)
    if round_.attempts_allowed is not None and used >= round_.attempts_allowed:
        raise AttemptError("Bạn đã dùng hết số lần thi của vòng này.")
    question_ids = db.session.scalars(sa.select(Question.id).where(
        Question.bank_id == round_.bank_id, Question.status == "approved").order_by(Question.id)).all()
    if len(question_ids) < round_.question_count:
        raise AttemptError("Ngân hàng câu hỏi của vòng thi chưa đủ câu; vui lòng báo Ban tổ chức.")
    seed = secrets.randbits(62)
    rng = random.Random(seed)
    drawn = rng.sample(question_ids, round_.question_count)
    choice_counts = dict(db.session.execute(sa.select(
        Question.id, sa.func.json_array_length(Question.choices)).where(Question.id.in_(drawn))).all())
    attempt = Attempt(
        user_id=user.id, round_id=round_.id, number=used + 1, seed=seed, started_at=now,
        deadline_at=min(now + timedelta(seconds=round_.time_limit_seconds), round_.closes_at),
        max_score=round_.question_count,
    )
    for position, question_id in enumerate(drawn):
        order = list(range(choice_counts[question_id]))
        rng.shuffle(order)
        attempt.items.append(AttemptItem(position=position, question_id=question_id, choice_order=order))
    db.session.add(attempt)
    try:
        db.session.flush()
    except IntegrityError:
        # A parallel request (another tab, a double click) started one first: use that one.
        db.session.rollback()
        current = open_attempt(user.id, round_.id)
        if current is None:
            raise AttemptError("Yêu cầu bắt đầu bị trùng; vui lòng thử lại.")
        return current
    return attempt


@dataclass
class SaveResult:
    """What a save tells the page: the answer stored and the seconds left by the server's clock."""

    position: int
    selected: list[int]
    remaining_seconds: float


def remaining_seconds(attempt: Attempt, now: datetime) -> float:
    """Seconds until the attempt's deadline, never negative."""
    return max(0.0, (attempt.deadline_at - now).total_seconds())


def _validate_selection(item: AttemptItem, selected: list[int]) -> list[int]:
    count = len(item.choice_order)
    cleaned = sorted(set(selected))
    if any(not 0 <= position < count for position in cleaned):
        raise AttemptError("Phương án không hợp lệ.")
    return cleaned


def save_answer(attempt: Attempt, position: int, selected: list[int], now: datetime) -> SaveResult:
    """Store the answer to one question; refused once the attempt is over. The caller commits."""
    if attempt.is_submitted:
        raise AttemptError("Bài thi đã nộp; không thể thay đổi câu trả lời.")
    if now > attempt.deadline_at + grace():
        expire_if_due(attempt, now)
        raise AttemptError("Đã hết thời gian làm bài.")
    item = next((i for i in attempt.items if i.position == position), None)
    if item is None:
        raise AttemptError("Câu hỏi không thuộc bài thi này.")
    item.selected = _validate_selection(item, selected) or None
    item.answered_at = now
    return SaveResult(position=position, selected=item.selected or [],
                      remaining_seconds=remaining_seconds(attempt, now))


def submit_attempt(attempt: Attempt, now: datetime,
                   answers: dict[int, list[int]] | None = None) -> Attempt:
    """Finish the attempt and fix its score; idempotent. The caller commits.

    Answers sent with the submission count only if it arrives by the deadline plus the grace;
    the finish time is never later than the deadline.
    """
    if attempt.is_submitted:
        return attempt
    in_time = now <= attempt.deadline_at + grace()
    if answers and in_time:
        items = {item.position: item for item in attempt.items}
        for position, selected in answers.items():
            item = items.get(position)
            if item is not None:
                item.selected = _validate_selection(item, selected) or None
                item.answered_at = now
    finished_at = min(now, attempt.deadline_at)
    questions = {q.id: q for q in db.session.scalars(sa.select(Question).where(
        Question.id.in_([item.question_id for item in attempt.items])))}
    score = 0
    for item in attempt.items:
        item.is_correct = is_answer_correct(item.selected, item.choice_order,
                                            questions[item.question_id].correct)
        score += item.is_correct
    duration_ms = int((finished_at - attempt.started_at).total_seconds() * 1000)
    db.session.flush()
    # The guard on submitted_at makes a double submit, or a submit racing the expiry job, count once.
    claimed = db.session.execute(
        sa.update(Attempt).where(Attempt.id == attempt.id, Attempt.submitted_at.is_(None)).values(
            submitted_at=finished_at, score=score, duration_ms=duration_ms,
            is_auto_submitted=not in_time or now >= attempt.deadline_at,
        ).execution_options(synchronize_session=False)).rowcount
    db.session.refresh(attempt)
    if claimed:
        record_standing(attempt)
    return attempt


def expire_if_due(attempt: Attempt, now: datetime) -> bool:
    """Finalize an attempt whose deadline and grace have passed; True if it is (now) submitted."""
    if attempt.is_submitted:
        return True
    if now > attempt.deadline_at + grace():
        submit_attempt(attempt, now)
        return True
    return False


def finalize_expired(now: datetime, batch_size: int = 500) -> int:
    """Submit every attempt left open past its deadline with the answers it saved; returns how many."""
    cutoff = now - grace()
    finalized = 0
    while True:
        attempts = db.session.scalars(
            sa.select(Attempt).where(Attempt.submitted_at.is_(None), Attempt.deadline_at < cutoff)
            .order_by(Attempt.id).limit(batch_size).options(selectinload(Attempt.items))).all()
        if not attempts:
            return finalized
        for attempt in attempts:
            submit_attempt(attempt, now)
            finalized += 1
        db.session.commit()

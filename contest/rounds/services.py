"""Setting up contests and rounds."""
from datetime import datetime, timedelta

import sqlalchemy as sa

from contest.attempts.models import Attempt
from contest.bank.models import Question, QuestionBank
from contest.clock import format_datetime
from contest.extensions import db
from contest.rounds.models import Contest, Round, RoundChange
from contest.rounds.settings import COUNTING_RULES, PREDICTION_KINDS, REVIEW_POLICIES
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


ROUND_SETTINGS = ("name", "bank_id", "stream_banks", "opens_at", "closes_at", "time_limit_seconds", "question_count",
                  "attempts_allowed", "counting_rule", "quotas", "prediction_kind", "prediction_prompt",
                  "is_all_required", "review_policy")


def check_settings(values: dict) -> None:
    """Refuse settings that break a rule, with the organizer's wording."""
    if values["closes_at"] <= values["opens_at"]:
        raise RoundError("Thời điểm đóng phải sau thời điểm mở.")
    if values["time_limit_seconds"] <= 0:
        raise RoundError("Thời gian làm bài phải lớn hơn 0 phút.")
    if values["question_count"] <= 0:
        raise RoundError("Số câu hỏi phải lớn hơn 0.")
    if values["attempts_allowed"] is not None and values["attempts_allowed"] <= 0:
        raise RoundError("Số lần thi phải lớn hơn 0 (để trống nếu không giới hạn).")
    if values["counting_rule"] not in COUNTING_RULES or values["review_policy"] not in REVIEW_POLICIES \
            or (values["prediction_kind"] or "") not in PREDICTION_KINDS:
        raise RoundError("Thiết lập vòng thi không hợp lệ.")
    if sum(quota["count"] for quota in values["quotas"]) > values["question_count"]:
        raise RoundError("Tổng số câu theo định mức lớn hơn số câu của mỗi lượt thi.")


def round_settings(*, name: str, bank: QuestionBank, opens_at: datetime, closes_at: datetime,
                   time_limit_minutes: int, question_count: int, attempts_allowed: int | None,
                   counting_rule: str = "best", quotas: list[dict] | None = None,
                   prediction_kind: str | None = None, prediction_prompt: str = "",
                   is_all_required: bool = False, review_policy: str = "after_close",
                   stream_banks: dict | None = None) -> dict:
    """The stored values of a round's settings from what an organizer entered."""
    return {"name": clean(name), "bank_id": bank.id, "opens_at": opens_at, "closes_at": closes_at,
            "time_limit_seconds": time_limit_minutes * 60, "question_count": question_count,
            "attempts_allowed": attempts_allowed, "counting_rule": counting_rule, "quotas": quotas or [],
            "prediction_kind": prediction_kind or None, "prediction_prompt": clean(prediction_prompt),
            "is_all_required": is_all_required, "review_policy": review_policy,
            "stream_banks": stream_banks or {}}


def create_round(*, contest: Contest, bank: QuestionBank, name: str, opens_at: datetime,
                 closes_at: datetime, time_limit_minutes: int, question_count: int,
                 attempts_allowed: int | None, **settings) -> Round:
    """Add a round to a contest after checking its settings; the caller commits."""
    values = round_settings(name=name, bank=bank, opens_at=opens_at, closes_at=closes_at,
                            time_limit_minutes=time_limit_minutes, question_count=question_count,
                            attempts_allowed=attempts_allowed, **settings)
    check_settings(values)
    round_ = Round(contest=contest, **values)
    db.session.add(round_)
    db.session.flush()
    return round_


def has_started(round_: Round) -> bool:
    """True once any attempt exists: the round's rules are then fixed."""
    return bool(db.session.scalar(sa.select(sa.exists().where(Attempt.round_id == round_.id))))


def _shown(value) -> str:
    return format_datetime(value) if isinstance(value, datetime) else str(value)


def update_round(round_: Round, values: dict, user_id: int | None) -> list[str]:
    """Change a round's settings; once an attempt has started only a later close is accepted.

    Every change is logged with who made it. Returns the names of the settings changed. The caller
    commits.
    """
    check_settings(values)
    for name in ("opens_at", "closes_at"):
        # The form shows times to the minute: the same minute means the stored time is unchanged.
        if values[name].replace(second=0, microsecond=0) == getattr(round_, name).replace(second=0, microsecond=0):
            values[name] = getattr(round_, name)
    changed = [name for name in ROUND_SETTINGS if getattr(round_, name) != values[name]]
    if changed and has_started(round_):
        if changed != ["closes_at"]:
            raise RoundError("Vòng thi đã có người dự thi: chỉ được gia hạn thời điểm đóng.")
        if values["closes_at"] < round_.closes_at:
            raise RoundError("Vòng thi đã có người dự thi: không được rút ngắn thời điểm đóng.")
    if "closes_at" in changed and values["closes_at"] > round_.closes_at:
        # Papers in progress that the old close cut short get the time their limit allows.
        limit = timedelta(seconds=values["time_limit_seconds"])
        for attempt in db.session.scalars(sa.select(Attempt).where(
                Attempt.round_id == round_.id, Attempt.submitted_at.is_(None),
                Attempt.deadline_at == round_.closes_at)):
            attempt.deadline_at = min(attempt.started_at + limit, values["closes_at"])
    for name in changed:
        db.session.add(RoundChange(round_id=round_.id, user_id=user_id, field=name,
                                   old_value=_shown(getattr(round_, name))[:200], new_value=_shown(values[name])[:200]))
        setattr(round_, name, values[name])
    db.session.flush()
    return changed


CONTEST_SETTINGS = ("title", "slug", "rules_text", "eligible_agency_id", "streams", "overall_rule", "name_mask",
                    "agency_min_rate", "agency_formula", "agency_rate_weight", "is_one_prize_per_person")


def save_contest(contest: Contest | None, values: dict) -> Contest:
    """Create a contest, or change one; the caller commits. Slugs are unique."""
    taken = db.session.scalar(sa.select(Contest.id).where(Contest.slug == values["slug"]))
    if taken and (contest is None or taken != contest.id):
        raise RoundError("Mã cuộc thi đã được dùng.")
    if not values["streams"]:
        raise RoundError("Cần ít nhất một khối dự thi.")
    if contest is None:
        contest = Contest()
        db.session.add(contest)
    for name in CONTEST_SETTINGS:
        setattr(contest, name, values[name])
    db.session.flush()
    return contest

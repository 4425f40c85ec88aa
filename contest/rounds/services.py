"""Setting up contests and rounds."""
from datetime import datetime, timedelta

import sqlalchemy as sa

from contest.attempts.draw import shortfalls
from contest.attempts.models import Attempt
from contest.bank.models import Question, QuestionBank
from contest.clock import format_datetime
from contest.extensions import db
from contest.reviews.models import QuestionReview
from contest.rounds.models import Contest, Round, RoundChange
from contest.rounds.settings import (COUNTING_RULES, IMMEDIATE_REVIEW_REFUSED, PREDICTION_KINDS, REVIEW_POLICIES,
                                     format_quotas)
from questions.records import DIFFICULTY_LABELS
from questions.text import clean


class RoundError(ValueError):
    """Round settings that break rules: every problem, each as (the setting, the organizer's message)."""

    def __init__(self, problems: list[tuple[str, str]] | str):
        self.problems = [("", problems)] if isinstance(problems, str) else problems
        super().__init__(" ".join(message for _setting, message in self.problems))


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
                  "is_all_required", "review_policy", "is_flagged_excluded")


def settings_problems(values: dict) -> list[tuple[str, str]]:
    """Every rule the settings break, as (setting, message): all of them, not the first."""
    problems = []
    if values["closes_at"] <= values["opens_at"]:
        problems.append(("closes_at", "Thời điểm đóng phải sau thời điểm mở."))
    if values["time_limit_seconds"] <= 0:
        problems.append(("time_limit_minutes", "Thời gian làm bài phải lớn hơn 0 phút."))
    if values["question_count"] <= 0:
        problems.append(("question_count", "Số câu hỏi phải lớn hơn 0."))
    if values["attempts_allowed"] is not None and values["attempts_allowed"] <= 0:
        problems.append(("attempts_allowed", "Số lần thi phải lớn hơn 0 (để trống nếu không giới hạn)."))
    if values["counting_rule"] not in COUNTING_RULES or values["review_policy"] not in REVIEW_POLICIES \
            or (values["prediction_kind"] or "") not in PREDICTION_KINDS:
        problems.append(("", "Thiết lập vòng thi không hợp lệ."))
    if values["review_policy"] == "immediate" and values["attempts_allowed"] != 1:
        problems.append(("review_policy", IMMEDIATE_REVIEW_REFUSED))
    if sum(quota["count"] for quota in values["quotas"]) > values["question_count"]:
        problems.append(("quotas", "Tổng số câu theo định mức lớn hơn số câu của mỗi lượt thi."))
    return problems


def drawable_cells(bank_id: int, excluding_flagged: bool = True) -> dict[tuple[str, str], int]:
    """How many questions of the bank one paper can draw, by (topic, difficulty): approved and current,
    without those flagged for review when the round leaves them out, and a family counted once (no
    paper holds two of a family). Read afresh, not from the workers' draw cache."""
    flagged = sa.exists().where(QuestionReview.question_id == Question.id, QuestionReview.resolved_at.is_(None))
    rows = db.session.execute(
        sa.select(Question.topic, Question.difficulty, Question.family_id, flagged)
        .where(Question.bank_id == bank_id, Question.status == "approved", Question.replaced_by_id.is_(None))
        .order_by(Question.id))
    cells: dict[tuple[str, str], int] = {}
    families = set()
    for topic, difficulty, family, is_flagged in rows:
        if is_flagged and excluding_flagged:
            continue
        if family is not None:
            if family in families:
                continue
            families.add(family)
        cells[(topic or "", difficulty)] = cells.get((topic or "", difficulty), 0) + 1
    return cells


def bank_problems(values: dict) -> list[tuple[str, str]]:
    """Why the round's banks (its own, and each stream's) cannot fill every paper it draws."""
    problems = []
    banks = [("bank_id", None, values["bank_id"])] + [("stream_banks", stream, bank_id)
                                                       for stream, bank_id in (values["stream_banks"] or {}).items()]
    names = dict(db.session.execute(sa.select(QuestionBank.id, QuestionBank.name)).all())
    for setting, stream, bank_id in banks:
        where = f"Ngân hàng “{names.get(bank_id, bank_id)}”" + (f" (khối {stream})" if stream else "")
        cells = drawable_cells(bank_id, values.get("is_flagged_excluded", True))
        for message in shortfalls(cells, values["question_count"], values["quotas"],
                                  DIFFICULTY_LABELS):
            is_quota = message.startswith("Định mức") and setting == "bank_id"
            problems.append(("quotas" if is_quota else setting, f"{where}: {message}"))
    return problems


def check_settings(values: dict, check_bank: bool = True) -> None:
    """Refuse settings that break a rule, naming every problem at once (RoundError)."""
    problems = settings_problems(values)
    if check_bank and not any(setting in ("question_count", "quotas") for setting, _message in problems):
        problems += bank_problems(values)
    if problems:
        raise RoundError(problems)


def round_settings(*, name: str, bank: QuestionBank, opens_at: datetime, closes_at: datetime,
                   time_limit_minutes: int, question_count: int, attempts_allowed: int | None,
                   counting_rule: str = "best", quotas: list[dict] | None = None,
                   prediction_kind: str | None = None, prediction_prompt: str = "",
                   is_all_required: bool = False, review_policy: str = "after_close",
                   stream_banks: dict | None = None, is_flagged_excluded: bool = True) -> dict:
    """The stored values of a round's settings from what an organizer entered."""
    return {"name": clean(name), "bank_id": bank.id, "opens_at": opens_at, "closes_at": closes_at,
            "time_limit_seconds": time_limit_minutes * 60, "question_count": question_count,
            "attempts_allowed": attempts_allowed, "counting_rule": counting_rule, "quotas": quotas or [],
            "prediction_kind": prediction_kind or None, "prediction_prompt": clean(prediction_prompt),
            "is_all_required": is_all_required, "review_policy": review_policy,
            "stream_banks": stream_banks or {}, "is_flagged_excluded": is_flagged_excluded}


def create_round(*, contest: Contest, bank: QuestionBank, name: str, opens_at: datetime,
                 closes_at: datetime, time_limit_minutes: int, question_count: int,
                 attempts_allowed: int | None, check_bank: bool = True, **settings) -> Round:
    """Add a round to a contest after checking its settings and that its banks can fill every paper
    (check_bank=False: a round set up before its bank is loaded); the caller commits."""
    values = round_settings(name=name, bank=bank, opens_at=opens_at, closes_at=closes_at,
                            time_limit_minutes=time_limit_minutes, question_count=question_count,
                            attempts_allowed=attempts_allowed, **settings)
    check_settings(values, check_bank)
    round_ = Round(contest=contest, **values)
    db.session.add(round_)
    db.session.flush()
    return round_


def has_started(round_: Round) -> bool:
    """True once any attempt exists: the round's rules are then fixed."""
    return bool(db.session.scalar(sa.select(sa.exists().where(Attempt.round_id == round_.id))))


def shown_value(name: str, value) -> str:
    """A setting's value as the organizer reads it in the change log."""
    if isinstance(value, datetime):
        return format_datetime(value)
    if name == "bank_id":
        return db.session.scalar(sa.select(QuestionBank.name).where(QuestionBank.id == value)) or ""
    if name == "stream_banks":
        names = dict(db.session.execute(sa.select(QuestionBank.id, QuestionBank.name)).all())
        return "; ".join(f"{stream}: {names.get(bank_id, '')}" for stream, bank_id in (value or {}).items()) or "dùng chung"
    if name == "time_limit_seconds":
        return f"{value // 60} phút"
    if name == "attempts_allowed":
        return "không giới hạn" if value is None else str(value)
    if name == "quotas":
        return format_quotas(value).replace("\n", "; ") or "không có"
    labels = {"counting_rule": COUNTING_RULES, "review_policy": REVIEW_POLICIES, "prediction_kind": PREDICTION_KINDS}
    if name in labels:
        return labels[name].get(value or "", str(value))
    if isinstance(value, bool):
        return "Có" if value else "Không"
    return str(value)


def update_round(round_: Round, values: dict, user_id: int | None) -> list[str]:
    """Change a round's settings; once an attempt has started only a later close is accepted.

    Every change is logged with who made it. Returns the names of the settings changed. The caller
    commits. The banks are checked when what a paper draws changes.
    """
    draws = ("bank_id", "stream_banks", "question_count", "quotas")
    check_settings(values, check_bank=any(getattr(round_, name) != values[name] for name in draws))
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
                                   old_value=shown_value(name, getattr(round_, name))[:200],
                                   new_value=shown_value(name, values[name])[:200]))
        setattr(round_, name, values[name])
    db.session.flush()
    return changed


CONTEST_SETTINGS = ("title", "slug", "rules_text", "organizers", "eligible_agency_id", "streams", "overall_rule", "name_mask",
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

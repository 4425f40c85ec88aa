"""Reading a round's statistics: a few grouped queries each, shaped here for the page.

Scores by person come from the standings (each contestant's counted paper); the item analysis
reads every submitted paper, since each paper draws its own questions and keeping only each
person's best paper would favour the answers that made it the best.
"""
import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa

from contest.agencies.models import Agency
from contest.attempts.models import Attempt, AttemptItem
from contest.bank.models import Question
from contest.clock import display_zone
from contest.extensions import db
from contest.leaderboards.models import Standing
from contest.rounds.models import Round
from contest.scoring.rules import ParticipationFigures
from questions.records import letters

# Item analysis: the share of papers forming the upper and lower groups (Kelley's 27%).
EXTREME_GROUP_SHARE = 0.27
# A question is flagged when fewer than this share answer it right…
LOW_SHARE_CORRECT = 0.20
# …or when the upper group beats the lower group by less than this.
LOW_DISCRIMINATION = 0.10
# Below this many showings a question's figures are listed but not judged.
MIN_SHOWN_TO_JUDGE = 10
ITEM_FLAG_MESSAGE = "kiểm tra lại: có thể sai đáp án hoặc gây hiểu nhầm"
NO_AGENCY = "Chưa khai báo đơn vị"
SCORE_BANDS = ("100%", "Từ 75% đến dưới 100%", "Từ 25% đến dưới 75%", "Dưới 25% (có câu đúng)", "Không câu nào đúng")


@dataclass
class DayCount:
    """Papers submitted on one day of the display zone."""

    day: date
    papers: int


@dataclass
class ScoreCount:
    """How many contestants' counted papers have exactly `correct` right answers."""

    correct: int
    papers: int


@dataclass
class ScoreBand:
    """A band of results as organisers publish them (100%, ≥75%, 25–75%, <25%, none right)."""

    label: str
    papers: int
    share: float


@dataclass
class AgencyParticipation(ParticipationFigures):
    """A top-level agency (with everything under it): entrants against its headcount."""

    name: str
    entrants: int
    headcount: int
    score_total: int


@dataclass
class ItemStat:
    """One question's figures over the round's submitted papers."""

    question_id: int
    text: str
    correct_letters: str
    shown: int
    correct: int
    upper_shown: int
    upper_correct: int
    lower_shown: int
    lower_correct: int
    wrong_choices: Counter = field(default_factory=Counter)

    @property
    def share_correct(self) -> float:
        """Share of the papers showing the question that answered it right."""
        return self.correct / self.shown if self.shown else 0.0

    @property
    def discrimination(self) -> float | None:
        """Share right in the upper 27% of papers minus the share in the lower 27% (None if either saw none)."""
        if not self.upper_shown or not self.lower_shown:
            return None
        return self.upper_correct / self.upper_shown - self.lower_correct / self.lower_shown

    @property
    def top_wrong(self) -> tuple[str, int] | None:
        """The wrong option (letter in the question's stored order) chosen most, with its count."""
        if not self.wrong_choices:
            return None
        index, count = min(self.wrong_choices.items(), key=lambda pair: (-pair[1], pair[0]))
        return letters([index]), count

    @property
    def is_judged(self) -> bool:
        """Whether it was shown often enough for its figures to mean something."""
        return self.shown >= MIN_SHOWN_TO_JUDGE

    @property
    def flag_reasons(self) -> list[str]:
        """Why the question needs a second look (empty when it does not, or is too rarely shown)."""
        if not self.is_judged:
            return []
        reasons = []
        if self.share_correct < LOW_SHARE_CORRECT:
            reasons.append(f"tỷ lệ đúng dưới {LOW_SHARE_CORRECT:.0%}")
        if self.discrimination is not None and self.discrimination < LOW_DISCRIMINATION:
            reasons.append(f"độ phân biệt dưới {LOW_DISCRIMINATION:.1f}".replace(".", ","))
        return reasons

    @property
    def is_flagged(self) -> bool:
        """True when the question should be checked (wrong key or misleading wording)."""
        return bool(self.flag_reasons)


def _hour_bucket(column):
    """The UTC hour an instant falls in, grouped by the database (naive UTC is stored)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.func.date_trunc("hour", column)
    return sa.func.strftime("%Y-%m-%d %H:00:00", column)


def _as_utc(value) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def entries_per_day(round_: Round, now: datetime) -> list[DayCount]:
    """Papers submitted per local day, every day from the opening to today (or the close) included.

    Counted per UTC hour in SQL and moved to local days here, which holds for any zone whose
    offset is whole hours (Việt Nam: +07:00).
    """
    bucket = _hour_bucket(Attempt.submitted_at)
    grouped = db.session.execute(
        sa.select(bucket, sa.func.count()).where(Attempt.round_id == round_.id, Attempt.submitted_at.is_not(None))
        .group_by(bucket)).all()
    zone = display_zone()
    counts: Counter = Counter()
    for hour, papers in grouped:
        counts[_as_utc(hour).astimezone(zone).date()] += papers
    first = round_.opens_at.astimezone(zone).date()
    last = (min(now, round_.closes_at) - timedelta(microseconds=1)).astimezone(zone).date()
    days = set(counts)
    day = first
    while day <= last:
        days.add(day)
        day += timedelta(days=1)
    return [DayCount(day=day, papers=counts[day]) for day in sorted(days)]


def score_distribution(round_: Round) -> list[ScoreCount]:
    """Counted papers (one per contestant) by number of right answers, from 0 to the maximum."""
    grouped = dict(db.session.execute(
        sa.select(Standing.score, sa.func.count()).where(Standing.round_id == round_.id)
        .group_by(Standing.score)).all())
    top = max([round_.question_count, *grouped]) if grouped else round_.question_count
    return [ScoreCount(correct=score, papers=grouped.get(score, 0)) for score in range(top + 1)]


def band_of(correct: int, max_score: int) -> int:
    """The index in SCORE_BANDS of a result: 100%, ≥75%, 25–75%, under 25% but not zero, zero."""
    if correct == 0:
        return 4
    if correct >= max_score:
        return 0
    if correct * 4 >= max_score * 3:
        return 1
    return 2 if correct * 4 >= max_score else 3


def score_bands(distribution: list[ScoreCount], max_score: int) -> list[ScoreBand]:
    """The bands organisers publish, from a distribution by number of right answers."""
    total = sum(bucket.papers for bucket in distribution) or 1
    papers = [0] * len(SCORE_BANDS)
    for bucket in distribution:
        papers[band_of(bucket.correct, max_score)] += bucket.papers
    return [ScoreBand(label=label, papers=count, share=count / total) for label, count in zip(SCORE_BANDS, papers)]


def _top_level(agencies: list[Agency], round_: Round) -> list[Agency]:
    """The agencies a participation chart compares: the roots (or the contest's eligible agency's
    children), descending while a single agency stands alone, as a province above its departments."""
    children: dict[int | None, list[Agency]] = defaultdict(list)
    for agency in agencies:
        children[agency.parent_id].append(agency)
    eligible = round_.contest.eligible_agency_id
    if eligible:
        level = children[eligible] or [agency for agency in agencies if agency.id == eligible]
    else:
        level = children[None]
    while len(level) == 1 and children[level[0].id]:
        level = children[level[0].id]
    return level


def _path_ids(agency: Agency) -> list[int]:
    return [int(part) for part in agency.path.strip("/").split("/") if part]


def participation_by_agency(round_: Round) -> list[AgencyParticipation]:
    """Entrants (contestants with a counted paper) per top-level agency, most entrants first."""
    grouped = db.session.execute(
        sa.select(Standing.agency_id, sa.func.count(), sa.func.sum(Standing.score))
        .where(Standing.round_id == round_.id).group_by(Standing.agency_id)).all()
    agencies = db.session.scalars(sa.select(Agency)).all()
    by_id = {agency.id: agency for agency in agencies}
    tops = _top_level(agencies, round_)
    rows = {top.id: AgencyParticipation(name=top.name, entrants=0, headcount=0, score_total=0) for top in tops}
    for agency in agencies:
        top_id = next((agency_id for agency_id in _path_ids(agency) if agency_id in rows), None)
        if top_id is not None:
            rows[top_id].headcount += agency.headcount
    unassigned = AgencyParticipation(name=NO_AGENCY, entrants=0, headcount=0, score_total=0)
    extra: dict[int, AgencyParticipation] = {}
    for agency_id, count, total in grouped:
        agency = by_id.get(agency_id)
        top_id = next((candidate for candidate in _path_ids(agency) if candidate in rows), None) if agency else None
        if top_id is not None:
            target = rows[top_id]
        elif agency is not None:  # above the compared level, e.g. the province's own staff
            target = extra.setdefault(agency.id, AgencyParticipation(
                name=f"{agency.name} (trực tiếp)", entrants=0, headcount=agency.headcount, score_total=0))
        else:
            target = unassigned
        target.entrants += count
        target.score_total += int(total or 0)
    lines = [*rows.values(), *extra.values()] + ([unassigned] if unassigned.entrants else [])
    return sorted(lines, key=lambda line: (-line.entrants, line.name))


def _wrong_choices(round_id: int) -> dict[int, Counter]:
    """Stored options chosen in wrong answers, per question, from (order, selection) groups."""
    selected_text = sa.cast(AttemptItem.selected, sa.Text)
    order_text = sa.cast(AttemptItem.choice_order, sa.Text)
    grouped = db.session.execute(
        sa.select(AttemptItem.question_id, order_text, selected_text, sa.func.count())
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .where(Attempt.round_id == round_id, Attempt.submitted_at.is_not(None),
               AttemptItem.is_correct.is_(False), AttemptItem.selected.is_not(None))
        .group_by(AttemptItem.question_id, order_text, selected_text)).all()
    chosen: dict[int, Counter] = defaultdict(Counter)
    for question_id, order, selected, count in grouped:
        shown = json.loads(selected) if selected else None
        if not shown:
            continue  # blank answers stored as JSON null
        order = json.loads(order)
        for position in shown:
            chosen[question_id][order[position]] += count
    return chosen


def item_analysis(round_: Round) -> list[ItemStat]:
    """Every question shown in the round's submitted papers: flagged ones first, then hardest first."""
    submitted = sa.and_(Attempt.round_id == round_.id, Attempt.submitted_at.is_not(None))
    papers = db.session.scalar(sa.select(sa.func.count()).select_from(Attempt).where(submitted)) or 0
    if not papers:
        return []
    group_size = math.floor(papers * EXTREME_GROUP_SHARE + 0.5)
    ranked = sa.select(
        Attempt.id.label("attempt_id"),
        sa.func.row_number().over(order_by=(Attempt.score.desc(), Attempt.duration_ms, Attempt.id)).label("place"),
    ).where(submitted).subquery()
    is_right = AttemptItem.is_correct.is_(True)
    is_upper = ranked.c.place <= group_size
    is_lower = ranked.c.place > papers - group_size

    def tally(condition):
        return sa.func.sum(sa.case((condition, 1), else_=0))

    grouped = db.session.execute(
        sa.select(AttemptItem.question_id, sa.func.count(), tally(is_right), tally(is_upper),
                  tally(sa.and_(is_upper, is_right)), tally(is_lower), tally(sa.and_(is_lower, is_right)))
        .join(ranked, ranked.c.attempt_id == AttemptItem.attempt_id)
        .group_by(AttemptItem.question_id)).all()
    questions = {row.id: row for row in db.session.execute(
        sa.select(Question.id, Question.text, Question.correct).where(
            Question.id.in_([row[0] for row in grouped])))}
    wrong = _wrong_choices(round_.id)
    stats = []
    for question_id, shown, correct, upper, upper_correct, lower, lower_correct in grouped:
        question = questions[question_id]
        stats.append(ItemStat(
            question_id=question_id, text=question.text, correct_letters=letters(sorted(question.correct)),
            shown=shown, correct=int(correct or 0), upper_shown=int(upper or 0),
            upper_correct=int(upper_correct or 0), lower_shown=int(lower or 0),
            lower_correct=int(lower_correct or 0), wrong_choices=wrong.get(question_id, Counter())))
    return sorted(stats, key=lambda stat: (not stat.is_flagged, stat.share_correct, stat.question_id))

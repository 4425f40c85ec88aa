"""The agency tables: participation, scores and score bands per agency, and the collective ranking.

Figures come from the standings tables only (a round's Standing, the contest's ContestStanding),
one grouped query per table, rolled up the agency tree here: an agency's row counts the agency and
everything under it. The collective ranking ("giải tập thể") ranks agencies within their group
("khối") by the contest's formula.
"""
from dataclasses import dataclass, field
from fractions import Fraction

import sqlalchemy as sa

from contest.agencies.models import Agency
from contest.agencies.queries import agencies_in_tree_order
from contest.extensions import db
from contest.leaderboards.models import ContestStanding, Standing
from contest.prizes.models import ResultSnapshot
from contest.prizes.services import snapshot_winners
from contest.rounds.models import Contest, Round
from contest.scoring.rules import ParticipationFigures
from questions.text import vietnamese_sort_key

# The score bands organisers publish, as shares of the maximum score; they do not overlap.
BANDS = (("full", "100%"), ("high", "Từ 75% đến dưới 100%"), ("middle", "Từ 25% đến dưới 75%"),
         ("low", "Dưới 25% (có câu đúng)"), ("zero", "Không câu nào đúng"))
BAND_KEYS = tuple(key for key, _label in BANDS)
FORMULAS = {
    "rate_and_score": "trọng số × tỷ lệ tham gia + (1 − trọng số) × điểm trung bình ÷ điểm tối đa",
    "rate_plus_points": "tỷ lệ tham gia × 100 + điểm giải thưởng của thí sinh thuộc đơn vị",
}


@dataclass
class AgencyRow(ParticipationFigures):
    """One agency's figures, counting the agency and everything under it."""

    agency: Agency
    entrants: int = 0
    headcount: int = 0
    score_total: int = 0
    # The sum of the entrants' maximum scores, and the largest of them (for "7,50/10").
    max_total: int = 0
    max_score: int = 0
    # Papers per score band, by the keys of BANDS.
    band_counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BAND_KEYS, 0))
    # Points for prizes won by contestants of the agency and its subtree (rate_plus_points formula).
    prize_points: int = 0

    @property
    def score_ratio(self) -> float | None:
        """Average score ÷ maximum score (Σ score ÷ Σ maximum), or None with no entrant."""
        return self.score_total / self.max_total if self.max_total else None

    @property
    def fully_correct(self) -> int:
        """Papers with every answer right (score == max_score)."""
        return self.band_counts["full"]

    @property
    def bands(self) -> list[tuple[str, int]]:
        """(label, papers) for every score band, as organisers publish them."""
        return [(label, self.band_counts[key]) for key, label in BANDS]

    def add(self, other: "AgencyRow") -> None:
        """Add a child's figures to this row."""
        self.entrants += other.entrants
        self.headcount += other.headcount
        self.score_total += other.score_total
        self.max_total += other.max_total
        self.max_score = max(self.max_score, other.max_score)
        self.prize_points += other.prize_points
        for key in BAND_KEYS:
            self.band_counts[key] += other.band_counts[key]


def _band_conditions(score, maximum) -> list:
    """The SQL condition of each band, in BAND_KEYS order; integer arithmetic keeps boundaries exact."""
    return [sa.and_(maximum > 0, score >= maximum),
            sa.and_(score < maximum, score * 4 >= maximum * 3),
            sa.and_(score * 4 < maximum * 3, score * 4 >= maximum),
            sa.and_(score > 0, score * 4 < maximum),
            score <= 0]


def _own_figures(model, condition) -> dict[int, tuple]:
    """Per agency id, from one grouped query: entrants, Σ score, Σ max, max max, then the band counts."""
    bands = [sa.func.sum(sa.case((holds, 1), else_=0)) for holds in _band_conditions(model.score, model.max_score)]
    grouped = db.session.execute(
        sa.select(model.agency_id, sa.func.count(), sa.func.sum(model.score), sa.func.sum(model.max_score),
                  sa.func.max(model.max_score), *bands)
        .where(condition, model.agency_id.is_not(None)).group_by(model.agency_id)).all()
    return {agency_id: tuple(int(value or 0) for value in values) for agency_id, *values in grouped}


def _rolled_up(own: dict[int, tuple], prize_points: dict[int, int]) -> list[AgencyRow]:
    """Every agency in tree order with its subtree's figures."""
    agencies = agencies_in_tree_order()
    rows: dict[int, AgencyRow] = {}
    for agency in agencies:
        row = rows[agency.id] = AgencyRow(agency=agency, headcount=agency.headcount,
                                          prize_points=prize_points.get(agency.id, 0))
        if agency.id in own:
            row.entrants, row.score_total, row.max_total, row.max_score, *band_counts = own[agency.id]
            row.band_counts = dict(zip(BAND_KEYS, band_counts))
    # Children come after their parent in tree order, so walking it backwards rolls totals upward.
    for agency in reversed(agencies):
        if agency.parent_id is not None and agency.parent_id in rows:
            rows[agency.parent_id].add(rows[agency.id])
    return [rows[agency.id] for agency in agencies]


def prize_points_by_agency(round_id: int) -> dict[int, int]:
    """Prize points won in a round, by the winner's own agency id (the tables roll them up the tree).

    Read from the round's signed results only: a proposal earns an agency nothing until two judges sign.
    """
    snapshot = db.session.scalar(sa.select(ResultSnapshot).where(ResultSnapshot.round_id == round_id))
    points: dict[int, int] = {}
    for winner in snapshot_winners(snapshot) if snapshot else []:
        if winner["agency_id"] is not None:
            points[winner["agency_id"]] = points.get(winner["agency_id"], 0) + winner["points"]
    return points


def agency_table(round_id: int) -> list[AgencyRow]:
    """Every agency in tree order with its subtree's figures for a round."""
    return _rolled_up(_own_figures(Standing, Standing.round_id == round_id), prize_points_by_agency(round_id))


def contest_agency_table(contest: Contest) -> list[AgencyRow]:
    """Every agency in tree order with its subtree's figures over the whole contest."""
    points: dict[int, int] = {}
    for round_ in contest.rounds:
        for agency_id, value in prize_points_by_agency(round_.id).items():
            points[agency_id] = points.get(agency_id, 0) + value
    return _rolled_up(_own_figures(ContestStanding, ContestStanding.contest_id == contest.id), points)


@dataclass
class CollectiveEntry:
    """An agency in the collective ranking: its value and rank, or why it does not qualify."""

    row: AgencyRow
    value: Fraction | None = None
    rank: int | None = None
    reason: str = ""

    @property
    def is_qualified(self) -> bool:
        """True when the agency is ranked."""
        return self.rank is not None

    @property
    def score(self) -> float | None:
        """The formula's value, for showing."""
        return float(self.value) if self.value is not None else None


@dataclass
class CollectiveGroup:
    """The agencies of one group ("khối"), ranked separately from the other groups."""

    name: str
    entries: list[CollectiveEntry]


def collective_value(row: AgencyRow, contest: Contest) -> Fraction:
    """The contest's formula for one agency, exactly; the participation rate counts at most 100%."""
    rate = min(Fraction(row.entrants, row.headcount), Fraction(1))
    if contest.agency_formula == "rate_and_score":
        weight = Fraction(str(contest.agency_rate_weight))
        ratio = Fraction(row.score_total, row.max_total) if row.max_total else Fraction(0)
        return weight * rate + (1 - weight) * ratio
    if contest.agency_formula == "rate_plus_points":
        return rate * 100 + row.prize_points
    raise ValueError(f"unknown agency formula {contest.agency_formula!r}")


def _percent(value: float) -> str:
    return f"{value * 100:.1f}".rstrip("0").rstrip(".").replace(".", ",") + "%"


def _disqualification(row: AgencyRow, min_rate: Fraction) -> str:
    """Why an agency cannot be ranked, or "" when it can."""
    if not row.headcount:
        return "chưa có số biên chế"
    if not row.entrants:
        return "không có thí sinh"
    if Fraction(row.entrants, row.headcount) < min_rate:
        return f"tỷ lệ tham gia dưới mức tối thiểu {_percent(float(min_rate))}"
    return ""


def collective_ranking(rows: list[AgencyRow], contest: Contest) -> list[CollectiveGroup]:
    """Agencies with a group, ranked within it by the contest's formula; equal values share a rank.

    Agencies below the contest's minimum participation rate (or with no headcount or no entrant)
    are listed after the ranked ones, unranked, with the reason. Agencies without a group take no
    part: a province is not ranked against its own departments.
    """
    min_rate = Fraction(str(contest.agency_min_rate or 0))
    groups: dict[str, list[CollectiveEntry]] = {}
    for row in rows:
        if not row.agency.group_name:
            continue
        reason = _disqualification(row, min_rate)
        entry = CollectiveEntry(row=row, reason=reason,
                                value=None if reason else collective_value(row, contest))
        groups.setdefault(row.agency.group_name, []).append(entry)
    result = []
    for name in sorted(groups, key=vietnamese_sort_key):
        entries = sorted(groups[name], key=lambda e: (e.value is None, -(e.value or 0),
                                                     vietnamese_sort_key(e.row.agency.name)))
        for position, entry in enumerate(entries, start=1):
            if entry.value is None:
                break
            previous = entries[position - 2] if position > 1 else None
            entry.rank = previous.rank if previous and previous.value == entry.value else position
        result.append(CollectiveGroup(name=name, entries=entries))
    return result


@dataclass
class AgencyReport:
    """What an agency page shows: the table in tree order, and the collective ranking by group."""

    contest: Contest
    rows: list[AgencyRow]
    groups: list[CollectiveGroup]

    @property
    def band_labels(self) -> list[str]:
        """The score bands' column headings, in the order rows give their counts."""
        return [label for _key, label in BANDS]

    @property
    def formula(self) -> str:
        """The contest's collective formula, in words."""
        return FORMULAS.get(self.contest.agency_formula, self.contest.agency_formula)


def round_agency_report(round_: Round) -> AgencyReport:
    """The agency table and collective ranking of one round."""
    rows = agency_table(round_.id)
    return AgencyReport(contest=round_.contest, rows=rows, groups=collective_ranking(rows, round_.contest))


def contest_agency_report(contest: Contest) -> AgencyReport:
    """The agency table and collective ranking over the whole contest (its overall standings)."""
    rows = contest_agency_table(contest)
    return AgencyReport(contest=contest, rows=rows, groups=collective_ranking(rows, contest))


# The agency page may lag the standings by this much: participation figures can afford it.
REPORT_TTL_SECONDS = 60


"""The agency table: entrants, participation against headcount and average best score."""
from dataclasses import dataclass

import sqlalchemy as sa

from contest.agencies.models import Agency
from contest.agencies.queries import agencies_in_tree_order
from contest.extensions import db
from contest.leaderboards.models import Standing


@dataclass
class AgencyRow:
    """One agency's figures, counting the agency and everything under it."""

    agency: Agency
    entrants: int
    headcount: int
    score_total: int
    max_score: int

    @property
    def participation_rate(self) -> float | None:
        """Entrants ÷ headcount, or None when the headcount is unknown."""
        return self.entrants / self.headcount if self.headcount else None

    @property
    def average_score(self) -> float | None:
        """Mean best score of the entrants, or None with no entrant."""
        return self.score_total / self.entrants if self.entrants else None


def agency_table(round_id: int) -> list[AgencyRow]:
    """Every agency in tree order with its subtree's figures: one grouped query, rolled up here."""
    grouped = db.session.execute(
        sa.select(Standing.agency_id, sa.func.count(), sa.func.sum(Standing.score),
                  sa.func.max(Standing.max_score))
        .where(Standing.round_id == round_id).group_by(Standing.agency_id)).all()
    own = {agency_id: (count, int(total or 0), int(best or 0)) for agency_id, count, total, best in grouped}
    agencies = agencies_in_tree_order()
    rows: dict[int, AgencyRow] = {}
    for agency in agencies:
        count, total, best = own.get(agency.id, (0, 0, 0))
        rows[agency.id] = AgencyRow(agency=agency, entrants=count, headcount=agency.headcount,
                                    score_total=total, max_score=best)
    # Children come after their parent in tree order, so walking it backwards rolls totals upward.
    for agency in reversed(agencies):
        if agency.parent_id is not None and agency.parent_id in rows:
            parent, child = rows[agency.parent_id], rows[agency.id]
            parent.entrants += child.entrants
            parent.headcount += child.headcount
            parent.score_total += child.score_total
            parent.max_score = max(parent.max_score, child.max_score)
    return [rows[agency.id] for agency in agencies]

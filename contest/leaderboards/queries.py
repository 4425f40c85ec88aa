"""Reading boards from the standings table: ordered by the rank key, served by one index."""
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from contest.agencies.models import Agency
from contest.agencies.queries import subtree_condition
from contest.extensions import db
from contest.leaderboards.models import Standing

RANK_ORDER = (Standing.score.desc(), Standing.duration_ms, Standing.submitted_at, Standing.user_id)


@dataclass
class BoardRow:
    """A line of a board: the rank and the standing behind it."""

    rank: int
    standing: Standing


def _scope(query, round_id: int, agency: Agency | None):
    query = query.where(Standing.round_id == round_id)
    if agency is not None:
        query = query.where(subtree_condition(Standing.agency_path, agency))
    return query


def top_standings(round_id: int, agency: Agency | None = None, limit: int = 50) -> list[BoardRow]:
    """The best `limit` standings of a round, within an agency's subtree if one is given.

    Equal results share a rank (1, 2, 2, 4…).
    """
    standings = db.session.scalars(
        _scope(sa.select(Standing), round_id, agency).order_by(*RANK_ORDER).limit(limit)
        .options(joinedload(Standing.user), joinedload(Standing.agency))).all()
    rows: list[BoardRow] = []
    for index, standing in enumerate(standings):
        key = (standing.score, standing.duration_ms, standing.submitted_at)
        if rows and key == (rows[-1].standing.score, rows[-1].standing.duration_ms,
                            rows[-1].standing.submitted_at):
            rank = rows[-1].rank
        else:
            rank = index + 1
        rows.append(BoardRow(rank=rank, standing=standing))
    return rows


def standing_of(round_id: int, user_id: int) -> Standing | None:
    """The contestant's standing in a round, if they have submitted."""
    return db.session.get(Standing, (round_id, user_id))


def rank_of(standing: Standing, agency: Agency | None = None) -> int:
    """The standing's rank: one more than the number of strictly better standings in scope."""
    better = sa.or_(
        Standing.score > standing.score,
        sa.and_(Standing.score == standing.score, Standing.duration_ms < standing.duration_ms),
        sa.and_(Standing.score == standing.score, Standing.duration_ms == standing.duration_ms,
                Standing.submitted_at < standing.submitted_at),
    )
    query = _scope(sa.select(sa.func.count()).select_from(Standing), standing.round_id, agency)
    return (db.session.scalar(query.where(better)) or 0) + 1


def entrant_count(round_id: int, agency: Agency | None = None) -> int:
    """How many contestants have a standing in the round (within the agency's subtree)."""
    query = _scope(sa.select(sa.func.count()).select_from(Standing), round_id, agency)
    return db.session.scalar(query) or 0

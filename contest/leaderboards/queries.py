"""Reading boards from the standings tables, page by page with keyset cursors (never OFFSET).

Three orders: live (score, time, submission); final, once the round is settled and has a
prediction (score, prediction's distance, time, submission); frozen, the public board between the
round's freeze time and publication (the frozen copy of each standing).
"""
import functools
from collections.abc import Callable
from array import array
from bisect import bisect_left
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy.orm import joinedload

from contest.accounts.models import User
from contest.agencies.models import Agency
from contest.agencies.queries import subtree_condition, subtree_prefix
from contest.database import first_row
from contest.extensions import db
from contest.leaderboards.counts import BUCKET_MS, STALE_SECONDS, live_histogram, refreshed
from contest.leaderboards.models import ContestStanding, Standing
from contest.rounds.models import Contest, Round


@dataclass
class BoardRow:
    """A line of a board: the rank and the standing behind it (with the figures this view shows)."""

    rank: int
    standing: Standing | ContestStanding
    score: int
    duration_ms: int


@dataclass
class BoardPage:
    """One page of a board and the cursor of the next page (None at the end)."""

    rows: list[BoardRow]
    next_cursor: str | None
    view: str  # "live", "final", "frozen" or "contest"


def board_view(round_: Round, now: datetime, public: bool) -> str:
    """Which order a board shows: frozen for the public between freeze and publication, final once
    the round is settled with a prediction, live otherwise."""
    if public and round_.freeze_at is not None and now >= round_.freeze_at and round_.published_at is None:
        return "frozen"
    if round_.prediction_kind and round_.prediction_truth is not None:
        return "final"
    return "live"


def rank_columns(view: str, table=Standing) -> list:
    """The sort columns of a view, best first; the first is compared descending, the rest ascending."""
    if view == "frozen":
        return [Standing.frozen_score, Standing.frozen_duration_ms, Standing.frozen_submitted_at, Standing.user_id]
    if view == "final":
        return [Standing.score, Standing.prediction_error, Standing.duration_ms, Standing.submitted_at,
                Standing.user_id]
    return [table.score, table.duration_ms, table.submitted_at, table.user_id]


def _values(view: str, standing) -> list:
    """The standing's values in the view's sort columns (a round's or the contest's: the names are the same)."""
    return [getattr(standing, column.key) for column in rank_columns(view)]


def shown_figures(view: str, standing) -> tuple[int, int]:
    """The score and the time a board in this view shows for the standing."""
    values = _values(view, standing)
    return values[0], values[-3]


def _ahead_conditions(columns: list, values: list) -> list:
    """Conditions for rows with a higher score, with the equal score and strictly better keys (user id
    aside: ties share a rank), and with the equal score and before `values` in board order."""
    score, rest = columns[0], columns[1:]
    tied = score == values[0]
    return [score > values[0],
            sa.and_(tied, sa.tuple_(*rest[:-1]) < sa.tuple_(*values[1:-1])),
            sa.and_(tied, sa.tuple_(*rest) < sa.tuple_(*values[1:]))]


def _ahead_counts(table, key_column, key: int, agency: Agency | None, view: str, values: list) -> tuple[int, int]:
    """(standings ranked strictly better than `values`, standings before it in board order) in scope.

    Counted as higher scores plus the equal score's rows ahead, each an index range: one condition
    OR-ing the two would make PostgreSQL fetch and filter every row instead.
    """
    def counted(*conditions):
        return _scoped(sa.select(sa.func.count()).select_from(table), table, key_column, key, agency, view) \
            .where(*conditions).scalar_subquery()

    conditions = _ahead_conditions(rank_columns(view, table), values)
    if agency is None:
        higher, strictly, before = db.session.execute(sa.select(*(counted(holds) for holds in conditions))).one()
    else:
        # Within a subtree the path prefix is the index range: one pass over it serves all three.
        higher, strictly, before = db.session.execute(_scoped(
            sa.select(*(sa.func.count().filter(holds) for holds in conditions)).select_from(table),
            table, key_column, key, agency, view)).one()
    return higher + strictly, higher + before


def _cursor_serializer() -> URLSafeSerializer:
    """Signs page cursors: a cursor's values go into SQL, so only the server's own are taken back."""
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="board-cursor")


def _encode(values: list) -> str:
    plain = [value.isoformat() if isinstance(value, datetime) else value for value in values]
    return _cursor_serializer().dumps(plain)


def _decode(cursor: str, view: str) -> list:
    """The values of a cursor this server signed; ValueError for any other (a forged or edited ?after=)."""
    if len(cursor) > 500:
        raise ValueError("cursor too long")
    try:
        plain = _cursor_serializer().loads(cursor)
    except BadData as error:
        raise ValueError("cursor not signed by this server") from error
    columns = rank_columns(view)
    if not isinstance(plain, list) or len(plain) != len(columns):
        raise ValueError("cursor does not fit this board")
    return [datetime.fromisoformat(value) if isinstance(value, str) else value for value in plain]


def _scoped(query, table, key_column, key: int, agency: Agency | None, view: str):
    query = query.where(key_column == key)
    if agency is not None:
        query = query.where(subtree_condition(table.agency_path, agency))
    if view == "frozen":
        query = query.where(Standing.frozen_score.is_not(None))
    return query


def _reading(table, plain: bool) -> "tuple[sa.Select, Callable[[sa.Select], list]]":
    """What a page reads of each standing, and how: the ORM object with its account and agency loaded, or
    (plain) one row of the standing's columns with the account's name and the agency's current name and
    path (agency_name, agency_full_path) — a shared top's build, where fifty standings, accounts and
    agencies built as objects cost more than the rest of it."""
    if not plain:
        return sa.select(table), lambda query: db.session.scalars(
            query.options(joinedload(table.user), joinedload(table.agency))).all()
    columns = table.__table__.c
    query = sa.select(*columns, User.full_name, Agency.name.label("agency_name"),
                      Agency.path.label("agency_full_path")) \
        .select_from(table.__table__.join(User.__table__, User.id == columns.user_id)
                     .outerjoin(Agency.__table__, Agency.id == columns.agency_id))
    return query, lambda query: db.session.execute(query).all()


def _page(table, key_column, key: int, view: str, agency: Agency | None, cursor: str | None,
          limit: int, plain: bool = False) -> BoardPage:
    columns = rank_columns(view, table)
    order = [columns[0].desc(), *columns[1:]]
    reading, read = _reading(table, plain)
    query = _scoped(reading, table, key_column, key, agency, view).order_by(*order).limit(limit + 1)
    if cursor:
        values = _decode(cursor, view)
        score, rest = columns[0], columns[1:]
        # The rest of the cursor's score, then lower scores: two index ranges (an OR would filter every
        # row above the cursor, 10,000 of them 200 pages down).
        standings = read(query.where(score == values[0], sa.tuple_(*rest) > sa.tuple_(*values[1:])))
        if len(standings) <= limit:
            standings += read(query.where(score < values[0]).limit(limit + 1 - len(standings)))
    elif agency is not None and view == "live":
        # The subtree's sort keys come from the path index alone (they are INCLUDEd in it), then only the
        # page's rows are read: sorting an agency of 25,000 from the table would read 25,000 rows. On
        # PostgreSQL the keys are one array computed once (an InitPlan), not an IN the planner may run
        # again for every standing of the round when its statistics are stale — as they are while a
        # round's standings grow faster than autovacuum analyzes them (400 ms for 1,500 standings).
        keys = _scoped(sa.select(table.user_id), table, key_column, key, agency, view).order_by(*order).limit(limit + 1)
        among = table.user_id == sa.any_(sa.func.array(keys.scalar_subquery())) \
            if db.engine.dialect.name == "postgresql" else table.user_id.in_(keys)
        standings = sorted(read(reading.where(key_column == key, among)),
                           key=lambda standing: [-standing.score, *_values(view, standing)[1:]])
    else:
        standings = read(query)
    more = len(standings) > limit
    standings = standings[:limit]
    rows: list[BoardRow] = []
    if standings:
        # The first page starts at the top: nothing is ahead of its first row, no need to count.
        better, position = _ahead_counts(table, key_column, key, agency, view, _values(view, standings[0])) \
            if cursor else (0, 0)
        previous = None
        for offset, standing in enumerate(standings):
            values = _values(view, standing)
            if previous is None:
                rank = better + 1
            elif values[:-1] == previous[:-1]:
                rank = rows[-1].rank
            else:
                rank = position + offset + 1
            previous = values
            rows.append(BoardRow(rank=rank, standing=standing, score=values[0], duration_ms=values[-3]))
    next_cursor = _encode(_values(view, standings[-1])) if more and standings else None
    return BoardPage(rows=rows, next_cursor=next_cursor, view=view)


def board_page(round_: Round, view: str, agency: Agency | None = None, cursor: str | None = None,
               limit: int = 50, plain: bool = False) -> BoardPage:
    """A page of a round's board in the given view, within an agency's subtree if one is given; with `plain`,
    each row's standing is a plain row (see _reading), not an ORM object."""
    return _page(Standing, Standing.round_id, round_.id, view, agency, cursor, limit, plain)


def contest_board_page(contest_id: int, agency: Agency | None = None, cursor: str | None = None,
                       limit: int = 50) -> BoardPage:
    """A page of the contest's overall board (sum of rounds, or best round, as the contest says)."""
    page = _page(ContestStanding, ContestStanding.contest_id, contest_id, "live", agency, cursor, limit)
    page.view = "contest"
    return page


def top_standings(round_id: int, agency: Agency | None = None, limit: int = 50) -> list[BoardRow]:
    """The first page of a round's live board."""
    return board_page(db.session.get(Round, round_id), "live", agency, None, limit).rows


def _ahead_in_bucket(round_id, score, duration_ms, submitted_at) -> sa.Select:
    """The standings of the round ahead of a given one inside its own (score, second) bucket (what the
    whole country's live rank adds to the per-worker counts); the given one's values as SQL expressions:
    the columns of the row being read, or parameters."""
    other = Standing.__table__.alias("other")
    return sa.select(sa.func.count()).select_from(other).where(
        other.c.round_id == round_id, other.c.score == score,
        other.c.duration_ms >= duration_ms // BUCKET_MS * BUCKET_MS,
        sa.tuple_(other.c.duration_ms, other.c.submitted_at) < sa.tuple_(duration_ms, submitted_at))


def _read_standing(with_bucket: bool) -> sa.Select:
    """The contestant's standing in a round; with_bucket adds ahead_in_bucket (_ahead_in_bucket), counted
    in the same statement: one round trip, and the count sees the row it was read with."""
    table = Standing.__table__
    columns = list(table.c)
    if with_bucket:
        columns.append(_ahead_in_bucket(table.c.round_id, table.c.score, table.c.duration_ms, table.c.submitted_at)
                       .scalar_subquery().label("ahead_in_bucket"))
    return sa.select(*columns).where(table.c.round_id == sa.bindparam("round_id"),
                                     table.c.user_id == sa.bindparam("user_id"))


_READ_STANDING = {with_bucket: _read_standing(with_bucket) for with_bucket in (False, True)}


def standing_read(with_bucket: bool = True) -> sa.Select:
    """What standing_of sends (parameters round_id and user_id), for a page that reads it in the same round
    trip as the viewer's log-in (accounts.sessions.viewer_with)."""
    return _READ_STANDING[with_bucket]


def standing_of(round_id: int, user_id: int, with_bucket: bool = True) -> sa.Row | None:
    """The contestant's standing in a round, if they have submitted: its columns as a read-only row (the
    pages that show it read it on every request at a round's close; an ORM object cost twice as much).
    With its bucket's count (see _read_standing) unless the caller will not rank it over the whole
    country (an agency's board)."""
    return first_row(db.session, db.engine, standing_read(with_bucket), {"round_id": round_id, "user_id": user_id})


def rank_of(standing, agency: Agency | None = None, view: str = "live") -> int:
    """The standing's rank in a view: one more than the number of strictly better standings in scope."""
    if isinstance(standing, ContestStanding):
        table, key_column, key = ContestStanding, ContestStanding.contest_id, standing.contest_id
    else:
        table, key_column, key = Standing, Standing.round_id, standing.round_id
    return _ahead_counts(table, key_column, key, agency, view, _values(view, standing))[0] + 1


def entrants_and_rank(round_id: int, standing: Standing | None, agency: Agency | None,
                      view: str) -> tuple[int, int | None]:
    """How many contestants have a standing in the round within the agency's subtree, and the
    standing's rank there (None without one), exactly; one pass over the subtree for both."""
    # The frozen board still counts every entrant, not only those who had submitted by the freeze.
    if standing is None or agency is None or view == "frozen":
        return entrant_count(round_id, agency), rank_of(standing, agency, view) if standing is not None else None
    # What every viewer of an agency's board outside its shared top asks at a close: one statement per view,
    # built once (building it per request cost more than running it).
    columns = rank_columns(view)
    entrants, better = first_row(db.session, db.engine, _subtree_figures(view), {
        "round_id": round_id, "prefix": subtree_prefix(agency),
        **{column.key: value for column, value in zip(columns, _values(view, standing))}})
    return entrants, better + 1


@functools.cache
def _subtree_figures(view: str) -> sa.Select:
    """entrants_and_rank's count in a view (live or final): the subtree's entrants and those ranked strictly
    ahead of the standing whose sort values are its parameters (named as the view's columns), in one pass
    over the subtree's index range. Parameters also round_id and prefix (the subtree's path pattern)."""
    columns = rank_columns(view)
    higher, tied_better, _ = _ahead_conditions(columns, [sa.bindparam(column.key, type_=column.type)
                                                         for column in columns])
    return sa.select(sa.func.count(), sa.func.count().filter(sa.or_(higher, tied_better))).where(
        Standing.round_id == sa.bindparam("round_id", type_=sa.Integer()),
        Standing.agency_path.like(sa.bindparam("prefix", type_=sa.String())))


def entrant_count(round_id: int, agency: Agency | None = None) -> int:
    """How many contestants have a standing in the round (within the agency's subtree)."""
    return db.session.scalar(_scoped(sa.select(sa.func.count()).select_from(Standing), Standing,
                                     Standing.round_id, round_id, agency, "live")) or 0


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)


def packed_key(values) -> int | None:
    """A standing's place in a view's order as one integer, smaller ahead, from its values in the view's sort
    columns (rank_columns; the user id last, left out: ties share a rank): each value in 64 bits, the score
    first and inverted, instants in microseconds since 1970. None if a value is missing or out of range."""
    if values[0] is None:
        return None
    key = 0
    for value in [(1 << 63) - values[0], *values[1:-1]]:
        if isinstance(value, datetime):
            value = (value - _EPOCH) // _MICROSECOND
        if value is None or not 0 <= value < 1 << 64:
            return None
        key = key << 64 | value
    return key


def standing_key(view: str, standing) -> int | None:
    """packed_key of a standing (a row or an object) in a view."""
    return packed_key(_values(view, standing))


@dataclass(frozen=True)
class Ranking:
    """Every standing of an agency's subtree as of one moment, as packed keys in board order with their
    contestants: a contestant is ranked among them by a binary search, with their own figures of now."""

    keys: list[int]
    user_ids: array  # of the keys, in the same order

    def position(self, user_id: int, key: int) -> "Position":
        """The rank a contestant whose standing is now `key` takes among the others as they were (ties share a
        rank), and the entrants counting them."""
        ahead = bisect_left(self.keys, key)
        try:
            held = self.keys[self.user_ids.index(user_id)]
        except ValueError:  # not among them yet: their first paper came after
            return Position(rank=ahead + 1, entrants=len(self.keys) + 1, is_lagging=False)
        return Position(rank=ahead + (0 if held >= key else -1) + 1, entrants=len(self.keys), is_lagging=False)

    def encoded(self) -> list:
        return [self.keys, list(self.user_ids)]

    @classmethod
    def decoded(cls, fields: list) -> "Ranking":
        return cls(keys=fields[0], user_ids=array("q", fields[1]))


def subtree_ranking(round_id: int, agency: Agency, view: str, at_most: int) -> Ranking | None:
    """The Ranking of the round's standings under the agency in a view (live or final), read from the path
    index alone; None if there are more than `at_most` of them (they are counted per viewer instead)."""
    if view == "frozen":  # its entrants are not the standings it ranks
        return None
    rows = db.session.execute(_scoped(sa.select(*rank_columns(view)), Standing, Standing.round_id, round_id, agency,
                                      view).limit(at_most + 1)).all()
    if len(rows) > at_most:
        return None
    pairs = [(packed_key(row), row[-1]) for row in rows]
    if any(key is None for key, _ in pairs):
        return None
    pairs.sort()
    return Ranking(keys=[key for key, _ in pairs], user_ids=array("q", [user_id for _, user_id in pairs]))


# For a standing read without its count (an ORM object); built once (building it cost more than running it).
_AHEAD_IN_BUCKET = _ahead_in_bucket(
    sa.bindparam("round_id", type_=sa.Integer()), sa.bindparam("score", type_=sa.Integer()),
    sa.bindparam("duration_ms", type_=Standing.duration_ms.type),
    sa.bindparam("submitted_at", type_=Standing.submitted_at.type))


def live_country_figures(round_: Round, standing: Standing | None) -> tuple[int, int | None]:
    """Entrants and the standing's rank on the round's public live board at whole-country scope.

    Read from the per-worker (score, second) counts, at most counts.STALE_SECONDS old, plus an exact
    count of those ahead inside the standing's own score and second: a short index range instead of a
    scan of the whole country, read with the standing when it comes from standing_of.
    """
    round_id = round_.id
    histogram = live_histogram(round_)
    entrants = histogram.entrants
    if standing is None:
        return entrants, None
    within = getattr(standing, "ahead_in_bucket", None)  # read with the standing by standing_of
    if within is None:
        within = first_row(db.session, db.engine, _AHEAD_IN_BUCKET, {
            "round_id": round_id, "score": standing.score, "duration_ms": standing.duration_ms,
            "submitted_at": standing.submitted_at})[0]
    return max(entrants, 1), histogram.count_ahead(standing.score, standing.duration_ms) + within + 1


@dataclass
class Position:
    """Where a contestant stands on a board: rank x of y, and whether the figures may lag."""

    rank: int | None
    entrants: int
    is_lagging: bool


def in_view(standing, agency: Agency | None, view: str = "live") -> bool:
    """True if the standing (a round's or the contest's) is ranked on a board of this scope and view: under the
    agency, and on the frozen board only if it was submitted before the freeze."""
    return standing is not None and (view != "frozen" or standing.frozen_score is not None) \
        and (agency is None or standing.agency_path.startswith(agency.path))


def own_position(round_: Round, standing: Standing | None, agency: Agency | None, view: str) -> Position:
    """The standing's rank and the entrants on the round's board in this view and scope.

    The live board of the whole round reads the per-worker counts (at most counts.STALE_SECONDS
    old) instead of counting a million standings; an agency's board, the final and the frozen views
    count exactly.
    """
    in_scope = in_view(standing, agency, view)
    if view == "live" and agency is None:
        entrants, rank = live_country_figures(round_, standing if in_scope else None)
        return Position(rank=rank, entrants=entrants, is_lagging=True)
    entrants, rank = entrants_and_rank(round_.id, standing if in_scope else None, agency, view)
    return Position(rank=rank, entrants=entrants, is_lagging=False)


def contest_position(contest: Contest, standing: ContestStanding | None, agency: Agency | None) -> Position:
    """The overall standing's rank and the entrants on the contest's board in this scope; over the
    whole contest the entrants come from a count at most counts.STALE_SECONDS old."""
    def count() -> int:
        query = sa.select(sa.func.count()).select_from(ContestStanding).where(ContestStanding.contest_id == contest.id)
        if agency is not None:
            query = query.where(subtree_condition(ContestStanding.agency_path, agency))
        return db.session.scalar(query) or 0

    in_scope = in_view(standing, agency)
    rank = rank_of(standing, agency) if in_scope else None
    if agency is not None:
        return Position(rank=rank, entrants=count(), is_lagging=False)
    # The id alone can name a recreated contest, hence its creation time in the key.
    entrants = refreshed(("contest-entrants", str(db.engine.url), contest.id, contest.created_at), count, STALE_SECONDS)
    return Position(rank=rank, entrants=max(entrants, rank or 0), is_lagging=True)


def around_cursor(standing: Standing | ContestStanding, view: str, agency: Agency | None, before: int = 5) -> str | None:
    """The cursor of the page that starts `before` rows above the standing in board order (None: from
    the top), so that "Xem vị trí của tôi" shows the contestant's row among its neighbours."""
    if isinstance(standing, ContestStanding):
        table, key_column, key = ContestStanding, ContestStanding.contest_id, standing.contest_id
    else:
        table, key_column, key = Standing, Standing.round_id, standing.round_id
    columns = rank_columns(view, table)
    values = _values(view, standing)
    score, rest = columns[0], columns[1:]
    # The rows just ahead in board order, nearest first: equal score and earlier keys, then higher scores.
    reverse = [score.asc(), *(column.desc() for column in rest)]
    ahead = _scoped(sa.select(*columns), table, key_column, key, agency, view)
    found = db.session.execute(ahead.where(score == values[0], sa.tuple_(*rest) < sa.tuple_(*values[1:]))
                               .order_by(*reverse).limit(before + 1)).all()
    if len(found) <= before:
        found += db.session.execute(ahead.where(score > values[0]).order_by(*reverse)
                                    .limit(before + 1 - len(found))).all()
    if len(found) <= before:
        return None
    return _encode(list(found[before]))

"""The part of a board that is the same for every viewer, built once per short interval for the whole site.

At a round's close nearly every contestant opens a board: building its top 50 (fifty standings with
their accounts and agencies as ORM objects, then fifty table rows) once per viewer is most of a
board request's CPU. Here the first page of each (round, view, agency) is read as plain values and
its table rendered once, then served for BOARD_SHARED_SECONDS (1 s by default; 0 turns it off, as it
is under tests unless set). Only the viewer's own line — their standing and rank — is read per request.

Two levels: each worker keeps the entries it has read in memory, and the entry itself is stored in the
table shared_board_tops (UNLOGGED on PostgreSQL), so a top is built once per interval by one worker of
one instance and read by all the others — what makes agency boards pay off: with thousands of
agencies, a worker rarely sees the same agency's board twice in a second. An entry read from the
table is kept in memory only until the table's entry expires, so a top is never older than the
interval and the few milliseconds one worker takes to rebuild it (on PostgreSQL the worker that takes an
expired row's lock rebuilds it while the others serve it as it was; on SQLite, one process, it is rebuilt).
On PostgreSQL an agency's top that a worker keeps serving is rebuilt by that worker's background thread
shortly before it expires (refresh_hot_tops), so the viewers of a board read at a close find it built.

Correctness at the close: the key holds the board's view (live, frozen or final) and the round's
settled figures (the prediction's truth, publication), so the request that settles a round, and
every one after it, reads a new entry — final results are never shown from a live entry. A live
top 50 may lag the latest submission by at most the interval.
"""
import functools
import json
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask, current_app, get_template_attribute, request
from markupsafe import Markup

from contest.agencies.models import Agency
from contest.clock import clock_labels
from contest.agencies.queries import path_ids
from contest.database import dialect_insert, utcnow
from contest.extensions import db
from contest.leaderboards import refresher
from contest.leaderboards.models import SharedBoardTop
from contest.leaderboards.queries import (BoardPage, BoardRow, Position, Ranking, board_page, entrant_count,
                                          shown_figures, standing_key, subtree_ranking)
from contest.rounds.models import Contest
from contest.rounds.queries import RoundState, read_round_state

DEFAULT_SECONDS = 1.0
# An agency's top is served longer: with thousands of agencies a second-long entry is rarely read twice,
# and a viewer whose own exact rank disagrees with the entry gets it rebuilt (see SharedTop.agrees_with).
AGENCY_TOP_SECONDS = 10.0
# Agencies' names and paths change rarely (an import, a rename): a board may show them a minute old.
AGENCY_SECONDS = 60.0
# An agency's top keeps the sort keys of every standing under it when there are at most this many (56 bytes
# each in a worker's memory): a viewer outside the top 50 — two in three at a close — is ranked among them by
# a binary search instead of a count of the subtree on every request. Larger subtrees are counted.
RANKED_AT_MOST = 2000
# Agencies' tops built together (by the first viewers, or at a round's close) would expire together and be
# rebuilt in one burst every interval — fifty agencies' 7 ms each, every request queued behind them: each
# lasts a random 75–100 % of the interval instead, so the rebuilds drift apart.
EXPIRY_SPREAD = 0.25
# Beyond this many entries, those past their time are dropped (one per round, view and agency shown).
SWEEP_AT = 2000
# A worker sweeps the stored entries gone stale at most this often (seconds), not after every build: at a
# close, fifty agencies' tops built in a burst each paid a DELETE and its COMMIT for nothing to delete.
SWEEP_EVERY = 30.0
# An agency top a worker served at least HOT_READS times in its interval is rebuilt by that worker's background
# thread (refresher.py) when REFRESH_LEAD seconds or less are left, so its next viewers find it built: fifty
# agencies' tops expired while nobody read them (a quiet minute before a round's close) were otherwise all
# rebuilt by the first viewers after it, 7 ms each, every other request queued behind the burst. A top read
# less than that is left to its next viewer, as before: rebuilt ahead, it would cost more than it serves.
HOT_READS = 2
REFRESH_LEAD = 2.0

_entries: dict[tuple, tuple[float, object]] = {}
_lock = threading.Lock()
_swept_at = [float("-inf")]  # when this worker last swept the stored entries (time.monotonic())


@dataclass
class _Hot:
    """An agency top this worker serves, as its refresher sees it."""

    app: Flask
    url: tuple[str, str]  # the board's path and query, and the site's root: its table links to its next page
    stored_as: str  # its row's key in shared_board_tops
    build: Callable[[], "SharedTop"]
    due_at: float  # time.monotonic() when to look at it again
    reads: int = 0  # served since it was last found built or rebuilt


_hot: dict[tuple, _Hot] = {}  # by its key in this worker's memory


@dataclass(frozen=True)
class AgencyLine:
    """What a board shows of an agency, and the path that scopes it."""

    id: int
    name: str
    path: str


@dataclass(frozen=True)
class PersonLine:
    """What a board shows of a contestant's account."""

    full_name: str


@dataclass(frozen=True)
class StandingLine:
    """A standing as a board shows it, detached from the database session."""

    user_id: int
    max_score: int
    prediction: int | None
    prediction_error: int | None
    user: PersonLine
    agency: AgencyLine | None


def round_state(round_id: int, fresh: bool = False) -> RoundState | None:
    """The round as boards and result pages read it (None if there is none), shared for the interval: they
    may be a second behind an organizer's edit, as a board's top is. `fresh` reads it now (after settling)."""
    key = ("round", str(db.engine.url), round_id)
    if fresh:
        with _lock:
            _entries.pop(key, None)
    return _cached(key, lambda: read_round_state(round_id))


@dataclass(frozen=True)
class RoundTab:
    """A round in the board's tabs."""

    id: int
    name: str


@dataclass(frozen=True)
class SharedTop:
    """The first page of a board and its table, as every viewer sees it: rendered row by row, so a viewer
    inside the top gets the table with only their own row rendered again, marked."""

    page: BoardPage
    head_html: str
    rows_html: list[str]
    tail_html: str
    tabs: list[RoundTab]
    contest_title: str
    name_mask: str
    eligible: AgencyLine | None
    entrants: int  # in the agency's subtree when the top was built (0 for the whole round's top: not counted)
    ranking: Ranking | None = None  # every standing of a small agency's subtree when the top was built

    def position_of(self, standing) -> Position | None:
        """The place of a standing in this agency top's scope (None: no standing there) as of the top: from
        its row, if it is here with the figures it has now, else ranked with its figures of now among the
        others as the top saw them. The viewer's line is then as new as the table, and their subtree is not
        counted. None where the top cannot say (the caller counts exactly)."""
        if self.entrants <= 0:
            return None
        if standing is None:
            return Position(rank=None, entrants=self.entrants, is_lagging=False)
        for line in self.page.rows:
            if line.standing.user_id == standing.user_id:
                if (line.score, line.duration_ms) == shown_figures(self.page.view, standing):
                    return Position(rank=line.rank, entrants=max(self.entrants, line.rank), is_lagging=False)
                break
        key = standing_key(self.page.view, standing) if self.ranking is not None else None
        return self.ranking.position(standing.user_id, key) if key is not None else None

    def agrees_with(self, user_id: int, rank: int) -> bool:
        """False if the contestant's exact rank says this top shows them wrongly: at another rank, or
        missing from a page they belong on (then it is older than their own line and is rebuilt)."""
        for line in self.page.rows:
            if line.standing.user_id == user_id:
                return line.rank == rank
        return self.page.next_cursor is not None and rank > len(self.page.rows)

    @functools.cached_property
    def times(self) -> list[str]:
        """The rows' times as the table shows them (the neighbours decide a time's precision), worked out
        once per entry: a viewer in the top has their row rendered again with it."""
        return _times(self.page)

    def table_for(self, user_id: int | None) -> Markup:
        """The table with `user_id`'s row marked, if it is in it."""
        rows = list(self.rows_html)
        for index, line in enumerate(self.page.rows):
            if line.standing.user_id == user_id:
                time = self.times[index]
                rows[index] = str(_table_macro("board_row")(self.page, line, time, True, True, self.name_mask))
        return Markup("".join([self.head_html, *rows, self.tail_html]))


def _times(page: BoardPage) -> list[str]:
    return clock_labels([line.duration_ms for line in page.rows])


def _table_macro(name: str):
    """A piece of the board table (templates/leaderboards/_table.html: board_head, board_row, board_tail)."""
    return get_template_attribute("leaderboards/_table.html", name)


def interval() -> float:
    """Seconds a shared entry is served: BOARD_SHARED_SECONDS, 1 by default, 0 (off) under tests unless set."""
    configured = current_app.config.get("BOARD_SHARED_SECONDS")
    if configured is None:
        return 0.0 if current_app.testing else DEFAULT_SECONDS
    return float(configured)


def agency_interval() -> float:
    """Seconds an agency's top is served: BOARD_AGENCY_SHARED_SECONDS, else AGENCY_TOP_SECONDS (never less
    than the whole board's interval; 0 when sharing is off)."""
    shared = interval()
    if shared <= 0:
        return 0.0
    configured = current_app.config.get("BOARD_AGENCY_SHARED_SECONDS")
    return max(shared, float(configured) if configured is not None else AGENCY_TOP_SECONDS)


def _in_memory(key: tuple):
    """This worker's entry for `key` while it lasts, else None."""
    entry = _entries.get(key)
    return entry[1] if entry is not None and entry[0] > time.monotonic() else None


def _remember(key: tuple, value, seconds: float) -> None:
    now = time.monotonic()
    with _lock:
        if len(_entries) >= SWEEP_AT:
            for stale in [k for k, (expires, _) in _entries.items() if expires <= now]:
                del _entries[stale]
        _entries[key] = (now + seconds, value)


def _cached(key: tuple, build, seconds: float | None = None):
    """build()'s value for `key`, built at most once per interval (or per `seconds`) in this worker."""
    shared = interval()
    if shared <= 0:
        return build()
    value = _in_memory(key)
    if value is None:
        value = build()
        _remember(key, value, seconds or shared)
    return value


_TOPS = SharedBoardTop.__table__
_READ_TOP = sa.select(_TOPS.c.payload, _TOPS.c.expires_at).where(_TOPS.c.key == sa.bindparam("key"))
# The worker that rebuilds an entry holds its row's lock while it builds (a few milliseconds); the expiry is
# read under the lock (the refresher's rebuild ahead checks it has not been rebuilt meanwhile).
_CLAIM_TOP = sa.select(_TOPS.c.expires_at).where(_TOPS.c.key == sa.bindparam("key")).with_for_update(skip_locked=True)


def _stored_top(key: str, build, seconds: float, accepts) -> "tuple[SharedTop, float]":
    """The top stored under `key` while it lasts and `accepts` it, or build() stored there for `seconds`;
    with the seconds it has left.

    On PostgreSQL an expired entry is rebuilt by the one worker that takes its row's lock; the others serve
    it as it was for the few milliseconds that takes, instead of every worker of every instance building the
    same top at the same moment (a hundred workers: a hundred builds of the whole board each second)."""
    now = utcnow()
    row = db.session.execute(_READ_TOP, {"key": key}).first()
    is_postgres = db.engine.dialect.name == "postgresql"
    left = (row[1] - now).total_seconds() if row is not None else 0.0
    # Decoded only where it may be served: while it lasts, or on PostgreSQL while another worker rebuilds it.
    if row is not None and (left > 0 or is_postgres) and accepts(stored := _decode(row[0])):
        if left > 0:
            return stored, left
        with db.engine.connect() as claim, claim.begin():  # expired, on PostgreSQL
            if claim.execute(_CLAIM_TOP, {"key": key}).first() is None:
                return stored, 0.0  # being rebuilt: read again by the next request
            top = build()
            claim.execute(_upsert(key, now, seconds, top))
        _sweep(now, is_postgres)
        return top, seconds
    top = build()
    if is_postgres:
        # On a connection of its own, committed at once for the other workers: committing the page's session
        # would expire the round it has loaded (reading it again cost more than the write).
        with db.engine.begin() as connection:
            connection.execute(_upsert(key, now, seconds, top))
    else:  # SQLite: a second connection cannot write while this session holds the write lock
        db.session.execute(_upsert(key, now, seconds, top))
        db.session.commit()
    _sweep(now, is_postgres)
    return top, seconds


def _upsert(key: str, now, seconds: float, top: SharedTop):
    upsert = dialect_insert(_TOPS, db.engine.dialect.name).values(key=key, expires_at=now + timedelta(seconds=seconds),
                                                                  payload=_encode(top))
    return upsert.on_conflict_do_update(index_elements=[_TOPS.c.key], set_={"expires_at": upsert.excluded.expires_at,
                                                                            "payload": upsert.excluded.payload})


def _sweep(now, is_postgres: bool) -> None:
    """Drop the entries gone stale a minute ago; rows another worker holds now are left for the next sweep. On
    PostgreSQL in a transaction of its own: in the writer's, a worker refreshing an old entry and another
    sweeping it could each wait for a row the other holds. At most once per SWEEP_EVERY in a worker."""
    if time.monotonic() - _swept_at[0] < SWEEP_EVERY:
        return
    _swept_at[0] = time.monotonic()
    sweep = _TOPS.delete().where(_TOPS.c.key.in_(
        sa.select(_TOPS.c.key).where(_TOPS.c.expires_at < now - timedelta(minutes=1)).with_for_update(skip_locked=True)))
    if is_postgres:
        with db.engine.begin() as connection:
            connection.execute(sweep)
    else:
        db.session.execute(sweep)
        db.session.commit()


def _agency_line(agency: Agency) -> AgencyLine:
    return AgencyLine(agency.id, agency.name, agency.path)


def agency_line(agency_id: int) -> AgencyLine | None:
    """An agency's name and path by id (None if there is none), shared for the interval."""
    def build():
        row = db.session.execute(sa.select(Agency.id, Agency.name, Agency.path).where(Agency.id == agency_id)).first()
        return AgencyLine(*row) if row else None
    return _cached(("agency", str(db.engine.url), agency_id), build, AGENCY_SECONDS)


def agency_trail_lines(agency_id: int) -> list[AgencyLine]:
    """The agency and every agency above it, top first, shared for the interval."""
    def build():
        own = agency_line(agency_id)
        if own is None:
            return []
        ids = path_ids(own.path)
        rows = {row.id: AgencyLine(*row) for row in db.session.execute(
            sa.select(Agency.id, Agency.name, Agency.path).where(Agency.id.in_(ids)))}
        return [rows[i] for i in ids if i in rows]
    return _cached(("trail", str(db.engine.url), agency_id), build, AGENCY_SECONDS)


def _line(row: BoardRow) -> BoardRow:
    """A row of a plain page (queries.board_page(plain=True)) as the shared top keeps it."""
    standing = row.standing
    agency = AgencyLine(standing.agency_id, standing.agency_name, standing.agency_full_path) \
        if standing.agency_id is not None else None
    return BoardRow(rank=row.rank, score=row.score, duration_ms=row.duration_ms, standing=StandingLine(
        user_id=standing.user_id, max_score=standing.max_score, prediction=standing.prediction,
        prediction_error=standing.prediction_error, user=PersonLine(standing.full_name), agency=agency))


def _agency_fields(agency: AgencyLine | None) -> list | None:
    return [agency.id, agency.name, agency.path] if agency is not None else None


def _agency_from(fields: list | None) -> AgencyLine | None:
    return AgencyLine(*fields) if fields is not None else None


def _encode(top: SharedTop) -> str:
    """The entry as JSON, rows as arrays (dataclasses.asdict cost more than the rest of the build)."""
    rows = [[row.rank, row.score, row.duration_ms, row.standing.user_id, row.standing.max_score, row.standing.prediction,
             row.standing.prediction_error, row.standing.user.full_name, _agency_fields(row.standing.agency)]
            for row in top.page.rows]
    return json.dumps({"rows": rows, "next_cursor": top.page.next_cursor, "view": top.page.view,
                       "head": top.head_html, "rows_html": top.rows_html, "tail": top.tail_html,
                       "tabs": [[tab.id, tab.name] for tab in top.tabs], "title": top.contest_title,
                       "mask": top.name_mask, "eligible": _agency_fields(top.eligible), "entrants": top.entrants,
                       "ranking": top.ranking.encoded() if top.ranking is not None else None},
                      ensure_ascii=False)


def _decode(text: str) -> SharedTop:
    data = json.loads(text)
    rows = [BoardRow(rank=rank, score=score, duration_ms=duration_ms, standing=StandingLine(
        user_id=user_id, max_score=max_score, prediction=prediction, prediction_error=prediction_error,
        user=PersonLine(full_name), agency=_agency_from(agency)))
        for rank, score, duration_ms, user_id, max_score, prediction, prediction_error, full_name, agency in data["rows"]]
    return SharedTop(page=BoardPage(rows=rows, next_cursor=data["next_cursor"], view=data["view"]),
                     head_html=data["head"], rows_html=data["rows_html"], tail_html=data["tail"],
                     tabs=[RoundTab(*tab) for tab in data["tabs"]], contest_title=data["title"],
                     name_mask=data["mask"], eligible=_agency_from(data["eligible"]),
                     entrants=data.get("entrants", 0),  # 0 in an entry written before the count was kept
                     ranking=Ranking.decoded(data["ranking"]) if data.get("ranking") is not None else None)


@dataclass(frozen=True)
class ContestLine:
    """What every board of a contest shows of it: the rounds opened so far (the tabs), title, name mask, scope."""

    tabs: list[RoundTab]
    title: str
    name_mask: str
    eligible: AgencyLine | None


def contest_head(round_: RoundState) -> ContestLine:
    """The round's contest as its boards show it, read once per interval per worker (three queries: the
    contest, its rounds, its eligible agency) rather than once per board built."""
    def build() -> ContestLine:
        contest: Contest = db.session.get(Contest, round_.contest_id)
        now, eligible = utcnow(), contest.eligible_agency
        return ContestLine(tabs=[RoundTab(r.id, r.name) for r in contest.rounds if r.opens_at <= now],
                            title=contest.title, name_mask=contest.name_mask,
                            eligible=_agency_line(eligible) if eligible is not None else None)
    return _cached(("contest-head", str(db.engine.url), round_.id, round_.created_at), build)


def shared_top(round_: RoundState, view: str, agency: AgencyLine | None, limit: int, accepts=lambda top: True) -> SharedTop:
    """The first page of the round's board in this view and scope, with its table, shared for the interval
    (an agency's for agency_interval()); an entry `accepts` refuses is built again for everyone."""
    # The id alone can name a recreated round, hence its creation time; the settled figures make the
    # final board a new entry the moment the round is settled (settled_at, with or without a prediction).
    state = (round_.id, round_.created_at, view, round_.settled_at, round_.prediction_truth, round_.published_at,
             agency.id if agency else None, limit)
    key = ("round-top", str(db.engine.url), *state)

    def build() -> SharedTop:
        page = board_page(round_, view, agency, None, limit, plain=True)
        page = BoardPage(rows=[_line(row) for row in page.rows], next_cursor=page.next_cursor, view=page.view)
        head = contest_head(round_)
        times = _times(page)
        row = _table_macro("board_row")
        ranking = subtree_ranking(round_.id, agency, view, RANKED_AT_MOST) if agency is not None else None
        if ranking is not None:
            entrants = len(ranking.keys)
        else:
            entrants = entrant_count(round_.id, agency) if agency is not None else 0
        return SharedTop(
            page=page, head_html=str(_table_macro("board_head")(page, True, "Bảng xếp hạng " + round_.name)),
            rows_html=[str(row(page, line, time, False, True, head.name_mask)) for line, time in zip(page.rows, times)],
            tail_html=str(_table_macro("board_tail")(page)), tabs=head.tabs, contest_title=head.title,
            name_mask=head.name_mask, eligible=head.eligible,
            entrants=entrants, ranking=ranking)
    seconds = _lifetime(agency is not None)
    if seconds <= 0:
        return build()
    top = _in_memory(key)
    if top is None or not accepts(top):  # the stored entry, kept in memory no longer than it lasts
        top, left = _stored_top(_stored_key(state), build, seconds, accepts)
        _remember(key, top, left)
    if agency is not None and db.engine.dialect.name == "postgresql":
        _served(key, state, build)
    return top


def _stored_key(state: tuple) -> str:
    """The key of a top's row in shared_board_tops."""
    return "round-top:" + ":".join("" if part is None else str(part) for part in state)


def _lifetime(is_agency: bool) -> float:
    """Seconds a new top is stored for: the interval, or for an agency's a random 75–100 % of its own."""
    return agency_interval() * (1 - EXPIRY_SPREAD * random.random()) if is_agency else interval()


def _served(key: tuple, state: tuple, build) -> None:
    """Count a request served an agency's top (PostgreSQL), and have the refresher look after it."""
    hot = _hot.get(key)
    if hot is None:
        entry = _entries.get(key)
        due_at = (entry[0] if entry is not None else time.monotonic()) - REFRESH_LEAD
        hot = _hot.setdefault(key, _Hot(current_app._get_current_object(), (request.full_path, request.url_root),
                                        _stored_key(state), build, due_at))
        refresher.run_often("agency-tops", refresh_hot_tops)
    hot.reads += 1


def refresh_hot_tops(moment: float | None = None) -> None:
    """The refresher's task: rebuild the agency top this worker served HOT_READS times or more since it was
    built and that falls due first (REFRESH_LEAD seconds or less left), unless another worker has or is
    rebuilding it; forget the tops served less. One a tick, so that tops falling due together are rebuilt one
    after another rather than in one burst. `moment`: time.monotonic() as the tests set it."""
    moment = time.monotonic() if moment is None else moment
    for key, hot in sorted(_hot.items(), key=lambda item: item[1].due_at):
        if hot.due_at > moment:
            return
        if hot.reads < HOT_READS:
            _hot.pop(key, None)
            continue
        # The board's request as its first viewer sent it (the table's link to its next page is built from
        # it), made up here: Flask's name for that is test_request_context.
        try:
            with hot.app.test_request_context(hot.url[0], base_url=hot.url[1]):
                left = _rebuilt_if_due(hot.stored_as, key, hot.build)
        except Exception:
            _hot.pop(key, None)  # left to its next viewer, not tried again every tick (the failure is logged)
            raise
        hot.reads, hot.due_at = 0, moment + left - REFRESH_LEAD
        return


def _rebuilt_if_due(stored_as: str, key: tuple, build) -> float:
    """Rebuild the stored top if REFRESH_LEAD seconds or less are left, under its row's lock; the seconds it
    has left now. A row another worker holds is being rebuilt by it: the shortest life a top is given is
    returned for it (if that worker fails, the next viewer rebuilds, as one does a row that is gone)."""
    now = utcnow()
    with db.engine.connect() as claim, claim.begin():
        row = claim.execute(_CLAIM_TOP, {"key": stored_as}).first()
        if row is None:
            return agency_interval() * (1 - EXPIRY_SPREAD)
        left = (row[0] - now).total_seconds()
        if left > REFRESH_LEAD:
            return left
        seconds = _lifetime(True)
        top = build()
        claim.execute(_upsert(stored_as, now, seconds, top))
    _remember(key, top, seconds)
    return seconds


def clear(everywhere: bool = True) -> None:
    """Forget the shared entries this worker holds, and with `everywhere` the stored ones too (tests)."""
    with _lock:
        _entries.clear()
        _hot.clear()
        _swept_at[0] = float("-inf")
    if everywhere:
        db.session.execute(_TOPS.delete())
        db.session.commit()

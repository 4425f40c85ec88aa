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
interval (a few workers may build the same entry at once as it expires; the last write stands).

Correctness at the close: the key holds the board's view (live, frozen or final) and the round's
settled figures (the prediction's truth, publication), so the request that settles a round, and
every one after it, reads a new entry — final results are never shown from a live entry. A live
top 50 may lag the latest submission by at most the interval.
"""
import json
import threading
import time
from dataclasses import asdict, dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, get_template_attribute
from markupsafe import Markup
from sqlalchemy.dialects import postgresql, sqlite

from contest.agencies.models import Agency
from contest.clock import clock_labels
from contest.agencies.queries import path_ids
from contest.database import UTCDateTime, utcnow
from contest.extensions import db
from contest.leaderboards.models import SharedBoardTop
from contest.leaderboards.queries import BoardPage, BoardRow, board_page
from contest.rounds.models import Contest, Round

DEFAULT_SECONDS = 1.0
# Agencies' names and paths change rarely (an import, a rename): a board may show them a minute old.
AGENCY_SECONDS = 60.0
# Beyond this many entries, those past their time are dropped (one per round, view and agency shown).
SWEEP_AT = 2000

_entries: dict[tuple, tuple[float, object]] = {}
_lock = threading.Lock()


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


@dataclass(frozen=True)
class RoundTab:
    """A round in the board's tabs."""

    id: int
    name: str


@dataclass(frozen=True)
class SharedTop:
    """The first page of a board and its table, as every viewer sees it: each row rendered plain and
    marked as the viewer's own, so a viewer inside the top gets theirs marked by joining strings."""

    page: BoardPage
    head_html: str
    rows_html: list[str]
    own_rows_html: list[str]
    tail_html: str
    tabs: list[RoundTab]
    contest_title: str
    name_mask: str
    eligible: AgencyLine | None

    def table_for(self, user_id: int | None) -> Markup:
        """The table with `user_id`'s row marked, if it is in it."""
        rows = [own if row.standing.user_id == user_id else plain
                for row, plain, own in zip(self.page.rows, self.rows_html, self.own_rows_html)]
        return Markup("".join([self.head_html, *rows, self.tail_html]))


def interval() -> float:
    """Seconds a shared entry is served: BOARD_SHARED_SECONDS, 1 by default, 0 (off) under tests unless set."""
    configured = current_app.config.get("BOARD_SHARED_SECONDS")
    if configured is None:
        return 0.0 if current_app.testing else DEFAULT_SECONDS
    return float(configured)


def _cached(key: tuple, build, seconds: float | None = None):
    """build()'s value for `key`, built at most once per interval (or per `seconds`) in this worker.
    build may return (value, seconds it stays valid) instead, when it knows less time is left."""
    shared = interval()
    if shared <= 0:
        value = build()
        return value[0] if isinstance(value, _Timed) else value
    now = time.monotonic()
    entry = _entries.get(key)
    if entry is not None and entry[0] > now:
        return entry[1]
    value, seconds = build(), seconds or shared
    if isinstance(value, _Timed):
        value, seconds = value
    with _lock:
        if len(_entries) >= SWEEP_AT:
            for stale in [k for k, (expires, _) in _entries.items() if expires <= now]:
                del _entries[stale]
        _entries[key] = (now + seconds, value)
    return value


class _Timed(tuple):
    """(value, seconds left): a value that stays valid for less than the whole interval."""


_TOPS = SharedBoardTop.__table__
_READ_TOP = sa.select(_TOPS.c.payload, _TOPS.c.expires_at).where(
    _TOPS.c.key == sa.bindparam("key"), _TOPS.c.expires_at > sa.bindparam("now", type_=UTCDateTime()))


def _site_wide(key: str, build, decode, encode) -> "_Timed":
    """The entry stored under `key` while it lasts, or build() stored there for the interval."""
    seconds = interval()
    if seconds <= 0:
        return _Timed((build(), 0))
    now = utcnow()
    row = db.session.execute(_READ_TOP, {"key": key, "now": now}).first()
    if row is not None:
        return _Timed((decode(row[0]), (row[1] - now).total_seconds()))
    value = build()
    expires = now + timedelta(seconds=seconds)
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    upsert = insert(_TOPS).values(key=key, expires_at=expires, payload=encode(value))
    upsert = upsert.on_conflict_do_update(index_elements=[_TOPS.c.key],
                                          set_={"expires_at": upsert.excluded.expires_at,
                                                "payload": upsert.excluded.payload})
    # Committed at once, for the other workers (a board page writes nothing else; on SQLite a second
    # connection could not write while this session holds the write lock).
    db.session.execute(upsert)
    db.session.execute(_TOPS.delete().where(_TOPS.c.expires_at < now - timedelta(minutes=1)))
    db.session.commit()
    return _Timed((value, seconds))


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
    standing = row.standing
    agency = standing.agency
    return BoardRow(rank=row.rank, score=row.score, duration_ms=row.duration_ms, standing=StandingLine(
        user_id=standing.user_id, max_score=standing.max_score, prediction=getattr(standing, "prediction", None),
        prediction_error=getattr(standing, "prediction_error", None), user=PersonLine(standing.user.full_name),
        agency=_agency_line(agency) if agency is not None else None))


def _encode(top: SharedTop) -> str:
    return json.dumps(asdict(top), ensure_ascii=False)


def _decode(text: str) -> SharedTop:
    data = json.loads(text)

    def agency(value) -> AgencyLine | None:
        return AgencyLine(**value) if value is not None else None

    def row(value) -> BoardRow:
        standing = value["standing"]
        return BoardRow(rank=value["rank"], score=value["score"], duration_ms=value["duration_ms"],
                        standing=StandingLine(**{**standing, "user": PersonLine(**standing["user"]),
                                                 "agency": agency(standing["agency"])}))

    page = data["page"]
    return SharedTop(page=BoardPage(rows=[row(value) for value in page["rows"]], next_cursor=page["next_cursor"],
                                    view=page["view"]),
                     head_html=data["head_html"], rows_html=data["rows_html"], own_rows_html=data["own_rows_html"],
                     tail_html=data["tail_html"], tabs=[RoundTab(**tab) for tab in data["tabs"]],
                     contest_title=data["contest_title"], name_mask=data["name_mask"],
                     eligible=agency(data["eligible"]))


def shared_top(round_: Round, view: str, agency: AgencyLine | None, limit: int) -> SharedTop:
    """The first page of the round's board in this view and scope, with its table, shared for the interval."""
    # The id alone can name a recreated round, hence its creation time; the settled figures make the
    # final board a new entry the moment the round is settled (settled_at, with or without a prediction).
    state = (round_.id, round_.created_at, view, round_.settled_at, round_.prediction_truth, round_.published_at,
             agency.id if agency else None, limit)
    key = ("round-top", str(db.engine.url), *state)

    def build() -> SharedTop:
        now = utcnow()
        page = board_page(round_, view, agency, None, limit)
        page = BoardPage(rows=[_line(row) for row in page.rows], next_cursor=page.next_cursor, view=page.view)
        contest: Contest = round_.contest
        eligible = contest.eligible_agency
        head, row, tail = (get_template_attribute("leaderboards/_table.html", name)
                           for name in ("board_head", "board_row", "board_tail"))
        times = clock_labels([line.duration_ms for line in page.rows])
        rendered = {is_own: [str(row(page, line, time, is_own, True, contest.name_mask))
                             for line, time in zip(page.rows, times)] for is_own in (False, True)}
        return SharedTop(
            page=page, head_html=str(head(page, True, "Bảng xếp hạng " + round_.name)), rows_html=rendered[False],
            own_rows_html=rendered[True], tail_html=str(tail(page)),
            tabs=[RoundTab(r.id, r.name) for r in contest.rounds if r.opens_at <= now],
            contest_title=contest.title, name_mask=contest.name_mask,
            eligible=_agency_line(eligible) if eligible is not None else None)
    stored_as = "round-top:" + ":".join("" if part is None else str(part) for part in state)
    return _cached(key, lambda: _site_wide(stored_as, build, _decode, _encode))


def clear(everywhere: bool = True) -> None:
    """Forget the shared entries this worker holds, and with `everywhere` the stored ones too (tests)."""
    with _lock:
        _entries.clear()
    if everywhere:
        db.session.execute(_TOPS.delete())
        db.session.commit()

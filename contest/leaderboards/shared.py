"""The part of a board that is the same for every viewer, built once per short interval per worker.

At a round's close nearly every contestant opens a board: building its top 50 (fifty standings with
their accounts and agencies as ORM objects, then fifty table rows) once per viewer is most of a
board request's CPU. Here the first page of each (round, view, agency) is read as plain values and
its table rendered once, then served from memory for BOARD_SHARED_SECONDS (1 s by default; 0 turns
it off, as it is under tests unless set). Only the viewer's own line — their standing and rank —
is read per request.

Correctness at the close: the key holds the board's view (live, frozen or final) and the round's
settled figures (the prediction's truth, publication), so the request that settles a round, and
every one after it, reads a new entry — final results are never shown from a live entry. A live
top 50 may lag the latest submission by at most the interval.
"""
import threading
import time
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, render_template

from contest.agencies.models import Agency
from contest.agencies.queries import path_ids
from contest.database import utcnow
from contest.extensions import db
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
    """The first page of a board and its table, as every viewer sees it (no row highlighted)."""

    page: BoardPage
    table_html: str
    tabs: list[RoundTab]
    contest_title: str
    name_mask: str
    eligible: AgencyLine | None


def interval() -> float:
    """Seconds a shared entry is served: BOARD_SHARED_SECONDS, 1 by default, 0 (off) under tests unless set."""
    configured = current_app.config.get("BOARD_SHARED_SECONDS")
    if configured is None:
        return 0.0 if current_app.testing else DEFAULT_SECONDS
    return float(configured)


def _cached(key: tuple, build, seconds: float | None = None):
    """build()'s value for `key`, built at most once per interval (or per `seconds`) in this worker."""
    shared = interval()
    if shared <= 0:
        return build()
    seconds = seconds or shared
    now = time.monotonic()
    entry = _entries.get(key)
    if entry is not None and entry[0] > now:
        return entry[1]
    value = build()
    with _lock:
        if len(_entries) >= SWEEP_AT:
            for stale in [k for k, (expires, _) in _entries.items() if expires <= now]:
                del _entries[stale]
        _entries[key] = (now + seconds, value)
    return value


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


def shared_top(round_: Round, view: str, agency: AgencyLine | None, limit: int) -> SharedTop:
    """The first page of the round's board in this view and scope, with its table, shared for the interval."""
    # The id alone can name a recreated round, hence its creation time; the settled figures make the
    # final board a new entry the moment the round is settled (settled_at, with or without a prediction).
    key = ("round-top", str(db.engine.url), round_.id, round_.created_at, view, round_.settled_at, round_.prediction_truth,
           round_.published_at, agency.id if agency else None, limit)

    def build() -> SharedTop:
        now = utcnow()
        page = board_page(round_, view, agency, None, limit)
        page = BoardPage(rows=[_line(row) for row in page.rows], next_cursor=page.next_cursor, view=page.view)
        contest: Contest = round_.contest
        eligible = contest.eligible_agency
        return SharedTop(
            page=page, table_html=render_template("leaderboards/_shared_table.html", page=page, round=round_,
                                                  mask=contest.name_mask),
            tabs=[RoundTab(r.id, r.name) for r in contest.rounds if r.opens_at <= now],
            contest_title=contest.title, name_mask=contest.name_mask,
            eligible=_agency_line(eligible) if eligible is not None else None)
    return _cached(key, build)


def clear() -> None:
    """Forget every shared entry (tests that change the interval)."""
    with _lock:
        _entries.clear()

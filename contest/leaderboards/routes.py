"""Public boards: a round's and a contest's, overall and for any agency with everything under it."""
import math
from dataclasses import dataclass

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user

from contest.accounts import sessions
from contest.agencies.models import Agency
from contest.database import utcnow
from contest.extensions import db
from contest.leaderboards.counts import STALE_SECONDS
from contest.leaderboards.models import ContestStanding
from contest.leaderboards.queries import (around_cursor, board_page, board_view, contest_board_page,
                                          contest_position, in_view, own_position, standing_read)
from contest.results.services import settle_contest, settled_state
from contest.leaderboards.shared import (AgencyLine, RoundTab, agency_interval, agency_line, agency_trail_lines,
                                         contest_head, shared_top)
from contest.rounds.models import Contest

bp = Blueprint("leaderboards", __name__)


@dataclass(frozen=True)
class ContestHead:
    """What a round's board shows of its contest: the link and the title."""

    id: int
    title: str


def _agency_from_args() -> AgencyLine | None:
    agency_id = request.args.get("agency", type=int)
    if not agency_id or agency_id >= 2**31:
        return None
    return agency_line(agency_id) or abort(404)


def scopes(top: Agency | AgencyLine | None, agency: AgencyLine | None, own_agency: AgencyLine | None) -> list[AgencyLine]:
    """The agencies a board can narrow to along one line of the tree, top first, below the contest's
    own scope (`top`, its eligible agency): the viewer's agency and those above it, or the agency shown
    and those above it."""
    shown = agency if agency is not None and (own_agency is None or not own_agency.path.startswith(agency.path)) \
        else own_agency
    if shown is None:
        return []
    return [a for a in agency_trail_lines(shown.id) if top is None or (a.path.startswith(top.path) and a.id != top.id)]


def viewer_agency() -> AgencyLine | None:
    """The signed-in viewer's agency (name and path), from the shared cache rather than a query per request."""
    if not current_user.is_authenticated or current_user.agency_id is None:
        return None
    return agency_line(current_user.agency_id)


def _holds(page, user_id: int | None) -> bool:
    """True if the page shows the row of `user_id`."""
    return user_id is not None and any(row.standing.user_id == user_id for row in page.rows)


def _cursor(standing, view: str, agency: Agency | None) -> str | None:
    """The page cursor asked for: ?after=…, or the page around the viewer's own row for ?around=me."""
    if request.args.get("around") == "me" and standing is not None:
        return around_cursor(standing, view, agency, before=min(5, current_app.config["LEADERBOARD_PAGE_SIZE"] // 2))
    return request.args.get("after")


def _agrees_with_own(standing, position):
    """What a shared top must agree with for this viewer: their own exact rank (a country-wide live rank
    is an estimate, and that top lasts only a second anyway)."""
    if standing is None or position.rank is None or position.is_lagging:
        return lambda top: True
    return lambda top: top.agrees_with(standing.user_id, position.rank)


@bp.route("/rounds/<int:round_id>/leaderboard")
def board(round_id: int):
    """A page of the round's board with the viewer's own rank; ?agency=ID narrows to that subtree,
    ?around=me opens the page around the viewer's own row. The first page is shared by every viewer
    for a second, an agency's for ten (contest.leaderboards.shared); only the viewer's own line is read
    per request, and on an agency's board from its top (their row, or their rank among the standings it holds)."""
    round_ = settled_state(round_id, utcnow()) or abort(404)
    agency = _agency_from_args()
    view = board_view(round_, utcnow(), public=True)
    # The account's few columns, not the account (current_user is it now), and their standing, in one read.
    who, own = sessions.viewer_with(utcnow(), standing_read(with_bucket=agency is None), {"round_id": round_.id})
    viewer_id = who.id if who.is_authenticated else None
    size = current_app.config["LEADERBOARD_PAGE_SIZE"]
    is_first_page = set(request.args) <= {"agency"}
    # An agency's board: the viewer's line is read from its shared top (their row, or their rank among the
    # standings it holds), not counted.
    top = shared_top(round_, view, agency, size) if is_first_page and agency is not None else None
    in_scope = own if agency is not None and in_view(own, agency, view) else None
    position = (top.position_of(in_scope) if top is not None else None) or own_position(round_, own, agency, view)
    own_in_view = own if position.rank is not None else None
    cursor = _cursor(own_in_view, view, agency)
    if cursor is None and is_first_page:
        accepts = _agrees_with_own(own_in_view, position)
        if top is None or not accepts(top):
            top = shared_top(round_, view, agency, size, accepts=accepts)
            if agency is not None:  # rebuilt around the viewer's own line: read it from there
                position = top.position_of(in_scope) or position
        page, tabs, title, mask, eligible = top.page, top.tabs, top.contest_title, top.name_mask, top.eligible
        table_html = top.table_for(viewer_id)  # their own row marked, if they are in it
    else:
        try:
            page = board_page(round_, view, agency, cursor, size)
        except ValueError:
            abort(400)
        head = contest_head(round_)
        tabs, title, mask, eligible, table_html = head.tabs, head.title, head.name_mask, head.eligible, None
    return render_template(
        "leaderboards/board.html", round=round_, contest=ContestHead(round_.contest_id, title), tabs=tabs,
        agency=agency, page=page, table_html=table_html, scopes=scopes(eligible, agency, viewer_agency()),
        own=own_in_view, own_in_page=own_in_view is not None and _holds(page, viewer_id), position=position,
        mask=mask, lag_seconds=STALE_SECONDS if position.is_lagging else None,
        agency_lag=math.ceil(agency_interval()))  # agency boards (and the viewer's line on them) lag this much


@bp.route("/contests/<int:contest_id>/leaderboard")
def contest_board(contest_id: int):
    """The contest's overall board: the sum of the rounds, or each one's best round."""
    contest = db.get_or_404(Contest, contest_id)
    settle_contest(contest)  # a round's final counted papers feed the overall standings
    agency = _agency_from_args()
    who = sessions.viewer(utcnow())
    own = db.session.get(ContestStanding, (contest.id, who.id)) if who.is_authenticated else None
    position = contest_position(contest, own, agency)
    own_in_view = own if position.rank is not None else None
    try:
        page = contest_board_page(contest.id, agency, _cursor(own_in_view, "live", agency),
                                  current_app.config["LEADERBOARD_PAGE_SIZE"])
    except ValueError:
        abort(400)
    now = utcnow()
    return render_template(
        "leaderboards/board.html", round=None, contest=contest, agency=agency, page=page, table_html=None,
        tabs=[RoundTab(r.id, r.name) for r in contest.rounds if r.opens_at <= now],
        scopes=scopes(contest.eligible_agency, agency, viewer_agency()), own=own_in_view, position=position,
        own_in_page=own_in_view is not None and _holds(page, own_in_view.user_id),
        mask=contest.name_mask, lag_seconds=None)

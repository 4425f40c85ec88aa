"""Public boards: a round's and a contest's, overall and for any agency with everything under it."""
from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user

from contest.agencies.models import Agency
from contest.agencies.queries import agency_trail
from contest.database import utcnow
from contest.extensions import db
from contest.leaderboards.counts import STALE_SECONDS
from contest.leaderboards.models import ContestStanding
from contest.leaderboards.queries import (around_cursor, board_page, board_view, contest_board_page,
                                          contest_position, own_position, standing_of)
from contest.results.services import settle_contest, settled
from contest.rounds.models import Contest, Round

bp = Blueprint("leaderboards", __name__)


def _agency_from_args() -> Agency | None:
    agency_id = request.args.get("agency", type=int)
    return db.get_or_404(Agency, agency_id) if agency_id and agency_id < 2**31 else None


def scopes(contest: Contest, agency: Agency | None, own_agency: Agency | None) -> list[Agency]:
    """The agencies a board can narrow to along one line of the tree, top first, below the contest's
    own scope: the viewer's agency and those above it, or the agency shown and those above it."""
    shown = agency if agency is not None and (own_agency is None or not own_agency.path.startswith(agency.path)) \
        else own_agency
    if shown is None:
        return []
    top = contest.eligible_agency
    return [a for a in agency_trail(shown) if top is None or (a.path.startswith(top.path) and a.id != top.id)]


def _cursor(standing, view: str, agency: Agency | None) -> str | None:
    """The page cursor asked for: ?after=…, or the page around the viewer's own row for ?around=me."""
    if request.args.get("around") == "me" and standing is not None:
        return around_cursor(standing, view, agency, before=min(5, current_app.config["LEADERBOARD_PAGE_SIZE"] // 2))
    return request.args.get("after")


@bp.route("/rounds/<int:round_id>/leaderboard")
def board(round_id: int):
    """A page of the round's board with the viewer's own rank; ?agency=ID narrows to that subtree,
    ?around=me opens the page around the viewer's own row."""
    round_ = settled(db.get_or_404(Round, round_id))
    agency = _agency_from_args()
    view = board_view(round_, utcnow(), public=True)
    own = standing_of(round_.id, current_user.id) if current_user.is_authenticated else None
    position = own_position(round_, own, agency, view)
    own_in_view = own if position.rank is not None else None
    try:
        page = board_page(round_, view, agency, _cursor(own_in_view, view, agency),
                          current_app.config["LEADERBOARD_PAGE_SIZE"])
    except ValueError:
        abort(400)
    own_agency = current_user.agency if current_user.is_authenticated else None
    return render_template(
        "leaderboards/board.html", round=round_, contest=round_.contest, agency=agency, page=page,
        scopes=scopes(round_.contest, agency, own_agency), own=own_in_view, position=position,
        mask=round_.contest.name_mask, lag_seconds=STALE_SECONDS if position.is_lagging else None, now=utcnow())


@bp.route("/contests/<int:contest_id>/leaderboard")
def contest_board(contest_id: int):
    """The contest's overall board: the sum of the rounds, or each one's best round."""
    contest = db.get_or_404(Contest, contest_id)
    settle_contest(contest)  # a round's final counted papers feed the overall standings
    agency = _agency_from_args()
    own = db.session.get(ContestStanding, (contest.id, current_user.id)) if current_user.is_authenticated else None
    position = contest_position(contest, own, agency)
    own_in_view = own if position.rank is not None else None
    try:
        page = contest_board_page(contest.id, agency, _cursor(own_in_view, "live", agency),
                                  current_app.config["LEADERBOARD_PAGE_SIZE"])
    except ValueError:
        abort(400)
    own_agency = current_user.agency if current_user.is_authenticated else None
    return render_template(
        "leaderboards/board.html", round=None, contest=contest, agency=agency, page=page,
        scopes=scopes(contest, agency, own_agency), own=own_in_view, position=position,
        mask=contest.name_mask, lag_seconds=None, now=utcnow())

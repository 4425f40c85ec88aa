"""Public boards: a round's and a contest's, overall and for any agency with everything under it."""
from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user

from contest.agencies.models import Agency
from contest.attempts.services import settle_round
from contest.database import utcnow
from contest.extensions import db
from contest.leaderboards.counts import STALE_SECONDS
from contest.leaderboards.models import ContestStanding
from contest.leaderboards.queries import (board_page, board_view, contest_board_page, entrants_and_rank,
                                          live_country_figures, rank_of, standing_of)
from contest.rounds.models import Contest, Round

bp = Blueprint("leaderboards", __name__)


def _agency_from_args() -> Agency | None:
    agency_id = request.args.get("agency", type=int)
    return db.get_or_404(Agency, agency_id) if agency_id else None


def settled(round_: Round) -> Round:
    """The round, its prediction settled first if it has closed since (idempotent, commits if it did)."""
    if settle_round(round_, utcnow()):
        db.session.commit()
    return round_


@bp.route("/rounds/<int:round_id>/leaderboard")
def board(round_id: int):
    """A page of the round's board with the viewer's own rank; ?agency=ID narrows to that subtree."""
    round_ = settled(db.get_or_404(Round, round_id))
    agency = _agency_from_args()
    view = board_view(round_, utcnow(), public=True)
    try:
        page = board_page(round_, view, agency, request.args.get("after"), current_app.config["LEADERBOARD_PAGE_SIZE"])
    except ValueError:
        abort(400)
    own = standing_of(round_.id, current_user.id) if current_user.is_authenticated else None
    in_scope = own is not None and (view != "frozen" or own.frozen_score is not None) \
        and (agency is None or own.agency_path.startswith(agency.path))
    is_lagging = view == "live" and agency is None
    if is_lagging:
        # The national live board: counts at most half a minute old instead of a million-row scan.
        entrants, own_rank = live_country_figures(round_, own if in_scope else None)
    else:
        entrants, own_rank = entrants_and_rank(round_.id, own if in_scope else None, agency, view)
    return render_template(
        "leaderboards/board.html", round=round_, contest=round_.contest, agency=agency, page=page,
        own_agency=current_user.agency if current_user.is_authenticated else None,
        entrants=entrants, own=own, own_rank=own_rank, mask=round_.contest.name_mask,
        lag_seconds=STALE_SECONDS if is_lagging else None)


@bp.route("/contests/<int:contest_id>/leaderboard")
def contest_board(contest_id: int):
    """The contest's overall board: the sum of the rounds, or each one's best round."""
    contest = db.get_or_404(Contest, contest_id)
    agency = _agency_from_args()
    try:
        page = contest_board_page(contest.id, agency, request.args.get("after"),
                                  current_app.config["LEADERBOARD_PAGE_SIZE"])
    except ValueError:
        abort(400)
    own = db.session.get(ContestStanding, (contest.id, current_user.id)) if current_user.is_authenticated else None
    in_scope = own is not None and (agency is None or own.agency_path.startswith(agency.path))
    return render_template(
        "leaderboards/board.html", round=None, contest=contest, agency=agency, page=page,
        own_agency=current_user.agency if current_user.is_authenticated else None, entrants=None,
        own=own, own_rank=rank_of(own, agency) if in_scope else None, mask=contest.name_mask)

"""The round's leaderboard, overall and for the viewer's agency with its sub-agencies."""
from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from contest.agencies.models import Agency
from contest.extensions import db
from contest.leaderboards.queries import entrant_count, rank_of, standing_of, top_standings
from contest.rounds.models import Round

bp = Blueprint("leaderboards", __name__)


@bp.route("/rounds/<int:round_id>/leaderboard")
def board(round_id: int):
    """Top standings with the viewer's own rank; ?agency=ID narrows to that agency's subtree."""
    round_ = db.get_or_404(Round, round_id)
    agency = None
    agency_id = request.args.get("agency", type=int)
    if agency_id:
        agency = db.get_or_404(Agency, agency_id)
    own = standing_of(round_.id, current_user.id) if current_user.is_authenticated else None
    own_agency = current_user.agency if current_user.is_authenticated else None
    return render_template(
        "leaderboards/board.html", round=round_, agency=agency, own_agency=own_agency,
        rows=top_standings(round_.id, agency, current_app.config["LEADERBOARD_PAGE_SIZE"]),
        entrants=entrant_count(round_.id, agency), own=own,
        own_rank=rank_of(own, agency) if own and (agency is None or own.agency_path.startswith(agency.path)) else None,
    )

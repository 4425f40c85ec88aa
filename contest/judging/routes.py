"""Judges' tables: the leaderboard per agency and the agency participation table."""
import sqlalchemy as sa
from flask import Blueprint, current_app, render_template, request

from contest.accounts.access import role_required
from contest.accounts.models import Role
from contest.agencies.models import Agency
from contest.agencies.queries import agency_choices
from contest.database import utcnow
from contest.extensions import db
from contest.judging.queries import cached_round_agency_report, contest_agency_report
from contest.leaderboards.queries import board_page, board_view, entrant_count
from contest.leaderboards.routes import settled
from contest.rounds.models import Contest, Round

bp = Blueprint("judging", __name__, url_prefix="/judging")


@bp.route("/")
@role_required(Role.JUDGE, Role.ORGANIZER)
def index():
    """Rounds to judge."""
    rounds = db.session.scalars(sa.select(Round).order_by(Round.opens_at.desc())).all()
    return render_template("judging/index.html", rounds=rounds, now=utcnow())


@bp.route("/rounds/<int:round_id>/agencies")
@role_required(Role.JUDGE, Role.ORGANIZER)
def agencies(round_id: int):
    """Participation, scores and score bands for every agency in a round, and the collective ranking."""
    round_ = db.get_or_404(Round, round_id)
    return render_template("judging/agencies.html", round=round_, report=cached_round_agency_report(round_))


@bp.route("/contests/<int:contest_id>/agencies")
@role_required(Role.JUDGE, Role.ORGANIZER)
def contest_agencies(contest_id: int):
    """The agency table and collective ranking over the whole contest, from the overall standings."""
    contest = db.get_or_404(Contest, contest_id)
    return render_template("judging/contest_agencies.html", contest=contest,
                           report=contest_agency_report(contest))


@bp.route("/rounds/<int:round_id>/leaderboard")
@role_required(Role.JUDGE, Role.ORGANIZER)
def leaderboard(round_id: int):
    """The full-name leaderboard of a round, for any agency and its subtree."""
    round_ = db.get_or_404(Round, round_id)
    agency_id = request.args.get("agency", type=int)
    agency = db.get_or_404(Agency, agency_id) if agency_id else None
    return render_template(
        "judging/leaderboard.html", round=round_, agency=agency, choices=agency_choices(),
        page=board_page(settled(round_), board_view(round_, utcnow(), public=False), agency,
                        request.args.get("after"), current_app.config["LEADERBOARD_PAGE_SIZE"] * 4),
        entrants=entrant_count(round_.id, agency))

"""Judges' tables: the leaderboard per agency and the agency participation table."""
import sqlalchemy as sa
from flask import Blueprint, abort, current_app, get_template_attribute, render_template, request, url_for
from markupsafe import Markup

from contest.accounts.access import role_required
from contest.accounts.models import Role
from contest.agencies.models import Agency
from contest.agencies.queries import agency_picker
from contest.database import utcnow
from contest.extensions import db
from contest.judging.queries import REPORT_TTL_SECONDS, AgencyReport, contest_agency_report, round_agency_report
from contest.leaderboards.counts import refreshed
from contest.leaderboards.queries import board_page, board_view, entrant_count
from contest.results.services import settle_contest, settled
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
    round_ = settled(db.get_or_404(Round, round_id))
    board_url = url_for("judging.leaderboard", round_id=round_.id)
    # The id alone can name a recreated round, hence its creation time in the key; settling (or a
    # correction) moves settled_at, so the figures from before it are not served after it.
    key = ("agency-page", str(db.engine.url), round_.id, round_.created_at, round_.settled_at, board_url)
    report, table = refreshed(key, lambda: agency_page(round_id, board_url), REPORT_TTL_SECONDS)
    return render_template("judging/agencies.html", round=round_, report=report, table=table)


def agency_page(round_id: int, board_url: str) -> tuple[AgencyReport, Markup]:
    """A round's agency report with its table already rendered, for the cache.

    Computing the figures for 5,000 agencies and a million standings takes about a quarter of a
    second and rendering the 5,000 rows about as long again; a background thread of each worker
    redoes both ahead of time (counts.refreshed), so the page may lag the standings by up to
    REPORT_TTL_SECONDS and only a worker's first request waits for them.
    """
    round_ = db.session.get(Round, round_id)
    report = round_agency_report(round_)
    return report, get_template_attribute("judging/_agencies.html", "agency_table")(report, round_, board_url)


@bp.route("/contests/<int:contest_id>/agencies")
@role_required(Role.JUDGE, Role.ORGANIZER)
def contest_agencies(contest_id: int):
    """The agency table and collective ranking over the whole contest, from the overall standings."""
    contest = db.get_or_404(Contest, contest_id)
    settle_contest(contest)
    return render_template("judging/contest_agencies.html", contest=contest,
                           report=contest_agency_report(contest))


@bp.route("/rounds/<int:round_id>/leaderboard")
@role_required(Role.JUDGE, Role.ORGANIZER)
def leaderboard(round_id: int):
    """The full-name leaderboard of a round, for any agency and its subtree."""
    round_ = settled(db.get_or_404(Round, round_id))
    agency_id = request.args.get("agency", type=int)
    agency = db.get_or_404(Agency, agency_id) if agency_id and agency_id < 2**31 else None
    picker = agency_picker("agency", agency.id if agency else None, request.args.get("agency_q", ""))
    try:
        page = board_page(round_, board_view(round_, utcnow(), public=False), agency,
                          request.args.get("after"), current_app.config["LEADERBOARD_PAGE_SIZE"] * 4)
    except ValueError:  # a cursor this server did not sign
        abort(400)
    return render_template("judging/leaderboard.html", round=round_, agency=agency, picker=picker, page=page,
                           entrants=entrant_count(round_.id, agency))

"""Downloads for judges and organizers: a round's leaderboard and agency table as .xlsx or .csv."""
import io

from flask import Blueprint, request, send_file

from contest.accounts.access import role_required
from contest.accounts.models import Role
from contest.exports.tables import agencies_table, leaderboard_table
from contest.exports.writers import MIMETYPES, table_bytes
from contest.agencies.models import Agency
from contest.extensions import db
from contest.rounds.models import Round

bp = Blueprint("exports", __name__, url_prefix="/judging/rounds/<int:round_id>/export")


def _download(table, file_format: str, stem: str):
    """Send a table as an attachment that no cache keeps (it names people)."""
    response = send_file(io.BytesIO(table_bytes(table, file_format)), mimetype=MIMETYPES[file_format],
                         as_attachment=True, download_name=f"{stem}.{file_format}")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/leaderboard.<any(xlsx, csv):file_format>")
@role_required(Role.JUDGE, Role.ORGANIZER)
def leaderboard(round_id: int, file_format: str):
    """The round's leaderboard as the judges' board shows it (?agency=ID: that agency and everything
    under it): rank, name, agency, score, prediction, time, submission, what the file is."""
    round_ = db.get_or_404(Round, round_id)
    agency_id = request.args.get("agency", type=int)
    agency = db.get_or_404(Agency, agency_id) if agency_id and agency_id < 2**31 else None
    stem = f"xep-hang-vong-{round_.id}" + (f"-don-vi-{agency.id}" if agency else "")
    return _download(leaderboard_table(round_, agency), file_format, stem)


@bp.route("/agencies.<any(xlsx, csv):file_format>")
@role_required(Role.JUDGE, Role.ORGANIZER)
def agencies(round_id: int, file_format: str):
    """The round's agency table: entrants, headcount, participation rate, average score."""
    round_ = db.get_or_404(Round, round_id)
    return _download(agencies_table(round_), file_format, f"don-vi-vong-{round_.id}")

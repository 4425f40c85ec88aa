"""The integrity page of a round: flags with their evidence, for judges and organizers."""
from flask import Blueprint, render_template

from contest.accounts.access import role_required
from contest.accounts.models import Role
from contest.extensions import db
from contest.integrity import queries
from contest.rounds.models import Round

bp = Blueprint("integrity", __name__, url_prefix="/judging")


@bp.route("/rounds/<int:round_id>/integrity")
@role_required(Role.JUDGE, Role.ORGANIZER)
def round_flags(round_id: int):
    """Shared devices and addresses, hasty papers, identical papers and near-duplicate identities."""
    round_ = db.get_or_404(Round, round_id)
    return render_template(
        "integrity/round.html", round=round_, report=queries.integrity_report(round_.id),
        device_minimum=queries.DEVICE_MIN_ACCOUNTS, address_minimum=queries.ADDRESS_MIN_ACCOUNTS,
        fast_seconds=queries.FAST_MS_PER_QUESTION / 1000, fast_percent=queries.FAST_MIN_SCORE_PERCENT)

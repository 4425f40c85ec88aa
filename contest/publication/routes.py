"""Publication: the organizer publishes a signed round; the public results of a round and of a contest."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from contest.accounts.access import role_required
from contest.accounts.models import Role
from contest.certificates.services import entitlement
from contest.database import utcnow
from contest.extensions import db
from contest.forms import EmptyForm
from contest.publication.queries import contest_prizes, round_results
from contest.publication.services import PublicationError, offer_participation_certificates, publish_round
from contest.rounds.models import Contest, Round

bp = Blueprint("publication", __name__)


@bp.route("/rounds/<int:round_id>/results")
def round_page(round_id: int):
    """A published round's results for everyone: winners (names masked), agencies, the week's figures."""
    round_ = db.get_or_404(Round, round_id)
    results = round_results(round_)
    if results is None:
        return render_template("publication/unpublished.html", round=round_), 404
    own = entitlement(round_, current_user.id) if current_user.is_authenticated else None
    return render_template("publication/round.html", results=results, round=round_, own=own)


@bp.route("/contests/<int:contest_id>/results")
def contest_page(contest_id: int):
    """The contest's prizes across its published rounds."""
    contest = db.get_or_404(Contest, contest_id)
    return render_template("publication/contest.html", contest=contest, prizes=contest_prizes(contest))


@bp.route("/organizer/rounds/<int:round_id>/publish", methods=["POST"])
@role_required(Role.ORGANIZER)
def publish(round_id: int):
    """Publish the round's signed results (asked to confirm first); optionally with participation certificates."""
    round_ = db.get_or_404(Round, round_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    participation = request.form.get("participation") == "1"
    if request.form.get("confirmed") != "1":
        return render_template(
            "confirm.html", title="Công bố kết quả",
            message=f"Công bố kết quả “{round_.name}” ({round_.contest.title})? Trang kết quả công khai, bảng xếp "
                    "hạng đầy đủ và giấy chứng nhận của người đạt giải sẽ mở cho mọi người ngay.",
            note=("Mọi thí sinh đã nộp bài sẽ tải được giấy chứng nhận tham gia. " if participation else "")
                 + "Không thể hủy công bố; thao tác được ghi vào nhật ký.",
            action=url_for("publication.publish", round_id=round_.id),
            fields=[("participation", "1")] if participation else [],
            confirm_label="Công bố kết quả", cancel_url=url_for("prizes.index", round_id=round_.id))
    try:
        publish_round(round_, current_user, utcnow(), is_participation_certified=participation)
    except PublicationError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("prizes.index", round_id=round_.id))
    db.session.commit()
    flash("Đã công bố kết quả.", "success")
    return redirect(url_for("publication.round_page", round_id=round_.id))


@bp.route("/organizer/rounds/<int:round_id>/participation-certificates", methods=["POST"])
@role_required(Role.ORGANIZER)
def participation(round_id: int):
    """After publication, offer participation certificates to every contestant with a submitted paper."""
    round_ = db.get_or_404(Round, round_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        offer_participation_certificates(round_, current_user)
    except PublicationError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash("Mọi thí sinh đã nộp bài có thể tải giấy chứng nhận tham gia.", "success")
    return redirect(url_for("prizes.index", round_id=round_.id))

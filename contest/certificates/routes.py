"""Certificates: a contestant downloads their own; anyone verifies one by its code; an organizer has a
round's certificates built into one PDF by a background job and downloads it."""
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, send_file, \
    url_for
from flask_login import current_user, login_required

from contest.accounts.access import role_required
from contest.accounts.models import Role
from contest.certificates import codes
from contest.certificates.jobs import KIND, batch_dir, batch_filename, builds_of
from contest.certificates.page import FontMissing
from contest.certificates.services import CertificateError, certificate_pdf, issue_certificate, verify_code, \
    verify_link
from contest.extensions import db
from contest.forms import EmptyForm
from contest.jobs import enqueue
from contest.jobs.models import Job
from contest.publication.services import publication_of
from contest.rounds.models import Round

bp = Blueprint("certificates", __name__)


def public_url() -> str:
    """The site's public address: PUBLIC_URL, or the address this request came to."""
    return current_app.config["PUBLIC_URL"] or request.url_root.rstrip("/")


@bp.route("/certificates/rounds/<int:round_id>.pdf")
@login_required
def own_certificate(round_id: int):
    """The logged-in contestant's certificate for a published round, as a PDF (issued on first download)."""
    round_ = db.get_or_404(Round, round_id)
    try:
        certificate = issue_certificate(round_, current_user)
        db.session.commit()
        data = certificate_pdf(certificate, verify_link(public_url(), certificate.code),
                               current_app.config["CERTIFICATE_FONT_DIR"])
    except CertificateError as error:
        db.session.rollback()
        return render_template("error.html", code=403, message=str(error)), 403
    except FontMissing as error:
        current_app.logger.error("%s", error)
        return render_template("error.html", code=503, message="Chưa tạo được giấy chứng nhận lúc này: máy chủ "
                               "thiếu phông chữ. Vui lòng báo Ban tổ chức."), 503
    filename = f"giay-chung-nhan-{certificate.code}.pdf"
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "private, no-store"})


@bp.route("/verify")
def verify_form():
    """The public form: type the code printed on a certificate."""
    text = request.args.get("code", "")
    if text.strip():
        typed = "".join(character for character in codes.normalise(text) if character.isascii() and character.isalnum())
        return redirect(url_for("certificates.verify_page", code=typed[:40] or "-"))
    return render_template("certificates/verify.html", verification=None)


@bp.route("/c/<code>")
def verify_page(code: str):
    """What a code certifies: the signed record, or why the code is not a valid certificate's."""
    verification = verify_code(code[:40])
    status = 200 if verification.status == "valid" else 404
    return render_template("certificates/verify.html", verification=verification,
                           grouped=codes.grouped(verification.code)), status


@bp.route("/organizer/rounds/<int:round_id>/certificates", methods=["POST"])
@role_required(Role.ORGANIZER)
def build_batch(round_id: int):
    """Queue the build of a published round's certificates as one PDF and show the job's progress (a build
    already queued or running for the round is shown instead of starting another)."""
    round_ = db.get_or_404(Round, round_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if publication_of(round_) is None:
        flash("Vòng thi chưa công bố kết quả: chưa tạo được giấy chứng nhận.", "error")
        return redirect(url_for("prizes.index", round_id=round_.id))
    pending = next((job for job in builds_of(round_.id) if not job.is_finished), None)
    if pending is not None:
        return redirect(url_for("jobs.show", job_id=pending.id))
    job = enqueue(KIND, {"user_id": current_user.id, "round_id": round_.id, "public_url": public_url(),
                         "title": f"Tạo tệp giấy chứng nhận (PDF) — {round_.name}", "next_label": "Tải tệp PDF"},
                  current_user.id)
    db.session.commit()
    return redirect(url_for("jobs.show", job_id=job.id))


@bp.route("/organizer/certificates/batches/<int:job_id>.pdf")
@role_required(Role.ORGANIZER)
def batch_file(job_id: int):
    """The PDF a finished build wrote, streamed from CERTIFICATE_BATCH_DIR."""
    job = db.session.get(Job, job_id)
    if job is None or job.kind != KIND or job.status != "done":
        abort(404)
    round_id = job.payload["round_id"]
    path = batch_dir() / batch_filename(job.id, round_id)
    if not path.is_file():
        current_app.logger.error("certificate batch %s missing from %s (built by %s)", path.name, path.parent,
                                 job.worker)
        return render_template("error.html", code=404, message=(
            f"Không tìm thấy tệp giấy chứng nhận trên máy chủ này (tệp do máy {(job.worker or '?').split(':')[0]} "
            "tạo). Hãy tạo lại tệp ở trang Xét giải của vòng thi, hoặc báo quản trị viên kiểm tra thư mục dùng "
            "chung CERTIFICATE_BATCH_DIR.")), 404
    response = send_file(path, mimetype="application/pdf", as_attachment=True,
                         download_name=f"giay-chung-nhan-vong-{round_id}.pdf", max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response

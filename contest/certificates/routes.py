"""Certificates: a contestant downloads their own; anyone verifies one by its code."""
from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from contest.certificates import codes
from contest.certificates.page import FontMissing
from contest.certificates.services import CertificateError, certificate_pdf, issue_certificate, verify_code, \
    verify_link
from contest.extensions import db
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

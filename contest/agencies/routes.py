"""The agency picker's search, and the organizer's agencies page: the tree, its headcounts and groups,
loaded from a spreadsheet (checked first, then confirmed) and downloaded for editing."""
import io
from pathlib import Path

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from contest.accounts.access import role_required
from contest.accounts.models import Role
from contest.agencies.forms import AgencyUploadForm
from contest.agencies.models import Agency
from contest.agencies.queries import PICKER_LIMIT, agencies_in_tree_order, agency_list_table, search_agencies
from contest.agencies.services import AgencyImportReport, import_agency_file
from contest.audit.services import record
from contest.bank.imports import held_upload, hold_upload
from contest.exports.writers import MIMETYPES, table_bytes
from contest.extensions import db
from contest.forms import EmptyForm
from questions.records import ImportFailed

bp = Blueprint("agencies", __name__)
UPLOAD_KIND = "agencies"


@bp.route("/agencies/search")
def search():
    """Agencies whose name holds the typed words (diacritics ignored), with the agencies above them."""
    within = db.session.get(Agency, request.args.get("within", type=int) or 0)
    matches, more = search_agencies(request.args.get("q", "")[:200], within, PICKER_LIMIT)
    response = jsonify(agencies=[{"id": m.id, "name": m.name, "trail": m.trail_text} for m in matches], more=more)
    response.headers["Cache-Control"] = "private, max-age=60"
    return response


@bp.route("/organizer/agencies", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def organizer_agencies():
    """The agency tree; an uploaded list is checked and its changes shown before anything is stored."""
    form = AgencyUploadForm()
    report: AgencyImportReport | None = None
    issues: list = []
    token = filename = None
    if form.validate_on_submit():
        filename = Path(form.file.data.filename or "don-vi.xlsx").name
        data = form.file.data.read()
        try:
            report = import_agency_file(filename, data)
        except ImportFailed as failure:
            issues = failure.issues
        db.session.rollback()  # the check stores nothing
        if report is not None:
            token = hold_upload(current_user.id, filename, "", data, kind=UPLOAD_KIND)
            db.session.commit()
    return render_template("agencies/organizer.html", form=form, agencies=agencies_in_tree_order(),
                           report=report, issues=issues, token=token, filename=filename,
                           confirm_form=EmptyForm())


@bp.route("/organizer/agencies/confirm", methods=["POST"])
@role_required(Role.ORGANIZER)
def confirm():
    """Store the agency list checked a moment ago."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    pending = held_upload(current_user.id, request.form.get("token", ""), kind=UPLOAD_KIND)
    if pending is None:
        flash("Phiên nhập đã hết hạn; vui lòng tải tệp lên lại.", "error")
        return redirect(url_for("agencies.organizer_agencies"))
    try:
        report = import_agency_file(pending.filename, pending.data)
    except ImportFailed as failure:
        db.session.rollback()
        flash(f"Không nhập được: {failure}", "error")
        return redirect(url_for("agencies.organizer_agencies"))
    db.session.delete(pending)
    record(current_user.id, "agencies.import", "agency", None, file=pending.filename,
           created=len(report.created), updated=len(report.updated), moved=len(report.moved))
    db.session.commit()
    flash(f"Đã thêm {len(report.created)} đơn vị, cập nhật {len(report.updated)} đơn vị"
          f"{f', chuyển cấp trên của {len(report.moved)} đơn vị' if report.moved else ''}.", "success")
    return redirect(url_for("agencies.organizer_agencies"))


@bp.route("/organizer/agencies/danh-sach-don-vi.<any(xlsx, csv):file_format>")
@role_required(Role.ORGANIZER)
def download(file_format: str):
    """The agency list as the import reads it, to edit headcounts and groups and load it back."""
    return send_file(io.BytesIO(table_bytes(agency_list_table(), file_format)), mimetype=MIMETYPES[file_format],
                     as_attachment=True, download_name=f"danh-sach-don-vi.{file_format}")

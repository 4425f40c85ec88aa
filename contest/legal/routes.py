"""The organizer's legal documents: upload, read article by article, mark replaced, retire, draft."""
from datetime import date, datetime
from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from contest.accounts.access import role_required
from contest.accounts.models import Role
from contest.bank.imports import hold_upload
from contest.bank.queries import questions_citing
from contest.bank.services import DEFAULT_BANK, import_questions, retire_questions_citing
from contest.clock import display_zone
from contest.database import utcnow
from contest.extensions import db
from contest.forms import EmptyForm, options
from contest.jobs import enqueue
from contest.legal.forms import DocumentForm, StatusForm, UploadForm
from contest.legal.jobs import UPLOAD_KIND
from contest.legal.models import DOCUMENT_STATUSES, LegalDocument
from contest.legal.queries import all_documents, question_counts_by_document, questions_by_article
from contest.legal.services import LegalError, change_document_status, draft_sources, update_document
from contest.reviews.services import follow_date_change
from contest.legal.queries import amendments_made_by, changes_view
from contest.audit.services import record
from questions.amendments import ACTIONS
from questions.drafting import draft_questions
from questions.legal_readers import UnreadableLegalText, read_legal_bytes
from questions.records import STATUS_LABELS
from questions.text import clean

bp = Blueprint("legal", __name__, url_prefix="/organizer/legal")


@bp.route("/", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def index():
    """The documents, and an upload form that parses a new one."""
    form = UploadForm()
    if form.validate_on_submit():
        filename = Path(form.file.data.filename or "van-ban").name
        try:
            text = read_legal_bytes(form.file.data.read(), filename)
        except UnreadableLegalText as error:
            form.file.errors.append(str(error))
        else:
            # Parsing and storing run in a jobs worker: a long code with its amendments would hold this request.
            token = hold_upload(current_user.id, filename, form.number.data or "", text.encode("utf-8"),
                                kind=UPLOAD_KIND)
            job = enqueue("legal.import", {"user_id": current_user.id, "token": token,
                                           "title": f"Nhập văn bản “{filename}”"}, current_user.id)
            db.session.commit()
            return redirect(url_for("jobs.show", job_id=job.id))
    return render_template("legal/index.html", form=form, documents=all_documents(),
                           counts=question_counts_by_document(), statuses=DOCUMENT_STATUSES)


def _status_form(document: LegalDocument) -> StatusForm:
    form = StatusForm(status=document.status, replaced_by_id=document.replaced_by_id or 0)
    form.replaced_by_id.choices = options([(0, "—")] + [(d.id, d.display_name) for d in all_documents()
                                                         if d.id != document.id])
    return form


@bp.route("/<int:document_id>")
@role_required(Role.ORGANIZER)
def document(document_id: int):
    """The text article by article, with the questions that cite each article."""
    document = db.get_or_404(LegalDocument, document_id)
    meta = DocumentForm(obj=document)
    meta.issued_on.data = document.issued_on.strftime("%d/%m/%Y") if document.issued_on else ""
    meta.effective_on.data = document.effective_on.strftime("%d/%m/%Y") if document.effective_on else ""
    as_of = _date_arg(request.args.get("ngay", "")) or utcnow().astimezone(display_zone()).date()
    return render_template("legal/document.html", document=document, meta_form=meta,
                           status_form=_status_form(document), action_form=EmptyForm(),
                           by_article=questions_by_article(document), statuses=DOCUMENT_STATUSES,
                           view=changes_view(document, as_of), made=amendments_made_by(document),
                           actions=ACTIONS, date_arg=request.args.get("ngay", ""),
                           question_statuses=STATUS_LABELS)


def _date_arg(value: str) -> date | None:
    """A dd/mm/yyyy date from the address, or None when absent or malformed."""
    try:
        return datetime.strptime(value.strip()[:10], "%d/%m/%Y").date()
    except ValueError:
        return None


@bp.route("/<int:document_id>/meta", methods=["POST"])
@role_required(Role.ORGANIZER)
def update_meta(document_id: int):
    """Save corrected metadata."""
    document = db.get_or_404(LegalDocument, document_id)
    form = DocumentForm()
    if form.validate_on_submit():
        update_document(document, kind=form.kind.data, title=form.title.data, issuer=form.issuer.data,
                        issued_on=form.issued_on.date, effective_on=form.effective_on.date)
        flagged = follow_date_change(document)
        record(current_user.id, "legal.edit", "legal_document", document.id, flagged=flagged)
        db.session.commit()
        flash("Đã lưu thông tin văn bản.", "success")
    else:
        flash(" ".join(error for errors in form.errors.values() for error in errors), "error")
    return redirect(url_for("legal.document", document_id=document.id))


@bp.route("/<int:document_id>/status", methods=["POST"])
@role_required(Role.ORGANIZER)
def update_status(document_id: int):
    """Mark the document in force, amended or replaced."""
    document = db.get_or_404(LegalDocument, document_id)
    form = _status_form(document)
    if form.validate_on_submit():
        replaced_by = db.session.get(LegalDocument, form.replaced_by_id.data) if form.replaced_by_id.data else None
        try:
            change_document_status(document, form.status.data, changed_on=form.changed_on.date,
                                   replaced_by=replaced_by)
        except LegalError as error:
            flash(str(error), "error")
        else:
            record(current_user.id, "legal.status", "legal_document", document.id, status=document.status,
                   replaced_by=document.replaced_by_id, changed_on=document.status_changed_on)
            db.session.commit()
            flash(f"Đã ghi nhận: {DOCUMENT_STATUSES[document.status]}.", "success")
    else:
        flash(" ".join(error for errors in form.errors.values() for error in errors), "error")
    return redirect(url_for("legal.document", document_id=document.id))


@bp.route("/<int:document_id>/retire", methods=["POST"])
@role_required(Role.ORGANIZER)
def retire(document_id: int):
    """Retire, in one action, every question resting on the document (or on one article)."""
    document = db.get_or_404(LegalDocument, document_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    article = request.form.get("article") or None
    if request.form.get("confirmed") != "1":
        # Nothing changes before the organizer has seen what will.
        citing = questions_citing(document, article)
        where = f"Điều {article} của {document.display_name}" if article else document.display_name
        return render_template(
            "confirm.html", title="Ngừng dùng câu hỏi",
            message=f"Sẽ ngừng dùng {len(citing)} câu hỏi dựa trên {where}: chúng không còn được rút vào đề thi "
                    "(bài thi đã làm vẫn giữ và chấm như cũ).",
            items=[question.text for question in citing[:10]], more=max(0, len(citing) - 10),
            note="Có thể duyệt lại từng câu trong ngân hàng câu hỏi. Thao tác được ghi vào nhật ký.",
            action=url_for("legal.retire", document_id=document.id), fields=[("article", article or "")],
            confirm_label=f"Ngừng dùng {len(citing)} câu hỏi", cancel_url=url_for("legal.document", document_id=document.id))
    count = retire_questions_citing(document, article)
    record(current_user.id, "questions.retire_by_document", "legal_document", document.id,
           article=article or "", count=count)
    db.session.commit()
    flash(f"Đã ngừng dùng {count} câu hỏi dựa trên {document.display_name}.", "success")
    return redirect(url_for("legal.document", document_id=document.id))


@bp.route("/<int:document_id>/drafts", methods=["POST"])
@role_required(Role.ORGANIZER)
def drafts(document_id: int):
    """Propose draft questions from the document's articles into the review queue."""
    document = db.get_or_404(LegalDocument, document_id)
    if not EmptyForm().validate_on_submit() or not document.source_text:
        abort(400)
    bank_name = clean(request.form.get("bank", "")) or DEFAULT_BANK
    if len(bank_name) > 200:  # the bank's name column
        abort(400)
    today = utcnow().astimezone(display_zone()).date()
    records = [record for source in draft_sources(document, today)
               for record in draft_questions(source.legal, source.number, only=source.only)]
    report = import_questions(records, bank_name, status="draft")
    record(current_user.id, "legal.draft_questions", "legal_document", document.id, added=report.added)
    db.session.commit()
    flash(f"Đã đề xuất {report.added} câu hỏi nháp; duyệt chúng trong ngân hàng câu hỏi.", "success")
    return redirect(url_for("bank.index", status="draft", document=document.id))

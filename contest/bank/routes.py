"""The organizer's bank: search and filter, edit with a preview, bulk status, import, export, health."""
from pathlib import Path

import sqlalchemy as sa
from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request, url_for)
from flask_login import current_user

from contest.accounts.access import role_required
from contest.accounts.models import Role
from contest.bank.forms import NEW_BANK, ImportForm, QuestionForm
from contest.bank.imports import held_upload, hold_upload, preview_summary, preview_upload
from contest.bank.models import Question, QuestionBank
from contest.bank.queries import (EXPORT_FORMATS, QuestionFilter, approved_counts, bank_health, facets, matching_ids,
                                  question_records, questions_changing, search_questions)
from contest.bank.services import BankError, edit_question, set_status
from contest.exports.files import send_written
from contest.extensions import db
from contest.jobs import enqueue
from contest.jobs.models import Job
from contest.forms import EmptyForm, option_labels, options
from contest.legal.queries import all_documents
from contest.reviews.queries import flagged_ids
from contest.reviews.services import ReviewError, edit_flagged, open_reviews
from contest.database import utcnow
from contest.audit.services import record
from questions.formats import blank_template_xlsx, write_bank
from questions.records import DIFFICULTY_LABELS, OPTION_LETTERS, STATUS_LABELS, QuestionRecord
from questions.text import clean

bp = Blueprint("bank", __name__, url_prefix="/organizer/bank")
PER_PAGE = 50


def _filters_from(args) -> QuestionFilter:
    return QuestionFilter(
        text=args.get("q", ""), bank_id=args.get("bank", type=int), topic=args.get("topic", ""),
        difficulty=args.get("difficulty", ""), document_id=args.get("document", type=int),
        article=args.get("article", ""), status=args.get("status", ""), audience=args.get("audience", ""),
        is_flagged=args.get("flagged") == "1", family_id=args.get("family", type=int))


@bp.route("/")
@role_required(Role.ORGANIZER)
def index():
    """Search the bank without regard to diacritics, filter it, and act on many questions at once."""
    filters = _filters_from(request.args)
    page = max(request.args.get("page", 1, type=int), 1)
    questions, total = search_questions(filters, page, PER_PAGE)
    banks = db.session.scalars(sa.select(QuestionBank).order_by(QuestionBank.name)).all()
    return render_template("bank/index.html", questions=questions, total=total, page=page, per_page=PER_PAGE,
                           filters=filters, banks=banks, documents=all_documents(), facets=facets(),
                           difficulties=DIFFICULTY_LABELS, statuses=STATUS_LABELS, form=EmptyForm(),
                           flagged=flagged_ids([q.id for q in questions]))


@bp.route("/bulk", methods=["POST"])
@role_required(Role.ORGANIZER)
def bulk():
    """Approve, retire or return to draft the ticked questions, or every question of the search."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    status = request.form.get("new_status", "")
    if request.form.get("scope") == "all":
        ids = matching_ids(_filters_from(request.form))
    else:
        ids = [int(value) for value in request.form.getlist("ids") if value.isdigit() and len(value) < 10]
    if status in ("retired", "draft") and request.form.get("confirmed") != "1":
        # Taking questions out of the draw is said, with how many, before it is done.
        changing = questions_changing(ids, status)
        return render_template(
            "confirm.html", title="Đổi trạng thái câu hỏi",
            message=f"Sẽ chuyển {len(changing)} câu hỏi sang “{STATUS_LABELS[status]}”: chúng không còn được rút vào "
                    "đề thi cho tới khi được duyệt lại (bài thi đã làm vẫn giữ và chấm như cũ).",
            items=[f"#{question.id}: {question.text}" for question in changing[:10]], more=max(0, len(changing) - 10),
            note="Thao tác được ghi vào nhật ký.", action=url_for("bank.bulk"),
            fields=[(key, value) for key, value in request.form.items(multi=True) if key not in ("csrf_token", "confirmed")],
            confirm_label=f"Chuyển {len(changing)} câu hỏi", cancel_url=_safe_back(request.form.get("back")))
    try:
        changed = set_status(ids, status)
        record(current_user.id, "questions.status", "question", None, status=status, count=changed,
               ids=",".join(map(str, ids[:200])))
    except BankError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(f"Đã chuyển {changed} câu hỏi sang trạng thái “{STATUS_LABELS[status]}”.", "success")
    return redirect(_safe_back(request.form.get("back")))


def _safe_back(target: str | None) -> str:
    """Go back only to a page of the bank."""
    return target if target and target.startswith("/organizer/bank") else url_for("bank.index")


def _record_from(form: QuestionForm) -> QuestionRecord:
    choices = [clean(field.data) for field in form.choice_fields() if clean(field.data)]
    return QuestionRecord(
        text=clean(form.text.data), choices=choices,
        correct=sorted(OPTION_LETTERS.index(letter) for letter in form.correct.data),
        topic=clean(form.topic.data), difficulty=form.difficulty.data, citation=clean(form.citation.data),
        explanation=clean(form.explanation.data), audience=clean(form.audience.data), status=form.status.data)


@bp.route("/questions/<int:question_id>", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def edit(question_id: int):
    """Edit a question, seeing it as a contestant will; a question already shown gets a new version."""
    question = db.get_or_404(Question, question_id)
    form = QuestionForm(obj=question)
    if request.method == "GET":
        for letter, choice in zip(OPTION_LETTERS, question.choices):
            form[f"choice_{letter}"].data = choice
        form.correct.data = [OPTION_LETTERS[index] for index in question.correct]
    if form.validate_on_submit():
        try:
            if open_reviews(question):
                # Under review: the edit is a new version and answers the flags.
                current = edit_flagged(question, _record_from(form), current_user.id, utcnow())
            else:
                current = edit_question(question, _record_from(form))
            record(current_user.id, "question.edit", "question", current.id, previous=question.id,
                   new_version=current.id != question.id)
        except (BankError, ReviewError) as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            if current.id != question.id:
                flash(f"Câu hỏi đã được dùng trong bài thi nên được lưu thành phiên bản {current.version}; "
                      "các bài thi cũ vẫn chấm theo phiên bản cũ.", "info")
            else:
                flash("Đã lưu câu hỏi.", "success")
            return redirect(url_for("bank.edit", question_id=current.id))
    return render_template("bank/edit.html", question=question, form=form, letters=OPTION_LETTERS)


def _import_form() -> tuple[ImportForm, dict]:
    """The upload form with the banks to choose from, and each bank's count of approved questions."""
    banks = db.session.scalars(sa.select(QuestionBank).order_by(QuestionBank.name)).all()
    form = ImportForm()
    form.bank_id.choices = options([(bank.id, bank.name) for bank in banks] + [(NEW_BANK, "Ngân hàng mới")])
    form.bank_names = [bank.name for bank in banks]
    return form, approved_counts()


def _render_import(form: ImportForm, counts: dict, preview: dict | None, held):
    return render_template("bank/import.html", form=form, preview=preview, held=held, counts=counts,
                           confirm_form=EmptyForm(), new_bank=NEW_BANK, letters=OPTION_LETTERS)


@bp.route("/import", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def import_file():
    """Upload a bank file; the page shows what would be imported, with options and key, or every
    fault, before anything is stored. The file is kept while the rest of the form is corrected. A file
    larger than BANK_PREVIEW_INLINE_BYTES is checked by a jobs worker ("bank.preview"): this request
    answers at once with the job's page, which leads to bank.import_preview."""
    form, counts = _import_form()
    if request.method == "GET" and request.args.get("bank", type=int):
        form.bank_id.data = request.args.get("bank", type=int)
    held = None
    if form.is_submitted() and form.file.data and form.file.data.filename:
        # Kept at once, so that a fault elsewhere in the form does not make the organizer choose it again.
        held = held_upload(current_user.id, hold_upload(current_user.id, Path(form.file.data.filename).name,
                                                        "", form.file.data.read()))
        db.session.commit()
    elif form.is_submitted():
        held = held_upload(current_user.id, form.token.data or "")
    is_valid = form.validate_on_submit()
    if form.is_submitted() and held is None:
        form.file.errors.append("Chọn tệp để nhập.")
    preview = None
    if is_valid and held is not None:
        bank_name = clean(form.new_bank_name.data) if form.bank_id.data == NEW_BANK \
            else option_labels(form.bank_id)[form.bank_id.data]
        held.bank_name = bank_name
        filename, token = held.filename, held.token
        if len(held.data) > current_app.config["BANK_PREVIEW_INLINE_BYTES"]:
            # Reading and rehearsing 100,000 questions would hold this request for tens of seconds.
            job = enqueue("bank.preview", {"user_id": current_user.id, "token": token,
                                           "title": f"Kiểm tra “{filename}” trước khi nhập vào ngân hàng “{bank_name}”"},
                          current_user.id)
            db.session.commit()
            return redirect(url_for("jobs.show", job_id=job.id))
        data = held.data
        db.session.commit()
        preview = preview_summary(preview_upload(filename, data, bank_name), bank_name)
        held = held_upload(current_user.id, token)
    return _render_import(form, counts, preview, held)


@bp.route("/import/preview/<int:job_id>")
@role_required(Role.ORGANIZER)
def import_preview(job_id: int):
    """The preview a jobs worker made of a large file; only the organizer who uploaded it sees it."""
    job = db.session.get(Job, job_id)
    if job is None or job.kind != "bank.preview" or job.user_id != current_user.id:
        abort(404)
    if job.status != "done":
        return redirect(url_for("jobs.show", job_id=job.id))
    preview = job.result["preview"]
    held = held_upload(current_user.id, job.payload.get("token", ""))
    form, counts = _import_form()
    # The form below stands ready for a corrected file, into the bank this one was checked against.
    names = {choice.label: choice.value for choice in form.bank_id.choices}
    form.bank_id.data = names.get(preview["bank_name"], NEW_BANK)
    if form.bank_id.data == NEW_BANK:
        form.new_bank_name.data = preview["bank_name"]
    return _render_import(form, counts, preview, held)


@bp.route("/import/confirm", methods=["POST"])
@role_required(Role.ORGANIZER)
def confirm_import():
    """Import the file previewed."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    held = held_upload(current_user.id, request.form.get("token", ""))
    if held is None:
        flash("Không nhập được: phiên nhập đã hết hạn; vui lòng tải tệp lên lại.", "error")
        return redirect(url_for("bank.import_file"))
    # The import runs in a jobs worker: a bank of 100,000 questions would hold this request past its timeout.
    job = enqueue("bank.import", {"user_id": current_user.id, "token": held.token,
                                  "title": f"Nhập “{held.filename}” vào ngân hàng “{held.bank_name}”"},
                  current_user.id)
    db.session.commit()
    return redirect(url_for("jobs.show", job_id=job.id))


@bp.route("/template.xlsx")
@role_required(Role.ORGANIZER)
def template():
    """A blank .xlsx with the expected headers and one example row."""
    return send_written(blank_template_xlsx, "mau-ngan-hang-cau-hoi.xlsx")


@bp.route("/export")
@role_required(Role.ORGANIZER)
def export():
    """Download a bank (or every bank) in one of the exchange formats."""
    format_name = request.args.get("format", "xlsx")
    if format_name not in EXPORT_FORMATS:
        abort(404)
    bank_name = request.args.get("bank") or None
    extension = EXPORT_FORMATS[format_name]
    records = question_records(bank_name)
    return send_written(lambda path: write_bank(records, path, format_name), f"ngan-hang-cau-hoi{extension}")


@bp.route("/health")
@role_required(Role.ORGANIZER)
def health():
    """Approved questions by topic × difficulty per bank, against what each round draws."""
    banks = db.session.scalars(sa.select(QuestionBank).order_by(QuestionBank.name)).all()
    return render_template("bank/health.html", reports=[bank_health(bank) for bank in banks],
                           difficulties=DIFFICULTY_LABELS)

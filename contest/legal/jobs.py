"""A legal document's import as a background job: parsing and storing a long text (a code of hundreds of
articles, the amendments it brings, the questions they flag) takes longer than a web request may."""
from contest.audit.services import record
from contest.bank.imports import held_upload
from contest.extensions import db
from contest.jobs import JobContext, JobFailed, job_kind
from contest.legal.services import LegalError, store_legal_text
from contest.reviews.services import follow_amendments
from questions.legal import parse_legal_text

UPLOAD_KIND = "legal"


@job_kind("legal.import")
def import_legal_text(context: JobContext, user_id: int, token: str, title: str = "") -> dict:
    """Parse the held text, store the document and its articles, follow its amendments; all or nothing."""
    context.progress(0, 3, "Đọc văn bản")
    pending = held_upload(user_id, token, kind=UPLOAD_KIND)
    if pending is None:
        raise JobFailed("Phiên nhập đã hết hạn; vui lòng tải văn bản lên lại.")
    filename, text, number = pending.filename, pending.data.decode("utf-8"), pending.bank_name or None
    db.session.rollback()  # no transaction held while parsing: progress is written beside it
    legal = parse_legal_text(text)
    context.progress(1, 3, f"Lưu {len(legal.articles)} điều và các sửa đổi")
    pending = held_upload(user_id, token, kind=UPLOAD_KIND)
    if pending is None:
        raise JobFailed("Phiên nhập đã hết hạn; vui lòng tải văn bản lên lại.")
    try:
        result = store_legal_text(legal, text, filename, number)
        changes = follow_amendments(result.document, legal)
    except LegalError as error:
        raise JobFailed(str(error))
    db.session.delete(pending)
    record(user_id, "legal.import", "legal_document", result.document.id, file=filename, articles=result.articles,
           amendments=changes.stored, unplaced=changes.problems, flagged=changes.flagged)
    db.session.commit()
    message = f"Đã nhập {result.document.display_name}: {result.articles} điều. Hãy kiểm tra thông tin ở phần đầu."
    if changes.stored or changes.problems:
        message += (f" Văn bản sửa đổi {', '.join(t.display_name for t in changes.targets)}: {changes.stored} thay "
                    f"đổi đọc được; {changes.problems} chỉ dẫn chưa xác định được (liệt kê ở trang văn bản).")
    if changes.flagged:
        message += f" {changes.flagged} câu hỏi dẫn các điều, khoản bị thay đổi được đánh dấu cần rà soát."
    return {"message": message, "endpoint": "legal.document", "args": {"document_id": result.document.id}}

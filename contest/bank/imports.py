"""The upload → preview → confirm flow of bank imports, shared by the page and its tests."""
import secrets
import tempfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from contest.audit.services import record
from contest.bank.models import PendingImport
from contest.bank.services import ImportReport, import_questions
from contest.database import utcnow
from contest.extensions import db
from contest.jobs import JobContext, JobFailed, job_kind
from questions.formats import read_bank
from questions.records import ImportFailed, ImportIssue, QuestionRecord

PENDING_LIFETIME = timedelta(hours=6)
# What a preview keeps for its page: the first questions (options and key) and the first faults.
PREVIEW_RECORDS_SHOWN = 20
PREVIEW_ISSUES_SHOWN = 200


@dataclass
class Preview:
    """What a file would import: the report of a rolled-back import, or every fault found."""

    filename: str
    records: list[QuestionRecord] = field(default_factory=list)
    issues: list[ImportIssue] = field(default_factory=list)
    report: ImportReport | None = None


def read_upload(filename: str, data: bytes) -> list[QuestionRecord]:
    """Read an uploaded file with the reader its extension names; raises ImportFailed."""
    suffix = Path(filename).suffix.lower()
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"upload{suffix}"
        path.write_bytes(data)
        return read_bank(path)


def preview_upload(filename: str, data: bytes, bank_name: str) -> Preview:
    """Check a file and report what it would import, storing nothing (the import is rolled back)."""
    preview = Preview(filename=filename)
    try:
        preview.records = read_upload(filename, data)
    except ImportFailed as failure:
        preview.issues = failure.issues
        return preview
    preview.report = import_questions(preview.records, bank_name)
    db.session.rollback()  # a preview stores nothing: call it before anything worth keeping
    return preview


def preview_summary(preview: Preview, bank_name: str) -> dict:
    """The preview as its page shows it, small enough for a job's result (JSON) whatever the file's size:
    counts, the first questions with options and key, and the first faults with how many more there are."""
    report = preview.report
    duplicates = report.duplicate_rows if report else []
    return {
        "filename": preview.filename, "bank_name": report.bank_name if report else bank_name,
        "unit": "Câu" if preview.filename.lower().endswith(".docx") else "Dòng",
        "issues": [{"row": issue.row, "column": issue.column, "message": issue.message, "text": str(issue)}
                   for issue in preview.issues[:PREVIEW_ISSUES_SHOWN]],
        "issue_count": len(preview.issues),
        "added": report.added if report else 0, "in_families": report.in_families if report else 0,
        "duplicate_rows": duplicates[:PREVIEW_ISSUES_SHOWN], "duplicate_count": len(duplicates),
        "records": [{"row": item.source_row, "text": item.text, "choices": list(item.choices),
                     "correct": list(item.correct), "citation": item.citation, "topic": item.topic}
                    for item in preview.records[:PREVIEW_RECORDS_SHOWN]] if not preview.issues else [],
        "record_count": len(preview.records),
    }


def preview_message(summary: dict) -> str:
    """What the job's page says once a file is checked."""
    if summary["issue_count"]:
        return f"Tệp có {summary['issue_count']} lỗi; chưa nhập câu nào."
    return f"Đã kiểm tra xong: sẽ nhập {summary['added']} câu hỏi vào ngân hàng “{summary['bank_name']}”."


def hold_upload(user_id: int, filename: str, bank_name: str, data: bytes, kind: str = "questions") -> str:
    """Keep an upload until the organizer confirms it (or corrects the form around it); returns its
    token. The caller commits."""
    db.session.execute(sa.delete(PendingImport).where(PendingImport.created_at < utcnow() - PENDING_LIFETIME))
    token = secrets.token_urlsafe(32)
    db.session.add(PendingImport(token=token, user_id=user_id, kind=kind, filename=filename, bank_name=bank_name,
                                 data=data))
    return token


def held_upload(user_id: int, token: str, kind: str = "questions") -> PendingImport | None:
    """The organizer's held upload of this kind, or None when the token is unknown, theirs not, or expired."""
    pending = db.session.get(PendingImport, token) if token else None
    if pending is None or pending.user_id != user_id or pending.kind != kind \
            or pending.created_at < utcnow() - PENDING_LIFETIME:
        return None
    return pending


@job_kind("bank.preview")
def preview_held_upload(context: JobContext, user_id: int, token: str, title: str = "") -> dict:
    """The preview of a held upload too big to check in a web request: the file is read and its import
    rehearsed (rolled back, nothing stored); the result keeps a compact preview for bank.import_preview."""
    context.progress(0, 2, "Đọc tệp")
    pending = held_upload(user_id, token)
    if pending is None:
        raise JobFailed("Phiên nhập đã hết hạn; vui lòng tải tệp lên lại.")
    filename, data, bank_name = pending.filename, pending.data, pending.bank_name
    db.session.rollback()  # no transaction held while the file is read: progress is written beside it
    preview = Preview(filename=filename)
    try:
        preview.records = read_upload(filename, data)
    except ImportFailed as failure:
        preview.issues = failure.issues
    else:
        context.progress(1, 2, f"Kiểm tra {len(preview.records):,} câu hỏi".replace(",", "."))
        preview.report = import_questions(preview.records, bank_name)
        db.session.rollback()  # a preview stores nothing
    summary = preview_summary(preview, bank_name)
    return {"message": preview_message(summary), "endpoint": "bank.import_preview",
            "args": {"job_id": context.job_id, "_anchor": "preview-heading"}, "follow": True, "preview": summary}


@job_kind("bank.import")
def import_held_upload(context: JobContext, user_id: int, token: str, title: str = "") -> dict:
    """The import of a confirmed upload, run by a jobs worker (a 100,000-question bank takes longer than a
    web request may): all or nothing, audited, with the held upload forgotten once imported."""
    context.progress(0, 3, "Đọc tệp")
    pending = held_upload(user_id, token)
    if pending is None:
        raise JobFailed("Phiên nhập đã hết hạn; vui lòng tải tệp lên lại.")
    filename, data, bank_name = pending.filename, pending.data, pending.bank_name
    db.session.rollback()  # no transaction held while the file is read: progress is written beside it
    try:
        records = read_upload(filename, data)
    except ImportFailed as failure:
        raise JobFailed(f"Không nhập được: {failure}")
    context.progress(1, 3, f"Kiểm tra và lưu {len(records):,} câu hỏi".replace(",", "."))
    pending = held_upload(user_id, token)
    if pending is None:
        raise JobFailed("Phiên nhập đã hết hạn; vui lòng tải tệp lên lại.")
    report = import_questions(records, bank_name)
    db.session.delete(pending)
    record(user_id, "questions.import", "bank", None, bank=report.bank_name, added=report.added,
           skipped=len(report.duplicate_rows))
    db.session.commit()
    return {"message": import_message(report), "endpoint": "bank.index"}


def import_message(report: ImportReport) -> str:
    """What an organizer reads after an import."""
    skipped = f" Bỏ qua {len(report.duplicate_rows)} câu đã có." if report.duplicate_rows else ""
    related = (f" {report.in_families} câu nằm trong các nhóm câu hỏi liên quan (không rút chung một đề)."
               if report.in_families else "")
    return f"Đã nhập {report.added} câu hỏi vào ngân hàng “{report.bank_name}”.{skipped}{related}"


def confirm_upload(user_id: int, token: str) -> ImportReport:
    """Import a held upload for good and forget it; raises ImportFailed. The caller commits."""
    pending = held_upload(user_id, token)
    if pending is None:
        raise ImportFailed([ImportIssue(0, "", "phiên nhập đã hết hạn; vui lòng tải tệp lên lại")])
    records = read_upload(pending.filename, pending.data)
    report = import_questions(records, pending.bank_name)
    db.session.delete(pending)
    return report

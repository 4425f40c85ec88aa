"""Legal documents: import article by article, questions per article, replacement, retiring, drafts."""
from pathlib import Path

import sqlalchemy as sa

from contest.bank.models import Question
from contest.audit.models import AuditEntry
from contest.extensions import db
from contest.legal.models import LegalDocument
from contest.legal.services import find_document
from tests.conftest import csrf_token

DECREE = Path(__file__).resolve().parents[2] / "contest" / "demo" / "data" / "nghi-dinh-63-2010-ND-CP.md"


def test_import_the_decree_by_cli_keeps_the_question_links(runner, world):
    result = runner.invoke(args=["legal", "import", str(DECREE)])
    assert result.exit_code == 0, result.output
    assert "37 điều" in result.output
    document = find_document("63/2010/NĐ-CP")
    assert document.issuer == "Chính phủ" and document.issued_on.isoformat() == "2010-06-08"
    assert document.effective_on.isoformat() == "2010-10-14"
    article_3 = next(a for a in document.articles if a.number == "3")
    assert article_3.title == "Giải thích từ ngữ" and "trình tự, cách thức thực hiện" in article_3.text
    # The world's questions, which cited the document before its text arrived, now sit under Điều 3.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)
                             .where(Question.document_id == document.id)) == 30
    again = runner.invoke(args=["legal", "import", str(DECREE)])
    assert "Đã cập nhật" in again.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LegalDocument)) == 1


def test_document_page_shows_articles_with_their_questions(organizer, runner):
    runner.invoke(args=["legal", "import", str(DECREE)])
    document = find_document("63/2010/NĐ-CP")
    page = organizer.get(f"/organizer/legal/{document.id}").get_data(as_text=True)
    assert "Điều 8. " in page and "Điều 37. " in page
    assert "30 câu hỏi dẫn điều này" in page  # Điều 3 carries the world's 30 questions


def test_upload_page_reports_an_unreadable_file(organizer, tmp_path):
    token = csrf_token(organizer, "/organizer/legal/")
    scanned = tmp_path / "scan.pdf"
    scanned.write_bytes(b"%PDF-1.4\n%%EOF\n")
    with open(scanned, "rb") as handle:
        page = organizer.post("/organizer/legal/", data={"csrf_token": token, "file": (handle, "scan.pdf")},
                              content_type="multipart/form-data").get_data(as_text=True)
    assert "PDF" in page and db.session.scalar(sa.select(sa.func.count()).select_from(LegalDocument)) == 1


def test_replace_a_document_and_retire_its_questions_in_one_action(organizer, world):
    replacement = LegalDocument(number="118/2025/NĐ-CP", kind="Nghị định")
    db.session.add(replacement)
    db.session.commit()
    document = find_document("63/2010/NĐ-CP")
    token = csrf_token(organizer, f"/organizer/legal/{document.id}")
    organizer.post(f"/organizer/legal/{document.id}/status", data={
        "csrf_token": token, "status": "replaced", "replaced_by_id": str(replacement.id), "changed_on": "01/07/2025"})
    db.session.expire_all()
    assert document.status == "replaced" and document.replaced_by_id == replacement.id
    assert document.status_changed_on.isoformat() == "2025-07-01"
    # The first press only says what would change: 30 questions, nothing retired yet.
    asked = organizer.post(f"/organizer/legal/{document.id}/retire", data={"csrf_token": token}).get_data(as_text=True)
    assert "Sẽ ngừng dùng 30 câu hỏi dựa trên" in asked and 'name="confirmed" value="1"' in asked
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Question).where(Question.status == "approved")) == 30
    response = organizer.post(f"/organizer/legal/{document.id}/retire", data={"csrf_token": token, "confirmed": "1"},
                              follow_redirects=True)
    assert "Đã ngừng dùng 30 câu hỏi" in response.get_data(as_text=True)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "questions.retire_by_document"))
    assert entry.details["count"] == 30
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)
                             .where(Question.status == "approved")) == 0


def test_draft_questions_go_to_the_review_queue(runner, world):
    runner.invoke(args=["legal", "import", str(DECREE)])
    result = runner.invoke(args=["legal", "draft-questions", "63/2010/NĐ-CP", "--bank", "Đề xuất"])
    assert result.exit_code == 0, result.output
    drafts = db.session.scalars(sa.select(Question).where(Question.status == "draft")).all()
    assert len(drafts) >= 20
    assert all(q.bank.name == "Đề xuất" and q.document.number == "63/2010/NĐ-CP" and q.article for q in drafts)
    again = runner.invoke(args=["legal", "draft-questions", "63/2010/NĐ-CP", "--bank", "Đề xuất"])
    assert "Đã đề xuất 0 câu" in again.output


def test_an_uploaded_text_is_parsed_and_stored_by_a_background_job(organizer, runner):
    token = csrf_token(organizer, "/organizer/legal/")
    with open(DECREE, "rb") as handle:
        response = organizer.post("/organizer/legal/", data={"csrf_token": token, "file": (handle, DECREE.name)},
                                  content_type="multipart/form-data")
    job_url = response.headers["Location"]
    assert job_url.startswith("/jobs/") and not find_document("63/2010/NĐ-CP").articles  # answered before parsing
    db.session.commit()  # the test's read would hold SQLite's lock the worker's progress needs
    assert "Đã chạy 1 công việc" in runner.invoke(args=["jobs", "work", "--until-empty"]).output
    state = organizer.get(job_url + ".json").get_json()
    assert state["status"] == "done", state
    db.session.expire_all()
    document = find_document("63/2010/NĐ-CP")
    assert len(document.articles) == 37 and "37 điều" in state["message"]
    assert state["url"] == f"/organizer/legal/{document.id}"
    assert db.session.scalar(sa.select(AuditEntry.action).where(AuditEntry.action == "legal.import")) == "legal.import"


def test_a_status_or_details_post_without_a_form_is_refused_not_a_server_error(organizer, world):
    """The CSRF token may come in a header: a POST with no form fields at all reads as "no date given"."""
    document = find_document("63/2010/NĐ-CP")
    token = csrf_token(organizer, f"/organizer/legal/{document.id}")
    for action in ("status", "meta"):
        response = organizer.post(f"/organizer/legal/{document.id}/{action}", headers={"X-CSRFToken": token})
        assert response.status_code == 302
    db.session.expire_all()
    assert document.status == "in_force" and document.status_changed_on is None

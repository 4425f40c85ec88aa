"""Curating the bank: diacritic-blind search, filters, versioned edits, bulk status, health."""
import re
from datetime import timedelta

import sqlalchemy as sa

from contest.accounts.models import Role
from contest.audit.models import AuditEntry
from contest.attempts.services import save_answer, start_attempt, submit_attempt
from contest.bank.models import Question
from contest.bank.queries import QuestionFilter, bank_health, search_questions
from contest.bank.services import edit_question, get_or_create_bank, import_questions
from contest.extensions import db
from questions.records import QuestionRecord
from tests import factories
from tests.conftest import csrf_token


def law_records():
    return [
        QuestionRecord(text="Kiểm soát thủ tục hành chính bắt đầu từ khi nào?", choices=["Dự thảo", "Ban hành"],
                       correct=[0], topic="Quy định chung", difficulty="easy",
                       citation="Khoản 3 Điều 4 Nghị định 63/2010/NĐ-CP"),
        QuestionRecord(text="Cán bộ được yêu cầu bổ sung hồ sơ tối đa mấy lần?", choices=["Hai", "Ba"],
                       correct=[0], topic="Thực hiện TTHC", difficulty="hard",
                       citation="Khoản 4 Điều 20 Nghị định 63/2010/NĐ-CP", status="draft"),
    ]


def organizer(client, world, auth):
    factories.make_user("btc@example.vn", world.province, Role.ORGANIZER, name="Ban tổ chức")
    db.session.commit()
    auth.login("btc@example.vn")


def texts(filters):
    return [q.text for q in search_questions(filters)[0]]


def test_search_ignores_diacritics_and_filters_combine(world):
    import_questions(law_records(), "Luật")
    db.session.commit()
    assert texts(QuestionFilter(text="kiem soat")) == ["Kiểm soát thủ tục hành chính bắt đầu từ khi nào?"]
    assert texts(QuestionFilter(text="HỒ SƠ bo sung")) == ["Cán bộ được yêu cầu bổ sung hồ sơ tối đa mấy lần?"]
    assert len(texts(QuestionFilter(status="draft"))) == 1
    assert len(texts(QuestionFilter(difficulty="hard", article="Điều 20"))) == 1
    assert len(texts(QuestionFilter(article="4", topic="Quy định chung"))) == 1
    document = db.session.scalar(sa.select(Question)).document
    assert len(texts(QuestionFilter(document_id=document.id))) == 32  # the world's 30 cite it too


def test_editing_an_unshown_question_changes_it_in_place(world):
    question = db.session.scalar(sa.select(Question).order_by(Question.id))
    record = QuestionRecord(text="Nội dung mới?", choices=["Một", "Hai", "Ba"], correct=[2], status="approved",
                            citation="Điều 7 Nghị định 63/2010/NĐ-CP")
    current = edit_question(question, record)
    assert current.id == question.id and current.version == 1
    assert (current.text, current.correct, current.article) == ("Nội dung mới?", [2], "7")


def test_editing_a_shown_question_makes_a_version_and_old_papers_keep_theirs(world, now):
    attempt = start_attempt(world.contestant, world.round, now)
    item = attempt.items[0]
    old = item.question
    save_answer(attempt, item.position, [item.choice_order.index(old.correct[0])], now)
    db.session.commit()
    changed = QuestionRecord(text=old.text, choices=list(old.choices), correct=[1], status="approved",
                             citation=old.citation, topic=old.topic)
    current = edit_question(old, changed)
    db.session.commit()
    assert current.id != old.id and current.version == 2 and current.correct == [1]
    assert old.status == "retired" and old.replaced_by_id == current.id
    submit_attempt(attempt, now + timedelta(seconds=30))
    db.session.commit()
    assert attempt.items[0].question_id == old.id and attempt.items[0].is_correct is True
    # The bank search shows the current version only.
    found = [q.id for q in search_questions(QuestionFilter(text=old.text))[0]]
    assert current.id in found and old.id not in found


def test_edit_page_previews_and_saves(client, world, auth):
    organizer(client, world, auth)
    question = db.session.scalar(sa.select(Question).order_by(Question.id))
    page = client.get(f"/organizer/bank/questions/{question.id}").get_data(as_text=True)
    assert "Thí sinh sẽ thấy" in page and question.text in page
    data = {"csrf_token": csrf_token(client, f"/organizer/bank/questions/{question.id}"), "text": "Câu đã sửa?",
            "choice_A": "Một", "choice_B": "Hai", "choice_C": "", "choice_D": "", "choice_E": "", "choice_F": "",
            "correct": ["B"], "topic": "Chung", "difficulty": "hard", "citation": "Điều 8 Nghị định 63/2010/NĐ-CP",
            "explanation": "", "audience": "CBCCVC", "status": "approved"}
    response = client.post(f"/organizer/bank/questions/{question.id}", data=data, follow_redirects=True)
    assert "Đã lưu câu hỏi" in response.get_data(as_text=True)
    db.session.expire_all()
    assert (question.text, question.choices, question.correct, question.difficulty) == \
        ("Câu đã sửa?", ["Một", "Hai"], [1], "hard")
    bad = client.post(f"/organizer/bank/questions/{question.id}", data={**data, "correct": ["D"]})
    assert "Đáp án đúng phải là một phương án đã điền" in bad.get_data(as_text=True)


def test_bulk_status_for_ticked_questions_and_for_a_whole_search(client, world, auth):
    organizer(client, world, auth)
    import_questions(law_records(), "Luật")
    db.session.commit()
    draft = db.session.scalar(sa.select(Question).where(Question.status == "draft"))
    token = csrf_token(client, "/organizer/bank/")
    client.post("/organizer/bank/bulk", data={"csrf_token": token, "new_status": "approved", "scope": "ticked",
                                              "ids": [str(draft.id)]})
    db.session.expire_all()
    assert draft.status == "approved"
    asked = client.post("/organizer/bank/bulk", data={"csrf_token": token, "new_status": "retired", "scope": "all",
                                                      "q": "cau hoi so"}).get_data(as_text=True)
    assert "Sẽ chuyển 30 câu hỏi sang “Ngừng dùng”" in asked and "… và 20 mục khác." in asked
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Question).where(Question.status == "retired")) == 0
    response = client.post("/organizer/bank/bulk", data={"csrf_token": token, "new_status": "retired", "scope": "all",
                                                         "q": "cau hoi so", "confirmed": "1"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Đã chuyển 30 câu hỏi" in page, re.findall(r"class=\"flash[^>]*>([^<]*)", page)  # every factory question reads "Câu hỏi số …"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)
                             .where(Question.status == "approved")) == 2
    audited = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "questions.status")).all()
    assert [(entry.details["status"], entry.details["count"]) for entry in audited] == [("approved", 1), ("retired", 30)]


def test_health_warns_when_a_round_cannot_be_drawn(client, world, auth, now):
    organizer(client, world, auth)
    factories.make_round(now, bank_name="Nhỏ", question_count=10, opens_in=timedelta(days=1), check_bank=False)
    import_questions(factories.question_records(4, "Ít"), "Nhỏ")
    db.session.commit()
    health = bank_health(get_or_create_bank("Nhỏ"))
    assert health.approved == 4 and health.needs[0].is_short
    assert "không đủ câu" in client.get("/organizer/bank/health").get_data(as_text=True)
    assert "chỉ có 4 câu đã duyệt" in client.get("/organizer/").get_data(as_text=True)


def test_contestants_cannot_reach_the_bank(client, world, auth):
    auth.login("thisinh@example.vn")
    for url in ("/organizer/bank/", "/organizer/bank/import", "/organizer/legal/", "/organizer/bank/export"):
        assert client.get(url).status_code == 403, url


def test_html_in_question_text_is_shown_as_text(client, world, auth, now):
    import_questions([QuestionRecord(text="<script>alert('x')</script> Thủ tục là gì?",
                                     choices=["<b>Một</b>", "Hai"], correct=[0], status="approved")], "HTML")
    db.session.commit()
    question = db.session.scalar(sa.select(Question).where(Question.text.contains("script")))
    organizer(client, world, auth)
    page = client.get(f"/organizer/bank/questions/{question.id}").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    assert "&lt;b&gt;Một&lt;/b&gt;" in page

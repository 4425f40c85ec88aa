"""Questions that follow the law as it changes: an amending decree flags the questions resting on
what it changed, the organizer confirms, edits or retires them, and rounds do not draw them.

The decrees are test fixtures, not real law (tests/fixtures/legal.py)."""
from datetime import date, timedelta

import sqlalchemy as sa

from contest.attempts.services import start_attempt
from contest.bank.models import Question
from contest.bank.services import import_questions
from contest.extensions import db
from contest.legal.models import LegalAmendment
from contest.legal.services import find_document
from contest.reviews.models import QuestionReview
from contest.reviews.services import flag_changed_questions, flag_question
from questions.records import QuestionRecord
from tests.conftest import csrf_token
from tests.fixtures.legal import AMENDING, BASE

BANK = "Ngân hàng thử"


def _question(text: str, answer: str, citation: str) -> QuestionRecord:
    return QuestionRecord(text=text, choices=[answer, "Phương án sai thứ nhất", "Phương án sai thứ hai",
                                              "Phương án sai thứ ba"], correct=[0], topic="Thời hạn",
                          citation=citation, status="approved")


def _load(runner, tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(args=["legal", "import", str(path)])
    assert result.exit_code == 0, result.output
    return result.output


def _questions_on_the_base(runner, tmp_path):
    _load(runner, tmp_path, "base.txt", BASE)
    import_questions([
        _question("Theo khoản 1 Điều 5, thời hạn giải quyết là bao nhiêu ngày làm việc?", "10 ngày làm việc",
                  "Khoản 1 Điều 5 Nghị định 7/2030/NĐ-CP"),
        _question("Theo khoản 1 Điều 4, hồ sơ được nộp theo cách nào?", "Trực tiếp hoặc qua bưu chính",
                  "Khoản 1 Điều 4 Nghị định 7/2030/NĐ-CP"),
        _question("Theo khoản 2 Điều 3, “phiếu hẹn” là gì?", "Giấy ghi ngày trả kết quả",
                  "Khoản 2 Điều 3 Nghị định 7/2030/NĐ-CP"),
        _question("Theo Điều 2, cơ quan nào giúp Chính phủ kiểm soát hồ sơ?", "Bộ Thử nghiệm",
                  "Điều 2 Nghị định 7/2030/NĐ-CP"),
    ], BANK)
    db.session.commit()
    return {q.article + "/" + q.clause: q for q in db.session.scalars(
        sa.select(Question).where(Question.document_id == find_document("7/2030/NĐ-CP").id))}


def test_an_amending_decree_flags_the_questions_on_what_it_changed(runner, world, tmp_path):
    questions = _questions_on_the_base(runner, tmp_path)
    output = _load(runner, tmp_path, "amending.txt", AMENDING)
    assert "Sửa đổi Nghị định 7/2030/NĐ-CP: 10 thay đổi đọc được, 2 chỉ dẫn chưa xác định được" in output
    assert "3 câu hỏi được đánh dấu cần rà soát" in output
    reviews = {review.question_id: review for review in db.session.scalars(sa.select(QuestionReview))}
    assert set(reviews) == {questions["5/khoản 1"].id, questions["3/khoản 2"].id, questions["2/"].id}
    deadline = reviews[questions["5/khoản 1"].id]
    assert "Nghị định 12/2031/NĐ-CP sửa đổi khoản 1 Điều 5 của Nghị định 7/2030/NĐ-CP" in deadline.reason
    assert "01/07/2031" in deadline.reason
    assert deadline.before_text == "1. Thời hạn giải quyết là 10 ngày làm việc kể từ ngày nhận đủ hồ sơ."
    assert deadline.after_text == "1. Thời hạn giải quyết là 20 ngày làm việc kể từ ngày nhận đủ hồ sơ."
    assert reviews[questions["3/khoản 2"].id].after_text == "(Khoản này đã bị bãi bỏ.)"
    # The instruction it could not read, and the one that does not fit the text, are listed.
    problems = db.session.scalars(sa.select(LegalAmendment.problem).where(LegalAmendment.problem != "")).all()
    assert sorted(problems) == ["Không nhận ra loại thay đổi (sửa đổi, bổ sung, bãi bỏ, thay thế).",
                                "Văn bản không có khoản 9 Điều 4."]
    # Importing the same decree again flags nothing twice.
    _load(runner, tmp_path, "amending.txt", AMENDING)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuestionReview)) == 3


def test_a_question_written_after_the_change_was_loaded_and_in_force_is_not_flagged(runner, world, tmp_path):
    _load(runner, tmp_path, "base.txt", BASE)
    _load(runner, tmp_path, "amending.txt", AMENDING)
    # As if the amending decree were already in force when the question is written.
    find_document("12/2031/NĐ-CP").effective_on = date(2020, 1, 1)
    import_questions([_question("Theo khoản 1 Điều 5 (sửa đổi), thời hạn giải quyết là bao lâu?",
                                "20 ngày làm việc", "Khoản 1 Điều 5 Nghị định 7/2030/NĐ-CP")], BANK)
    db.session.commit()
    assert flag_changed_questions(find_document("7/2030/NĐ-CP")) == 0


def test_the_document_page_shows_the_consolidated_text_as_of_a_date(organizer, runner, tmp_path):
    _load(runner, tmp_path, "base.txt", BASE)
    _load(runner, tmp_path, "amending.txt", AMENDING)
    base = find_document("7/2030/NĐ-CP")
    today = organizer.get(f"/organizer/legal/{base.id}").get_data(as_text=True)
    # Today (by default) the decree of 2031 is not yet in force: the text reads as issued.
    assert "Văn bản hợp nhất" in today and "10 ngày làm việc" in today and "chưa có hiệu lực tại ngày" in today
    page = organizer.get(f"/organizer/legal/{base.id}?ngay=01/07/2031").get_data(as_text=True)
    assert "1. Thời hạn giải quyết là 20 ngày làm việc" in page
    assert "Được sửa đổi bởi Nghị định 12/2031/NĐ-CP (điểm a khoản 4 Điều 1), hiệu lực từ 01/07/2031." in page
    assert "Nội dung trước khi sửa đổi" in page and "1. Thời hạn giải quyết là 10 ngày làm việc" in page
    assert "Điều 5a. Kiểm tra việc kiểm soát hồ sơ" in page and "Được bổ sung bởi Nghị định 12/2031/NĐ-CP" in page
    assert "đã bị bãi bỏ bởi Nghị định 12/2031/NĐ-CP" in page
    before = organizer.get(f"/organizer/legal/{base.id}?ngay=30/06/2031").get_data(as_text=True)
    assert "1. Thời hạn giải quyết là 10 ngày làm việc" in before and "20 ngày làm việc" not in before
    assert "Điều 5a." not in before and "chưa có hiệu lực tại ngày 30/06/2031" in before
    amending = find_document("12/2031/NĐ-CP")
    listed = organizer.get(f"/organizer/legal/{amending.id}").get_data(as_text=True)
    assert "Chỉ dẫn chưa xác định được</strong>: Điều chỉnh các quy định khác cho phù hợp." in listed
    assert "Văn bản không có khoản 9 Điều 4." in listed


def test_the_organizer_sees_flags_everywhere_and_confirms_edits_or_retires(organizer, runner, world, tmp_path, now):
    questions = _questions_on_the_base(runner, tmp_path)
    _load(runner, tmp_path, "amending.txt", AMENDING)
    bank_id = questions["2/"].bank_id
    assert "Cần rà soát" in organizer.get("/organizer/bank/?flagged=1").get_data(as_text=True)
    listed = organizer.get("/organizer/bank/?flagged=1").get_data(as_text=True)
    assert "3 câu hỏi." in listed
    home = organizer.get("/organizer/").get_data(as_text=True)
    assert "3 câu hỏi của ngân hàng “Ngân hàng thử” cần rà soát" in home
    health = organizer.get("/organizer/bank/health").get_data(as_text=True)
    assert "3 câu đã duyệt cần rà soát" in health

    deadline = questions["5/khoản 1"]
    url = f"/organizer/reviews/questions/{deadline.id}"
    page = organizer.get(url).get_data(as_text=True)
    assert "Trước khi thay đổi" in page and "10 ngày làm việc kể từ" in page and "20 ngày làm việc kể từ" in page
    organizer.post(f"{url}/confirm", data={"csrf_token": csrf_token(organizer, url), "note": "Đã đối chiếu"})
    review = db.session.scalar(sa.select(QuestionReview).where(QuestionReview.question_id == deadline.id))
    db.session.refresh(review)
    assert review.resolution == "confirmed" and review.resolved_by.email == "btc@example.vn"
    assert review.resolved_at is not None and review.note == "Đã đối chiếu"
    assert "xác nhận vẫn đúng bởi Ban tổ chức" in organizer.get(url).get_data(as_text=True)

    repealed = questions["3/khoản 2"]
    url = f"/organizer/reviews/questions/{repealed.id}"
    organizer.post(f"{url}/retire", data={"csrf_token": csrf_token(organizer, url)})
    db.session.refresh(repealed)
    assert repealed.status == "retired"

    agency = questions["2/"]
    edit_url = f"/organizer/bank/questions/{agency.id}"
    organizer.post(edit_url, data={
        "csrf_token": csrf_token(organizer, edit_url), "text": "Theo Điều 2 (sửa đổi), cơ quan nào giúp Chính phủ?",
        "choice_A": "Bộ Kiểm thử", "choice_B": "Phương án sai thứ nhất", "choice_C": "Phương án sai thứ hai",
        "choice_D": "Phương án sai thứ ba", "correct": "A", "topic": "Thời hạn", "difficulty": "medium",
        "citation": "Khoản 1 Điều 2 Nghị định 7/2030/NĐ-CP", "explanation": "", "audience": "",
        "status": "approved"})
    db.session.refresh(agency)
    assert agency.status == "retired" and agency.replaced_by_id is not None
    assert db.session.get(Question, agency.replaced_by_id).choices[0] == "Bộ Kiểm thử"
    assert db.session.scalar(sa.select(QuestionReview.resolution).where(
        QuestionReview.question_id == agency.id)) == "edited"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuestionReview).where(
        QuestionReview.resolved_at.is_(None))) == 0
    assert "Không có câu hỏi nào cần rà soát." in organizer.get("/organizer/reviews/").get_data(as_text=True)
    assert bank_id


def test_rounds_leave_flagged_questions_out_unless_told_otherwise(world, now):
    ids = db.session.scalars(sa.select(Question.id).order_by(Question.id)).all()
    for question_id in ids[5:]:
        flag_question(db.session.get(Question, question_id), "Điều này đã được sửa đổi (thử nghiệm)")
    db.session.commit()
    drawn = {item.question_id for item in start_attempt(world.contestant, world.round, now).items}
    assert drawn == set(ids[:5])
    world.round.is_flagged_excluded = False
    world.round.attempts_allowed = None
    db.session.commit()
    seen = set()
    for offset in range(1, 8):
        attempt = start_attempt(world.contestant, world.round, now + timedelta(minutes=offset * 20))
        seen |= {item.question_id for item in attempt.items}
    assert seen - set(ids[:5])


def test_a_draw_never_puts_two_of_a_family_on_one_paper(world, now):
    # Two related pairs: the second of each states the first's answer in its stem.
    related = [
        _question("Cán bộ không được để người dân đi lại bổ sung hồ sơ quá bao nhiêu lần?", "Hai lần",
                  "Khoản 4 Điều 20 Nghị định 63/2010/NĐ-CP"),
        _question("Yêu cầu không để người dân đi lại bổ sung hồ sơ quá hai lần có ngoại lệ nào?",
                  "Trừ trường hợp người dân làm không đúng hướng dẫn", "Khoản 4 Điều 20 Nghị định 63/2010/NĐ-CP"),
    ]
    report = import_questions(related, "Ngân hàng thử")
    db.session.commit()
    assert report.in_families == 2
    family = db.session.scalars(sa.select(Question.id).where(Question.family_id.is_not(None))).all()
    assert len(family) == 2
    world.round.attempts_allowed = None
    world.round.question_count = 31  # 32 questions, one family of two: 31 fit, never both of the pair
    db.session.commit()
    for offset in range(6):
        attempt = start_attempt(world.contestant, world.round, now + timedelta(minutes=offset * 20))
        drawn = {item.question_id for item in attempt.items}
        assert len(drawn) == 31 and len(drawn & set(family)) == 1

"""`flask questions import`: all-or-nothing, duplicates skipped, citations tied to documents."""
import sqlalchemy as sa

from contest.bank.models import LegalDocument, Question
from contest.extensions import db
from tests.questions.test_spreadsheet import good_row, write_book


def question_count():
    return db.session.scalar(sa.select(sa.func.count()).select_from(Question))


def test_import_stores_questions_with_their_document_and_article(runner, tmp_path):
    path = write_book(tmp_path / "bank.xlsx", [good_row(1), good_row(2)])
    result = runner.invoke(args=["questions", "import", str(path), "--bank", "Tuần 1"])
    assert result.exit_code == 0, result.output
    assert "Đã nhập 2 câu hỏi" in result.output
    question = db.session.scalars(sa.select(Question).order_by(Question.id)).first()
    assert question.document.number == "63/2010/NĐ-CP" and question.article == "24"
    assert question.bank.name == "Tuần 1" and question.status == "approved"


def test_a_file_with_one_bad_row_imports_nothing(runner, tmp_path):
    path = write_book(tmp_path / "bank.xlsx", [good_row(1), good_row(2, "Z"), good_row(3)])
    result = runner.invoke(args=["questions", "import", str(path)])
    assert result.exit_code == 1
    assert "Dòng 3, cột H (Đáp án)" in result.output
    assert question_count() == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LegalDocument)) == 0


def test_importing_again_skips_questions_already_in_the_bank(runner, tmp_path):
    first = write_book(tmp_path / "one.xlsx", [good_row(1), good_row(2)])
    runner.invoke(args=["questions", "import", str(first)])
    second = write_book(tmp_path / "two.xlsx", [good_row(2), good_row(3)])
    result = runner.invoke(args=["questions", "import", str(second)])
    assert result.exit_code == 0
    assert "Đã nhập 1 câu hỏi" in result.output and "Bỏ qua 1 câu" in result.output
    assert question_count() == 3


def test_dry_run_reports_without_storing(runner, tmp_path):
    path = write_book(tmp_path / "bank.xlsx", [good_row(1), good_row(2)])
    result = runner.invoke(args=["questions", "import", str(path), "--dry-run"])
    assert result.exit_code == 0 and "Sẽ nhập 2 câu hỏi" in result.output
    assert question_count() == 0


def test_unknown_format_is_refused(runner, tmp_path):
    path = tmp_path / "bank.pdf"
    path.write_bytes(b"%PDF")
    result = runner.invoke(args=["questions", "import", str(path)])
    assert result.exit_code != 0 and "chưa được hỗ trợ" in result.output

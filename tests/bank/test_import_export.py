"""Importing through the page (preview, then confirm) and exporting in every format."""
import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from contest.bank.models import PendingImport, Question, QuestionBank
from contest.extensions import db
from contest.jobs import work
from questions.formats import read_bank
from questions.text import fold
from contest.accounts.models import Role
from tests import factories
from tests.conftest import Auth, csrf_token
from tests.questions.test_spreadsheet import good_row, write_book


def count_questions(bank_name=None):
    query = sa.select(sa.func.count()).select_from(Question)
    if bank_name:
        query = query.join(Question.bank).where(sa.text("question_banks.name = :name")).params(name=bank_name)
    return db.session.scalar(query)


def upload(client, path, bank="Tuần 2", bank_id=None):
    """Post a file for its preview, into an existing bank (bank_id) or a new one named `bank`."""
    token = csrf_token(client, "/organizer/bank/import")
    choice = {"bank_id": str(bank_id)} if bank_id is not None else {"bank_id": "0", "new_bank_name": bank}
    with open(path, "rb") as handle:
        return client.post("/organizer/bank/import", data={"csrf_token": token, **choice,
                                                            "file": (handle, Path(path).name)},
                           content_type="multipart/form-data")


@pytest.fixture(params=["request", "job"])
def checked_in(request, app, monkeypatch):
    """Where a file is checked: in the request (a small file), or by a jobs worker (every file here
    counts as large)."""
    if request.param == "job":
        monkeypatch.setitem(app.config, "BANK_PREVIEW_INLINE_BYTES", 0)
    return request.param


def preview_of(client, response) -> str:
    """The preview page an upload leads to: at once, or through the "bank.preview" job's page once a
    worker has run it (the page's script goes on to the preview by itself; here the test follows it)."""
    if response.status_code != 302:
        return response.get_data(as_text=True)
    job_url = response.headers["Location"]
    assert re.fullmatch(r"/jobs/\d+", job_url)
    assert "Đang chờ" in client.get(job_url).get_data(as_text=True)
    db.session.commit()  # the test's own read would hold SQLite's lock the worker's progress needs
    assert work(max_jobs=1) == 1
    state = client.get(job_url + ".json").get_json()
    assert state["status"] == "done" and state["follow"] and state["url"].startswith("/organizer/bank/import/preview/")
    return client.get(state["url"]).get_data(as_text=True)


def held_token(page: str) -> str:
    return page.split('name="token" value="')[1].split('"')[0]


def test_preview_lists_every_fault_and_stores_nothing(organizer, tmp_path, checked_in):
    path = write_book(tmp_path / "loi.xlsx", [good_row(1), good_row(2, "Z"), good_row(3, **{"2": ""})])
    page = preview_of(organizer, upload(organizer, path))
    assert "Tệp có 2 lỗi; chưa nhập câu nào" in page
    assert "Dòng 3, cột H (Đáp án)" in page and "Dòng 4, cột C (Câu hỏi)" in page
    assert count_questions() == 30 and db.session.scalar(sa.select(QuestionBank.id).where(QuestionBank.name == "Tuần 2")) is None


def test_the_bank_is_chosen_explicitly_and_the_file_survives_a_form_error(organizer, world, tmp_path, checked_in):
    path = write_book(tmp_path / "tot.xlsx", [good_row(1), good_row(2)])
    token = csrf_token(organizer, "/organizer/bank/import")
    with open(path, "rb") as handle:
        page = organizer.post("/organizer/bank/import", data={"csrf_token": token, "file": (handle, "tot.xlsx")},
                              content_type="multipart/form-data").get_data(as_text=True)
    assert "Chọn ngân hàng nhận câu hỏi." in page and "Tệp đã chọn:</strong> <span class=\"long\">tot.xlsx" in page
    # A new bank named like an existing one (case and diacritics aside) is refused: choose that bank.
    existing = db.session.scalar(sa.select(QuestionBank))
    again = organizer.post("/organizer/bank/import", data={
        "csrf_token": token, "token": held_token(page), "bank_id": "0", "new_bank_name": fold(existing.name).upper()})
    assert f"Đã có ngân hàng “{existing.name}”" in again.get_data(as_text=True)
    # The same file, kept, goes into the bank chosen from the list; the preview shows options and key.
    preview = preview_of(organizer, organizer.post("/organizer/bank/import", data={
        "csrf_token": token, "token": held_token(page), "bank_id": str(existing.id)}))
    assert f"Sẽ nhập <strong>2</strong> câu hỏi vào ngân hàng “{existing.name}”" in preview
    assert '<li class="key">' in preview and "Đáp án: B" in preview
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuestionBank)) == 1


def test_preview_then_confirm_imports_once(organizer, runner, tmp_path, checked_in):
    path = write_book(tmp_path / "tot.xlsx", [good_row(1), good_row(2), good_row(2)])
    page = preview_of(organizer, upload(organizer, path))
    assert "Sẽ nhập <strong>2</strong> câu hỏi" in page and "bỏ qua 1 câu đã có" in page
    assert count_questions() == 30  # the preview stored nothing
    token = held_token(page)
    response = organizer.post("/organizer/bank/import/confirm",
                              data={"csrf_token": csrf_token(organizer, "/organizer/bank/import"), "token": token})
    # The import is a background job: the request answers at once with the job's progress page.
    job_url = response.headers["Location"]
    assert re.fullmatch(r"/jobs/\d+", job_url)
    assert "Đang chờ" in organizer.get(job_url).get_data(as_text=True) and count_questions() == 30
    db.session.commit()  # the test's own read would hold SQLite's lock the worker's progress needs
    result = runner.invoke(args=["jobs", "work", "--until-empty"])
    assert result.exit_code == 0 and "Đã chạy 1 công việc" in result.output
    state = organizer.get(job_url + ".json").get_json()
    assert state["status"] == "done", (state, result.output)
    assert state["status"] == "done" and state["percent"] == 100 and state["url"] == "/organizer/bank/"
    assert state["message"].startswith("Đã nhập 2 câu hỏi vào ngân hàng “Tuần 2”")
    assert "Đã nhập 2 câu hỏi vào ngân hàng “Tuần 2”" in organizer.get(job_url).get_data(as_text=True)
    assert count_questions() == 32
    again = organizer.post("/organizer/bank/import/confirm",
                           data={"csrf_token": csrf_token(organizer, "/organizer/bank/import"), "token": token},
                           follow_redirects=True)
    assert "phiên nhập đã hết hạn" in again.get_data(as_text=True) and count_questions() == 32


def test_a_large_preview_keeps_the_first_questions_and_faults_and_counts_the_rest(organizer, tmp_path, app,
                                                                                   monkeypatch):
    monkeypatch.setitem(app.config, "BANK_PREVIEW_INLINE_BYTES", 0)
    good = write_book(tmp_path / "lon.xlsx", [good_row(number) for number in range(1, 31)])
    page = preview_of(organizer, upload(organizer, good))
    assert "Sẽ nhập <strong>30</strong> câu hỏi" in page
    assert page.count('class="preview-question"') == 20 and "… và 10 câu khác" in page
    faulty = write_book(tmp_path / "loi-lon.xlsx", [good_row(number, "Z") for number in range(1, 251)])
    page = preview_of(organizer, upload(organizer, faulty, bank="Tuần 5"))
    assert "Tệp có 250 lỗi; chưa nhập câu nào" in page and page.count("cột H (Đáp án)") == 200
    assert "… và 50 lỗi khác" in page and 'name="new_bank_name"' in page and 'value="Tuần 5"' in page
    assert count_questions() == 30


def test_only_the_organizer_who_uploaded_sees_the_preview(organizer, world, tmp_path, app,
                                                          monkeypatch):
    monkeypatch.setitem(app.config, "BANK_PREVIEW_INLINE_BYTES", 0)
    path = write_book(tmp_path / "tot.xlsx", [good_row(1)])
    job_url = upload(organizer, path).headers["Location"]
    job_id = int(job_url.rsplit("/", 1)[1])
    # Not yet checked: the preview's address leads back to the job's progress.
    queued = organizer.get(f"/organizer/bank/import/preview/{job_id}")
    assert queued.status_code == 302 and queued.headers["Location"] == job_url
    db.session.commit()
    assert work(max_jobs=1) == 1
    assert "Câu hỏi số 1" in organizer.get(f"/organizer/bank/import/preview/{job_id}").get_data(as_text=True)
    factories.make_user("btc2@example.vn", world.province, Role.ORGANIZER, name="Ban tổ chức hai")
    db.session.commit()
    other = app.test_client()
    Auth(other).login("btc2@example.vn")
    assert other.get(f"/organizer/bank/import/preview/{job_id}").status_code == 404


def test_a_preview_whose_upload_expired_fails_with_a_reason(organizer, tmp_path, app, monkeypatch):
    monkeypatch.setitem(app.config, "BANK_PREVIEW_INLINE_BYTES", 0)
    job_url = upload(organizer, write_book(tmp_path / "tot.xlsx", [good_row(1)])).headers["Location"]
    db.session.execute(sa.delete(PendingImport))  # the held upload is gone (expired) before a worker runs
    db.session.commit()
    assert work(max_jobs=1) == 1
    state = organizer.get(job_url + ".json").get_json()
    assert state["status"] == "failed" and state["url"] is None
    assert state["message"] == "Phiên nhập đã hết hạn; vui lòng tải tệp lên lại."
    job_id = int(job_url.rsplit("/", 1)[1])
    assert organizer.get(f"/organizer/bank/import/preview/{job_id}").headers["Location"] == job_url


def test_template_downloads_with_vietnamese_headers(organizer, tmp_path):
    response = organizer.get("/organizer/bank/template.xlsx")
    assert response.status_code == 200
    headers = [cell.value for cell in load_workbook(io.BytesIO(response.data)).active[1]]
    assert "Câu hỏi" in headers and "Đáp án" in headers and "Căn cứ" in " ".join(map(str, headers))


@pytest.mark.parametrize("format_name", ["xlsx", "csv", "gift", "aiken", "moodle-xml", "json"])
def test_export_then_import_round_trips(runner, world, tmp_path, format_name):
    extension = {"moodle-xml": ".xml"}.get(format_name, f".{format_name}")
    path = tmp_path / f"bank{extension}"
    result = runner.invoke(args=["questions", "export", "--format", format_name, "-o", str(path)])
    assert result.exit_code == 0, result.output
    records = read_bank(path)
    assert len(records) == 30
    originals = {q.text: q for q in db.session.scalars(sa.select(Question))}
    for record in records:
        original = originals[record.text]
        assert record.choices == original.choices and record.correct == original.correct
    imported = runner.invoke(args=["questions", "import", str(path), "--bank", "Bản sao"])
    assert imported.exit_code == 0 and "Đã nhập 30 câu hỏi" in imported.output


def test_export_page_downloads_a_file(organizer):
    response = organizer.get("/organizer/bank/export?format=json")
    assert response.status_code == 200 and b'"questions"' in response.data
    assert organizer.get("/organizer/bank/export?format=docx").status_code == 404

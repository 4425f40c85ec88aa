"""A long import as the organizer meets it: confirmed, it becomes a background job whose page shows a
progress bar, then the outcome and the way on, without reloading (static/job.js, under the CSP)."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from contest.accounts.models import Role
from contest.extensions import db
from contest.database import utcnow
from contest.jobs import claim_next, recover_abandoned, work
from contest.jobs.models import Job
from questions.spreadsheet import write_xlsx
from tests import factories
from tests.browser.conftest import snapshot

pytestmark = pytest.mark.browser


def _organizer_checks_a_file(page, live_world, tmp_path, filename: str, bank: str, count: int, prefix: str) -> None:
    """An organizer signs in and sends `filename`, an .xlsx of `count` questions for a new bank, to be checked."""
    factories.make_user("btc@example.vn", None, Role.ORGANIZER, name="Trần Văn Tổ")
    db.session.commit()
    db.session.remove()
    path = tmp_path / filename
    write_xlsx(factories.question_records(count, prefix=prefix), path)
    base = live_world["base_url"]
    page.goto(base + "/login")
    page.get_by_label("Email").fill("btc@example.vn")
    page.get_by_label("Mật khẩu").fill(factories.PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(base + "/organizer/bank/import")
    page.get_by_label("Tệp ngân hàng câu hỏi").set_input_files(str(path))
    page.get_by_role("radio", name=re.compile("Ngân hàng mới")).check()
    page.get_by_label("Tên ngân hàng mới").fill(bank)
    page.get_by_role("button", name="Kiểm tra tệp").click()


def test_a_confirmed_import_runs_as_a_job_with_a_progress_bar(page, live_world, tmp_path):
    _organizer_checks_a_file(page, live_world, tmp_path, "tuan-3.xlsx", "Tuần 3", 5, "Câu mới")
    page.get_by_role("button", name=re.compile("Nhập 5 câu hỏi")).click()
    expect(page).to_have_url(re.compile(r"/jobs/\d+$"))
    expect(page.get_by_text("Đang chờ")).to_be_visible()
    expect(page.get_by_role("progressbar", name="Tiến độ")).to_be_visible()
    snapshot(page, "job-queued")

    assert work(idle=lambda: True) == 1  # the worker, as `flask jobs work` runs it
    db.session.remove()
    expect(page.get_by_text("Đã nhập 5 câu hỏi vào ngân hàng “Tuần 3”.")).to_be_visible()
    expect(page.get_by_text("Đã xong")).to_be_visible()
    expect(page.locator("progress")).to_have_attribute("value", "100")
    snapshot(page, "job-done")
    page.get_by_role("link", name="Tiếp tục").click()
    expect(page).to_have_url(re.compile(r"/organizer/bank/$"))


def test_a_large_file_is_checked_by_a_job_whose_page_goes_on_to_the_preview(page, live_world, app, tmp_path,
                                                                             monkeypatch):
    monkeypatch.setitem(app.config, "BANK_PREVIEW_INLINE_BYTES", 0)  # every file counts as large here
    _organizer_checks_a_file(page, live_world, tmp_path, "tuan-4.xlsx", "Tuần 4", 25, "Câu lớn")
    expect(page).to_have_url(re.compile(r"/jobs/\d+$"))
    expect(page.get_by_role("heading", name="Kiểm tra “tuan-4.xlsx” trước khi nhập vào ngân hàng “Tuần 4”")).to_be_visible()
    expect(page.get_by_text("Đang chờ")).to_be_visible()
    snapshot(page, "job-preview-queued")

    assert work(idle=lambda: True) == 1
    db.session.remove()
    # The job's page goes on to the preview by itself: the first 20 questions with options and key.
    expect(page).to_have_url(re.compile(r"/organizer/bank/import/preview/\d+#preview-heading$"))
    expect(page.get_by_text("Sẽ nhập 25 câu hỏi vào ngân hàng “Tuần 4”")).to_be_visible()
    expect(page.locator(".preview-question")).to_have_count(20)
    expect(page.get_by_text("… và 5 câu khác")).to_be_visible()
    snapshot(page, "import-preview-from-job")
    page.get_by_role("button", name=re.compile("Nhập 25 câu hỏi")).click()
    expect(page).to_have_url(re.compile(r"/jobs/\d+$"))
    assert work(idle=lambda: True) == 1
    db.session.remove()
    expect(page.get_by_text("Đã nhập 25 câu hỏi vào ngân hàng “Tuần 4”.")).to_be_visible()


def test_an_import_whose_worker_died_shows_it_runs_again_then_its_outcome(page, live_world, tmp_path):
    _organizer_checks_a_file(page, live_world, tmp_path, "tuan-5.xlsx", "Tuần 5", 5, "Câu lại")
    page.get_by_role("button", name=re.compile("Nhập 5 câu hỏi")).click()
    expect(page).to_have_url(re.compile(r"/jobs/\d+$"))
    # A worker takes the job and is killed (a restart, a deploy): its heartbeat stops.
    job = claim_next("may-da-tat:4242")
    db.session.execute(sa.update(Job).where(Job.id == job.id).values(heartbeat_at=utcnow() - timedelta(minutes=5)))
    db.session.commit()
    expect(page.get_by_text("Đang chạy")).to_be_visible()
    assert recover_abandoned() == 1  # as any worker's next look finds it
    db.session.remove()
    expect(page.get_by_text("Chạy lại từ đầu: máy chạy nền trước đó đã dừng giữa chừng")).to_be_visible()
    expect(page.get_by_text("Đang chờ")).to_be_visible()
    snapshot(page, "job-run-again")

    assert work(idle=lambda: True) == 1
    db.session.remove()
    expect(page.get_by_text("Đã nhập 5 câu hỏi vào ngân hàng “Tuần 5”.")).to_be_visible()
    expect(page.get_by_text("Đã xong")).to_be_visible()

"""A contestant registers, takes and submits an attempt in a real browser, on a phone and a desktop;
an organizer gives a contestant who forgot their password a temporary one."""
import re
from datetime import datetime

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from contest.accounts.models import Role, User
from contest.accounts.sessions import end_all_sessions
from contest.database import utcnow
from contest.attempts.models import Attempt
from contest.extensions import db
from tests import factories
from tests.browser.conftest import snapshot

pytestmark = pytest.mark.browser


def register(page, live_world, email="lan.nguyen@example.vn"):
    page.goto(live_world["base_url"] + "/register")
    page.get_by_label("Họ và tên").fill("Nguyễn Thị Lan")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Số điện thoại").fill("0987654321")
    # The agency picker: part of the name, typed without diacritics, finds the commune.
    page.get_by_role("searchbox", name=re.compile("Tìm đơn vị")).fill("xa mot")
    page.get_by_role("radio", name=re.compile("UBND xã Một")).check()
    page.get_by_label("Mật khẩu", exact=True).fill("matkhau123")
    page.get_by_label("Nhập lại mật khẩu").fill("matkhau123")
    page.get_by_label(re.compile("Tôi đồng ý")).check()
    page.get_by_role("button", name="Đăng ký").click()
    expect(page.get_by_text("Đăng ký thành công")).to_be_visible()


def start_attempt(page, live_world):
    page.goto(f"{live_world['base_url']}/rounds/{live_world['round_id']}")
    page.get_by_role("button", name=re.compile("Bắt đầu thi")).click()
    expect(page.locator("#timer")).to_be_visible()


def stored_answers():
    db.session.expire_all()
    attempt = db.session.scalar(sa.select(Attempt))
    answers = {item.position: item.selected for item in attempt.items}
    db.session.remove()
    return answers


def test_register_take_and_submit(page, live_world):
    register(page, live_world)
    start_attempt(page, live_world)
    # The countdown starts from the server's remaining time (10 minutes in this round).
    expect(page.locator("#timer")).to_have_text(re.compile(r"^(10:00|9:[0-5]\d)$"))
    questions = page.locator("fieldset.question")
    expect(questions).to_have_count(5)
    for index in range(5):
        questions.nth(index).locator("label.option").nth(index % 4).click()
        expect(page.locator("#save-status")).to_have_text(f"Đã lưu câu {index + 1}.")
    snapshot(page, "paper-answered")
    assert all(selected == [index % 4] for index, selected in stored_answers().items())
    # Reloading resumes the attempt with its answers.
    page.reload()
    for index in range(5):
        expect(questions.nth(index).locator("input").nth(index % 4)).to_be_checked()
    expect(page.locator("#answered")).to_have_text("5")
    page.get_by_role("button", name="Nộp bài").click()
    # Handing in asks first, with the count of answers.
    dialog = page.get_by_role("dialog", name="Nộp bài?")
    expect(dialog).to_contain_text("Bạn đã trả lời 5/5 câu.")
    snapshot(page, "paper-confirm-all-answered")
    dialog.get_by_role("button", name="Nộp bài").click()
    expect(page.get_by_role("heading", name="Kết quả bài thi")).to_be_visible()
    expect(page.locator("#score")).to_have_text(re.compile(r"^[0-5]/5$"))
    page.get_by_role("link", name="Xem bảng xếp hạng").click()
    expect(page.locator("tr.me")).to_contain_text("Nguyễn T. L")  # the public board masks names


def test_a_skewed_device_clock_changes_nothing_and_time_running_out_submits(page, live_world):
    register(page, live_world, email="dongho@example.vn")
    # The phone's clock is years off; the countdown still follows the server's remaining time.
    page.clock.install(time=datetime(2031, 5, 17, 8, 0, 0))
    # Paused: the page's time moves only when the test moves it, however busy the machine is.
    page.clock.pause_at(datetime(2031, 5, 17, 8, 0, 1))
    start_attempt(page, live_world)
    expect(page.locator("#timer")).to_have_text(re.compile(r"^(10:00|9:[0-5]\d)$"))
    page.locator("fieldset.question").nth(0).locator("label.option").nth(1).click()
    expect(page.locator("#save-status")).to_have_text("Đã lưu câu 1.")
    page.clock.fast_forward("09:30")
    expect(page.locator("#timer")).to_have_text(re.compile(r"^0:(2\d|30)$"))
    expect(page.locator("#timer-announce")).to_have_text("Còn 30 giây.")
    page.clock.fast_forward("00:31")
    expect(page.get_by_role("heading", name="Kết quả bài thi")).to_be_visible()
    assert stored_answers()[0] == [1]


def test_an_answer_chosen_after_the_session_ended_is_kept_and_saved_after_logging_in_again(page, live_world):
    register(page, live_world, email="phien@example.vn")
    start_attempt(page, live_world)
    # The password was reset elsewhere: this browser's session no longer names the contestant.
    user = db.session.scalar(sa.select(User).where(User.email == "phien@example.vn"))
    end_all_sessions(user, utcnow(), "password_reset_by_mail")
    db.session.commit()
    db.session.remove()
    page.locator("fieldset.question").nth(0).locator("label.option").nth(1).click()
    expect(page.locator("#save-status")).to_have_text(re.compile("^Phiên đăng nhập đã kết thúc"))
    expect(page.locator("#save-status")).to_have_class(re.compile("offline"))
    assert stored_answers()[0] is None
    # Logging in again in another tab: the paper's kept answer goes through on its next try.
    other = page.context.new_page()
    other.goto(live_world["base_url"] + "/login")
    other.get_by_label("Email").fill("phien@example.vn")
    other.get_by_label("Mật khẩu").fill("matkhau123")
    other.get_by_role("button", name="Đăng nhập").click()
    expect(other.get_by_text("Nguyễn Thị Lan")).to_be_visible()
    # Back on the paper's tab, the kept answer is sent at once.
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    expect(page.locator("#save-status")).to_have_text("Đã lưu câu 1.")
    assert stored_answers()[0] == [1]


def test_an_organizer_finds_a_contestant_without_diacritics_and_gives_a_temporary_password(page, live_world):
    factories.make_user("btc@example.vn", None, Role.ORGANIZER, name="Trần Văn Tổ")
    db.session.commit()
    db.session.remove()
    base = live_world["base_url"]
    page.goto(base + "/login")
    page.get_by_label("Email").fill("btc@example.vn")
    page.get_by_label("Mật khẩu").fill(factories.PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("link", name="Ban tổ chức", exact=True).click()
    page.get_by_role("link", name="Tài khoản thí sinh").click()
    page.get_by_role("searchbox").fill("nguyen van thi")
    page.get_by_role("button", name="Tìm").click()
    expect(page.get_by_role("cell", name="thisinh@example.vn")).to_be_visible()
    page.get_by_role("button", name="Cấp lại mật khẩu").click()
    expect(page.get_by_text("Cấp mật khẩu tạm thời cho Nguyễn Văn Thí")).to_be_visible()
    page.get_by_role("button", name="Cấp mật khẩu tạm thời").click()
    temporary = page.locator(".temporary-password code").inner_text()
    assert len(temporary) == 10
    # The contestant logs in with it, in another browser, and sets their own password.
    other = page.context.browser.new_context().new_page()
    other.goto(base + "/login")
    other.get_by_label("Email").fill("thisinh@example.vn")
    other.get_by_label("Mật khẩu").fill(temporary)
    other.get_by_role("button", name="Đăng nhập").click()
    other.get_by_role("link", name="Nguyễn Văn Thí").click()
    other.get_by_label("Mật khẩu hiện tại").fill(temporary)
    other.get_by_label("Mật khẩu mới", exact=True).fill("mat-khau-cua-toi")
    other.get_by_label("Nhập lại mật khẩu mới").fill("mat-khau-cua-toi")
    other.get_by_role("button", name="Đổi mật khẩu").click()
    expect(other.get_by_text("Đã đổi mật khẩu.", exact=False)).to_be_visible()
    other.context.close()

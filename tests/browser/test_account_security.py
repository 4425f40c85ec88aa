"""The account pages issue 15 added, in Chromium at both sizes: the log-in's challenge solved by the page's
own script (static/challenge.js) before the owner gets in, the reset request and the new-password page
reached by a link, and the account's sessions with "log out everywhere else". Each screen is checked as
every page is (no sideways scroll, no English, axe) and saved to test-artifacts/ to be looked at."""
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from contest.accounts.models import User, UserSession
from contest.accounts.services import issue_token
from contest.accounts.sessions import start_session
from contest.database import utcnow
from contest.extensions import db
from tests import factories
from tests.browser.test_every_page import check

pytestmark = pytest.mark.browser

OWNER = "thisinh@example.vn"


def submit_login(page, password):
    page.get_by_label("Email").fill(OWNER)
    page.get_by_label("Mật khẩu").fill(password)
    with page.expect_navigation():  # each answer is a new page: the next one waits for it
        page.get_by_role("button", name="Đăng nhập").click()


def test_past_the_limit_the_page_solves_the_challenge_and_the_owner_gets_in(page, live_world):
    base = live_world["base_url"]
    page.goto(base + "/login")
    for _ in range(3):
        submit_login(page, "sai-mat-khau")
        expect(page.get_by_text("Email hoặc mật khẩu không đúng.")).to_be_visible()
    status = page.locator(".challenge-status")
    expect(status).to_be_visible()
    expect(page.get_by_role("button", name="Đăng nhập")).to_be_enabled(timeout=30_000)  # once solved
    expect(status).to_have_text("Đã xác minh xong, bạn có thể gửi.")
    faults = check(page, "login-challenge")
    submit_login(page, factories.PASSWORD)
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    assert not faults, "\n".join(faults)


def test_a_reset_is_asked_for_and_a_new_password_set_from_the_link(page, live_world):
    base = live_world["base_url"]
    page.goto(base + "/login")
    page.get_by_role("link", name="Quên mật khẩu?").click()
    expect(page.get_by_role("heading", name="Quên mật khẩu")).to_be_visible()
    faults = check(page, "password-forgot")
    page.get_by_label("Email đã đăng ký").fill(OWNER)
    page.get_by_role("button", name="Gửi liên kết đặt lại mật khẩu").click()
    expect(page.get_by_role("heading", name="Kiểm tra hộp thư của bạn")).to_be_visible()
    faults += check(page, "password-forgot-sent")
    user = db.session.scalar(sa.select(User).where(User.email == OWNER))
    token = issue_token(user, "reset", utcnow())  # the link the mail carries (tests/accounts reads a real mail)
    db.session.commit()
    db.session.remove()
    page.goto(f"{base}/password/reset/{token}")
    expect(page.get_by_role("heading", name="Đặt mật khẩu mới")).to_be_visible()
    faults += check(page, "password-reset")
    page.get_by_label("Mật khẩu mới", exact=True).fill("mat-khau-moi-9")
    page.get_by_label("Nhập lại mật khẩu mới").fill("mat-khau-moi-9")
    page.get_by_role("button", name="Đặt mật khẩu mới").click()
    expect(page.get_by_text("Đã đặt mật khẩu mới.")).to_be_visible()
    page.goto(f"{base}/password/reset/{token}")
    expect(page.get_by_role("heading", name="Liên kết không còn dùng được")).to_be_visible()
    faults += check(page, "password-reset-used")
    assert not faults, "\n".join(faults)


def test_the_account_lists_its_sessions_and_logs_out_everywhere_else(page, live_world):
    base = live_world["base_url"]
    user = db.session.scalar(sa.select(User).where(User.email == OWNER))
    for agent, address in [("Mozilla/5.0 (Linux; Android 14; SM-A155F) AppleWebKit/537.36 Chrome/126.0 Mobile "
                            "Safari/537.36", "113.161.42.7"),
                           ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36 "
                            "Edg/126.0", "2402:800:6105:1a2b:3c4d:5e6f:7a8b:9c0d")]:
        start_session(user, utcnow(), address, agent, remember=address.startswith("113"))
    db.session.commit()
    db.session.remove()
    page.goto(base + "/login")
    submit_login(page, factories.PASSWORD)
    page.get_by_role("link", name="Nguyễn Văn Thí").click()
    expect(page.locator("li.session")).to_have_count(3)
    expect(page.locator("li.session.current")).to_contain_text("Phiên này")
    faults = check(page, "account-sessions")
    page.get_by_role("button", name="Đăng xuất mọi nơi khác").click()
    expect(page.get_by_text("Đã đăng xuất 2 phiên ở nơi khác.")).to_be_visible()
    expect(page.locator("li.session")).to_have_count(1)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UserSession)
                             .where(UserSession.ended_at.is_(None))) == 1
    assert not faults, "\n".join(faults)

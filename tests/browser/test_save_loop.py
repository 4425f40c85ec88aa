"""The paper's save loop on the network's bad days, in real Chromium: every answer reaches the server
and the status line says the truth, whatever the link does. Handing in, with and without JavaScript.

Time on the page is Playwright's clock, installed before the paper loads and paused once it has:
the page's loop then runs only when an event arrives or a test moves the clock, so its timeouts and
back-off are stepped over deterministically, whatever the machine's load, instead of slept through.
"""
import re
import time
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from contest.attempts.models import Attempt
from contest.database import utcnow
from contest.extensions import db
from tests import factories
from tests.browser.conftest import open_page, snapshot
from tests.browser.test_contestant_journey import stored_answers

pytestmark = pytest.mark.browser
SAVES = "**/attempts/*/answers"


def log_in(page, base_url: str) -> None:
    """Log the world's contestant in through the log-in page."""
    page.goto(base_url + "/login")
    page.get_by_label("Email").fill("thisinh@example.vn")
    page.get_by_label("Mật khẩu").fill(factories.PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("link", name="Nguyễn Văn Thí")).to_be_visible()


@pytest.fixture
def paper(phone, live_world):
    """The contestant's paper open on a phone, with Playwright's clock installed on the page."""
    phone.clock.install()
    log_in(phone, live_world["base_url"])
    phone.goto(f"{live_world['base_url']}/rounds/{live_world['round_id']}")
    phone.get_by_role("button", name=re.compile("Bắt đầu thi")).click()
    expect(phone.locator("#timer")).to_be_visible()
    phone.clock.pause_at(datetime.now() + timedelta(seconds=1))
    return phone


def wait_until(page, condition, seconds: float = 10) -> None:
    """Let Playwright deliver events (route handlers run then) until `condition()` holds."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        page.wait_for_timeout(20)


def choose(page, question: int, option: int) -> None:
    page.locator("fieldset.question").nth(question).locator("label.option").nth(option).click()


def status(page):
    return page.locator("#save-status")


def test_answers_chosen_offline_are_kept_on_the_device_and_sent_when_back(paper):
    paper.context.set_offline(True)
    choose(paper, 0, 2)
    choose(paper, 1, 1)
    expect(status(paper)).to_have_text(
        "Mất kết nối — 2 câu trả lời được giữ trên máy này và sẽ được lưu khi có mạng.")
    expect(status(paper)).to_have_class(re.compile("offline"))
    snapshot(paper, "paper-offline")
    kept = paper.evaluate("JSON.parse(localStorage.getItem('attempt-' + document.getElementById('paper')"
                          ".dataset.attempt + '-pending'))")
    assert kept["0"]["selected"] == [2] and kept["1"]["selected"] == [1]
    assert stored_answers()[0] is None
    paper.context.set_offline(False)  # Chromium fires "online" itself
    # A second "online" arriving after the answers were saved must not leave the status saying
    # "saving" (what failed in CI: the status was written by the event, not derived from the queue).
    expect(status(paper)).to_have_text("Đã lưu tất cả câu trả lời đã chọn.")
    paper.evaluate("window.dispatchEvent(new Event('online'))")
    expect(status(paper)).to_have_text("Đã lưu tất cả câu trả lời đã chọn.")
    answers = stored_answers()
    assert answers[0] == [2] and answers[1] == [1]
    assert paper.evaluate("localStorage.getItem('attempt-' + document.getElementById('paper')"
                          ".dataset.attempt + '-pending')") == "{}"


def test_a_save_that_never_answers_is_abandoned_and_sent_again(paper):
    held = []
    paper.route(SAVES, lambda route: held.append(route) if not held else route.continue_())
    choose(paper, 0, 1)
    wait_until(paper, lambda: held)
    expect(status(paper)).to_have_text("Đang lưu…")
    assert len(held) == 1 and stored_answers()[0] is None
    paper.clock.fast_forward(5_000)  # still no reply: the page says the link is slow
    expect(status(paper)).to_have_text("Mạng chậm — vẫn đang lưu; 1 câu trả lời được giữ trên máy này.")
    paper.clock.fast_forward(4_000)  # 9 s without a reply: given up and sent again
    expect(status(paper)).to_have_text("Đã lưu câu 1.")
    assert stored_answers()[0] == [1]


def test_a_reply_lost_after_the_server_stored_the_answer(paper):
    dropped = []

    def drop_first_reply(route):
        if dropped:
            route.continue_()
            return
        dropped.append(route.fetch())  # the server stores the answer…
        route.abort("connectionreset")  # …and its reply never reaches the page

    paper.route(SAVES, drop_first_reply)
    choose(paper, 2, 3)
    expect(status(paper)).to_have_text(re.compile("^Mất kết nối — 1 câu trả lời được giữ trên máy này"))
    assert dropped[0].status == 200 and stored_answers()[2] == [3]
    paper.clock.fast_forward(1_500)  # the back-off after a first failure is at most 1.25 s
    expect(status(paper)).to_have_text("Đã lưu câu 3.")
    assert stored_answers()[2] == [3]


def test_server_errors_keep_the_answer_and_it_is_sent_again(paper):
    errors = [(503, {"Retry-After": "2"}), (500, {})]

    def fail_twice(route):
        if not errors:
            route.continue_()
            return
        code, headers = errors.pop(0)
        route.fulfill(status=code, headers={"Content-Type": "text/html", **headers},
                      body="<html><body>Service Unavailable</body></html>")

    paper.route(SAVES, fail_twice)
    with paper.expect_response(lambda response: response.status == 503):
        choose(paper, 4, 0)
    busy = "Máy chủ đang bận — 1 câu trả lời được giữ trên máy này, đang thử lại…"
    expect(status(paper)).to_have_text(busy)
    with paper.expect_response(lambda response: response.status == 500):
        paper.clock.fast_forward(2_100)  # Retry-After: 2 is honoured
    expect(status(paper)).to_have_text(busy)
    assert stored_answers()[4] is None
    paper.clock.fast_forward(3_000)  # the second failure's back-off is at most 2.5 s
    expect(status(paper)).to_have_text("Đã lưu câu 5.")
    assert stored_answers()[4] == [0]


def test_a_slow_link_saves_and_says_it_is_slow_meanwhile(paper):
    cdp = paper.context.new_cdp_session(paper)
    cdp.send("Network.enable")
    # Six seconds of latency on every request: slower than the page's "slow" mark (4 s), faster than
    # the point where it gives a save up (8 s).
    cdp.send("Network.emulateNetworkConditions",
             {"offline": False, "latency": 6_000, "downloadThroughput": -1, "uploadThroughput": -1})
    with paper.expect_request(SAVES):
        choose(paper, 1, 3)
    expect(status(paper)).to_have_text("Đang lưu…")
    paper.clock.fast_forward(4_500)  # the page's clock: the real six seconds are not over yet
    expect(status(paper)).to_have_text("Mạng chậm — vẫn đang lưu; 1 câu trả lời được giữ trên máy này.")
    expect(status(paper)).to_have_text("Đã lưu câu 2.", timeout=20_000)
    assert stored_answers()[1] == [3]
    cdp.send("Network.emulateNetworkConditions",
             {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})


def move_deadline(seconds: int) -> None:
    """Move the attempt's deadline on the server (time passed there while the phone slept)."""
    attempt = db.session.scalar(sa.select(Attempt))
    attempt.deadline_at = utcnow() + timedelta(seconds=seconds)
    db.session.commit()
    db.session.remove()


def test_coming_back_to_the_page_resyncs_the_countdown_and_sends_at_once(paper):
    # The page's clock stands still, as a sleeping phone's may: only the events below move the page.
    paper.route(SAVES, lambda route: route.abort("internetdisconnected"))
    choose(paper, 3, 2)
    expect(status(paper)).to_have_text(re.compile("^Mất kết nối — 1 câu trả lời"))
    paper.unroute(SAVES)
    move_deadline(90)
    paper.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    # Sent at once, not when the back-off would have let it, and the countdown follows the server.
    expect(status(paper)).to_have_text("Đã lưu câu 4.")
    expect(paper.locator("#timer")).to_have_text(re.compile(r"^1:(2\d|30)$"))
    assert stored_answers()[3] == [2]
    # A page restored from the back-forward cache does the same.
    move_deadline(45)
    paper.evaluate("window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))")
    expect(paper.locator("#timer")).to_have_text(re.compile(r"^0:4[0-5]$"))


def test_handing_in_asks_first_and_lists_the_questions_left(paper):
    for question in range(3):
        choose(paper, question, 0)
        # One at a time: answers chosen while others are still in flight are reported together
        # ("Đã lưu tất cả…"), and how many overlap depends on the machine's speed.
        expect(status(paper)).to_have_text(f"Đã lưu câu {question + 1}.")
    expect(paper.locator("#answered")).to_have_text("3")
    paper.get_by_role("button", name="Nộp bài").click()
    dialog = paper.get_by_role("dialog", name="Nộp bài?")
    expect(dialog).to_contain_text("Bạn đã trả lời 3/5 câu.")
    expect(dialog).to_contain_text("Chưa trả lời: câu 4, câu 5.")
    snapshot(paper, "paper-confirm-dialog")
    dialog.get_by_role("button", name="Làm tiếp").click()
    expect(dialog).to_be_hidden()
    assert db.session.scalar(sa.select(Attempt.submitted_at)) is None
    db.session.remove()
    # Handing in while the link is down waits for it, and says so.
    paper.context.set_offline(True)
    paper.get_by_role("button", name="Nộp bài").click()
    dialog.get_by_role("button", name="Nộp bài").click()
    expect(status(paper)).to_have_text("Mất kết nối — bài sẽ được nộp khi có mạng. Đừng đóng trang này.")
    snapshot(paper, "paper-offline-hand-in")
    paper.context.set_offline(False)
    expect(paper.get_by_role("heading", name="Kết quả bài thi")).to_be_visible()
    expect(paper.locator("#score")).to_have_text(re.compile(r"^[0-3]/5$"))


@pytest.fixture
def no_script(request, browser):
    """A phone with JavaScript turned off."""
    yield from open_page(browser, "phone", request.node.name, java_script_enabled=False)


def test_without_javascript_the_paper_is_a_form_with_a_summary_before_handing_in(no_script, live_world):
    page = no_script
    log_in(page, live_world["base_url"])
    page.goto(f"{live_world['base_url']}/rounds/{live_world['round_id']}")
    page.get_by_role("button", name=re.compile("Bắt đầu thi")).click()
    page.locator("fieldset.question").nth(0).locator("label.option").nth(1).click()
    page.locator("fieldset.question").nth(3).locator("label.option").nth(2).click()
    page.get_by_role("button", name="Nộp bài").click()
    expect(page.get_by_role("heading", name="Nộp bài?")).to_be_visible()
    expect(page.locator("#answered")).to_have_text("2/5")
    snapshot(page, "paper-summary-without-javascript")
    expect(page.get_by_text("Chưa trả lời: câu 1")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Chưa trả lời: câu 2, câu 3, câu 5.")
    answers = stored_answers()
    assert answers[0] == [1] and answers[3] == [2]  # kept on the server on the way to the summary
    page.get_by_role("button", name="Nộp bài").click()
    expect(page.get_by_role("heading", name="Kết quả bài thi")).to_be_visible()

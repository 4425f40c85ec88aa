"""Every page type as its user meets it, on a phone (360 × 740) and a desktop (1366 × 768), on the
demo contest: no sideways scrolling, no "None", no English or internal word from ENGLISH, and no
serious or critical accessibility fault found by axe-core (axe-playwright-python bundles it).
Each page is saved to test-artifacts/ as page-<name>-<viewport>.png, to be looked at."""
import os
import re

import pytest
import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe
from openpyxl import load_workbook
from playwright.sync_api import expect

from contest.accounts.models import User
from contest.attempts.models import Attempt
from contest.attempts.services import start_attempt
from contest.bank.models import Question
from contest.database import utcnow
from contest.demo.loader import DEMO_PASSWORD, load_demo
from contest.extensions import db
from contest.legal.services import find_document
from contest.rounds.models import Round
from questions.spreadsheet import blank_template_xlsx
from tests import factories
from tests.browser.conftest import ARTIFACTS, serve

pytestmark = pytest.mark.browser

# Words that only show when text was left untranslated or an internal code leaked onto a page.
ENGLISH = ["None", "null", "undefined", "NaN", "True", "False", "approved", "draft", "retired", "in_force",
           "amended", "replaced", "perfect_papers", "after_close", "score_only", "immediate", "contestant",
           "organizer", "judge", "Submit", "Search", "Save", "Cancel", "Delete", "Login", "Log in", "Logout",
           "Sign in", "Password", "Username", "Error", "Loading", "Next", "Previous", "Back", "Home", "Not a valid",
           "This field", "Invalid", "required", "flask", "closes_at", "opens_at", "bank_id", "stream_banks",
           "round.edit", "round.create", "questions.status", "Not Found", "Forbidden", "Bad Request",
           "Internal Server Error", "CSRF", "token", "Page", "Choose File", "No file chosen"]
_WORDS = re.compile(r"(?<!\w)(" + "|".join(re.escape(word) for word in ENGLISH) + r")(?!\w)")
SERIOUS = {"serious", "critical"}
AXE = Axe()


@pytest.fixture
def live_demo(app):
    """The demo contest (a few simulated contestants), a paper in progress, served over HTTP."""
    now = utcnow()
    load_demo(now, simulated=12)
    weeks = db.session.scalars(sa.select(Round).order_by(Round.opens_at)).all()
    taker = db.session.scalar(sa.select(User).where(User.email == "thisinh1@demo.vn"))
    paper = start_attempt(taker, weeks[1], now)
    simulated = db.session.scalar(sa.select(User).where(User.email == "mo-phong-0001@demo.vn"))
    result = db.session.scalar(sa.select(Attempt.id).where(Attempt.user_id == simulated.id,
                                                           Attempt.submitted_at.is_not(None)).order_by(Attempt.id))
    db.session.commit()
    facts = {"closed": weeks[0].id, "open": weeks[1].id, "contest": weeks[0].contest_id, "paper": paper.id,
             "result": result, "question": db.session.scalar(sa.select(sa.func.min(Question.id))),
             "decree": find_document("63/2010/NĐ-CP").id, "contestant": taker.id}
    with serve(app) as facts["base_url"]:
        yield facts


def check(page, name: str) -> list[str]:
    """What a person would notice on the page now shown: each fault as a line."""
    faults = []
    # Against the screen, not window.innerWidth: a phone zooms out to fit a page wider than itself, which
    # widens innerWidth to the page and would hide the fault.
    width = page.viewport_size["width"]
    scroll_width = page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
    if scroll_width > width:
        faults.append(f"{name}: scrolls sideways ({scroll_width} px on a {width} px screen)")
    shown = page.evaluate("""() => [document.body.innerText, document.title,
        ...Array.from(document.querySelectorAll('[placeholder]'), e => e.placeholder),
        ...Array.from(document.querySelectorAll('input:not([type=hidden]), textarea'), e => e.value)].join('\\n')""")
    for word in sorted(set(_WORDS.findall(shown))):
        faults.append(f"{name}: shows “{word}”")
    for violation in AXE.run(page).response["violations"]:
        if violation["impact"] in SERIOUS:
            targets = ", ".join(str(node["target"]) for node in violation["nodes"][:3])
            faults.append(f"{name}: axe {violation['id']} ({violation['impact']}) at {targets}")
    page.screenshot(path=os.path.join(ARTIFACTS, f"page-{name}-{page.viewport_name}.png"), full_page=True,
                    timeout=60_000)
    return faults


def visit(page, base: str, path: str, name: str, status: int = 200) -> list[str]:
    """Open a page, wait for it to settle, and check it."""
    response = page.goto(base + path)
    assert response.status == status, f"{name}: {path} answered {response.status}"
    return check(page, name)


def log_in(page, base: str, email: str):
    page.context.clear_cookies()
    page.goto(base + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()


def test_every_page_reads_right_on_a_phone_and_a_desktop(page, live_demo, tmp_path):
    os.makedirs(ARTIFACTS, exist_ok=True)
    base, faults = live_demo["base_url"], []
    closed, open_, contest = live_demo["closed"], live_demo["open"], live_demo["contest"]

    # A visitor: the contest's home page, its weeks, boards, log-in and registration.
    for name, path in [("home", "/"), ("round-open", f"/rounds/{open_}"), ("round-closed", f"/rounds/{closed}"),
                       ("board-open", f"/rounds/{open_}/leaderboard"), ("board-final", f"/rounds/{closed}/leaderboard"),
                       ("board-contest", f"/contests/{contest}/leaderboard"), ("login", "/login"),
                       ("register", "/register")]:
        faults += visit(page, base, path, name)
    faults += visit(page, base, "/khong-co-trang-nay", "not-found", status=404)
    page.goto(base + "/register")
    page.get_by_role("searchbox", name=re.compile("Tìm đơn vị")).fill("phu lam")
    expect(page.get_by_role("radio", name=re.compile("UBND xã Phú Lâm"))).to_be_visible()
    faults += check(page, "register-picker")

    # A contestant with results, and one in the middle of a paper.
    log_in(page, base, "mo-phong-0001@demo.vn")
    for name, path in [("home-contestant", "/"), ("round-contestant", f"/rounds/{closed}"),
                       ("result", f"/attempts/{live_demo['result']}/result"),
                       ("board-around-me", f"/rounds/{closed}/leaderboard?around=me"), ("account", "/account")]:
        faults += visit(page, base, path, name)
    # Printed, a result is the result: no menu, buttons or footer.
    page.goto(base + f"/attempts/{live_demo['result']}/result")
    page.emulate_media(media="print")
    expect(page.locator("header.site")).to_be_hidden()
    expect(page.get_by_role("link", name="Xem bảng xếp hạng")).to_be_hidden()
    expect(page.locator("#score")).to_be_visible()
    page.emulate_media(media="screen")
    log_in(page, base, "thisinh1@demo.vn")
    faults += visit(page, base, f"/rounds/{open_}", "round-paper-open")
    faults += visit(page, base, f"/attempts/{live_demo['paper']}", "paper")

    # The organizer.
    log_in(page, base, "bantochuc@demo.vn")
    for name, path in [("organizer", "/organizer/"), ("round-new", "/organizer/rounds/new"),
                       ("round-edit-locked", f"/organizer/rounds/{open_}/edit"),
                       ("round-edit-settled", f"/organizer/rounds/{closed}/edit"),
                       ("contest-settings", f"/organizer/contests/{contest}"), ("bank", "/organizer/bank/"),
                       ("question", f"/organizer/bank/questions/{live_demo['question']}"),
                       ("bank-health", "/organizer/bank/health"), ("legal", "/organizer/legal/"),
                       ("legal-document", f"/organizer/legal/{live_demo['decree']}"),
                       ("agencies", "/organizer/agencies"), ("accounts", "/organizer/accounts?q=nguyen"),
                       ("account-correct", f"/organizer/accounts/{live_demo['contestant']}"),
                       ("audit", "/organizer/audit/"), ("import", "/organizer/bank/import")]:
        faults += visit(page, base, path, name)
    # Checking a bank file: the example row is left out, the preview shows options and the key.
    template = tmp_path / "ngan-hang.xlsx"
    blank_template_xlsx(template)
    workbook = load_workbook(template)
    workbook.active.append([1, "Quy định chung", "Câu hỏi thử của Ban tổ chức?", "Đúng", "Sai", "", "", "A"])
    workbook.save(template)
    page.locator("input[type=file]").set_input_files(str(template))
    page.get_by_role("radio", name=re.compile("Ngân hàng mới")).check()
    page.get_by_label("Tên ngân hàng mới").fill("Ngân hàng thử nghiệm")
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.get_by_text("Sẽ nhập 1 câu hỏi vào ngân hàng “Ngân hàng thử nghiệm”")).to_be_visible()
    faults += check(page, "import-preview")
    # A destructive action asks first, saying how many questions it would take out of the draw.
    page.goto(base + f"/organizer/legal/{live_demo['decree']}")
    page.get_by_role("button", name="Ngừng dùng mọi câu hỏi dựa trên văn bản này").click()
    expect(page.get_by_text(re.compile(r"Sẽ ngừng dùng \d+ câu hỏi"))).to_be_visible()
    faults += check(page, "confirm-retire")
    page.get_by_role("link", name="Hủy, quay lại").click()

    # A judge.
    log_in(page, base, "giamkhao@demo.vn")
    for name, path in [("judging", "/judging/"), ("judging-board", f"/judging/rounds/{closed}/leaderboard"),
                       ("judging-agencies", f"/judging/rounds/{closed}/agencies"),
                       ("judging-contest-agencies", f"/judging/contests/{contest}/agencies"),
                       ("prizes", f"/judging/rounds/{closed}/prizes/"),
                       ("statistics", f"/judging/rounds/{closed}/statistics"),
                       ("integrity", f"/judging/rounds/{closed}/integrity")]:
        faults += visit(page, base, path, name)
    assert not faults, "\n".join(faults)


def test_the_agency_picker_works_without_javascript(browser, live_world):
    context = browser.new_context(locale="vi-VN", java_script_enabled=False, viewport={"width": 360, "height": 740})
    page = context.new_page()
    base = live_world["base_url"]
    page.goto(base + "/register")
    search = page.get_by_role("searchbox", name=re.compile("Tìm đơn vị"))
    search.fill("xa mot")
    search.press("Enter")  # the picker's own form: the page comes back with the agencies found
    page.get_by_role("radio", name=re.compile("UBND xã Một")).check()
    page.get_by_label("Họ và tên").fill("Phạm Văn Không Script")
    page.get_by_label("Email").fill("khong-script@example.vn")
    page.get_by_label("Số điện thoại").fill("0987654322")
    page.get_by_label("Mật khẩu", exact=True).fill("matkhau123")
    page.get_by_label("Nhập lại mật khẩu").fill("matkhau123")
    page.get_by_label(re.compile("Tôi đồng ý")).check()
    page.get_by_label("Nhập lại mật khẩu").press("Enter")  # Enter elsewhere submits the registration
    expect(page.get_by_text("Đăng ký thành công")).to_be_visible()
    page.screenshot(path=os.path.join(ARTIFACTS, "register-without-javascript.png"), full_page=True)
    context.close()
    db.session.remove()
    user = db.session.scalar(sa.select(User).where(User.email == "khong-script@example.vn"))
    assert user.agency_id == int(live_world["commune_id"])
    db.session.remove()


def test_static_files_are_cached_for_a_year_and_pages_compressed(page, live_world):
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(live_world["base_url"] + "/register")
    page.wait_for_load_state("load")
    html = next(r for r in responses if r.url.endswith("/register"))
    assert html.headers.get("content-encoding") in ("br", "zstd", "gzip")
    static = [r for r in responses if "/static/" in r.url]
    assert {re.sub(r"\.[0-9a-f]{12}\.", ".", r.url.rsplit("/", 1)[1]) for r in static} >= {"style.css", "agency-picker.js"}
    for response in static:
        assert re.search(r"\.[0-9a-f]{12}\.(css|js)$", response.url)
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.headers.get("content-encoding") in ("br", "zstd", "gzip")
    # Another page, after logging in, asks only for itself: the style sheet comes from the browser's cache.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    asked, cached = {}, set()
    cdp.on("Network.requestWillBeSent", lambda event: asked.update({event["requestId"]: event["request"]["url"]}))
    cdp.on("Network.requestServedFromCache", lambda event: cached.add(event["requestId"]))
    page.goto(live_world["base_url"] + "/login")
    page.get_by_label("Email").fill("thisinh@example.vn")
    page.get_by_label("Mật khẩu").fill(factories.PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state("load")
    seen_before = {response.url for response in static}
    again = {request_id for request_id, url in asked.items() if url in seen_before}
    assert again and again <= cached, [asked[request_id] for request_id in again - cached]

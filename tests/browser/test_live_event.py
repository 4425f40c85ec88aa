"""A whole small live event in real Chromium: the host's console, the projector screen and three team phones
(one losing its network mid-question and coming back), through a rehearsal and every segment kind, ending
with the judges' signatures and the exported results."""
import io
import re

import openpyxl
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from contest.accounts.models import Role
from contest.bank.models import Question
from contest.extensions import db
from contest.live import services
from contest.live.models import LiveMark
from contest.live.rules import SegmentRules
from contest.prizes.models import ResultSnapshot
from tests import factories
from tests.browser.conftest import ARTIFACTS, open_page, serve, snapshot

pytestmark = pytest.mark.browser


@pytest.fixture
def live_event(app, now):
    """Three teams, four segments (all answer ×2, speed ×1 with 3 s, buzzer ×1, star ×1), two judges, served
    over HTTP by a threaded server in this process."""
    world = factories.build_world(now)
    organizer = factories.make_user("btc@example.vn", world.province, Role.ORGANIZER, name="Ban tổ chức")
    judges = [factories.make_user(f"gk{n}@example.vn", None, Role.JUDGE, name=f"Giám khảo {n}") for n in (1, 2)]
    db.session.flush()
    questions = db.session.scalars(sa.select(Question.id).order_by(Question.id)).all()
    event = services.create_event("Hội thi Cải cách hành chính tỉnh Thử", world.round.bank, "teams",
                                  "Hội trường UBND tỉnh", organizer, now)
    teams = [services.add_team(event, name, agency.id, members, organizer)
             for name, agency, members in (("Sở Tư pháp", world.department, "Nguyễn Văn An\nTrần Thị Bình"),
                                           ("UBND huyện Một", world.district, "Lê Văn Cường"),
                                           ("UBND xã Một", world.commune, "Phạm Thị Dung"))]
    plan = [("all_answer", "Khởi động", 20, 2), ("speed", "Tăng tốc", 3, 1), ("buzzer", "Giành quyền trả lời", 20, 1),
            ("star", "Về đích", 20, 1)]
    used = 0
    for kind, title, seconds, count in plan:
        segment = services.add_segment(event, kind, title, seconds, 10, SegmentRules(), organizer)
        services.choose_questions(segment, questions[used:used + count], organizer)
        used += count
    services.set_judges(event, [judge.id for judge in judges], organizer)
    db.session.commit()
    facts = {"event_id": event.id, "code": event.code,
             "teams": [{"id": team.id, "name": team.name, "pin": team.pin} for team in teams]}
    with serve(app) as facts["base_url"]:
        yield facts


def log_in(page, base_url: str, email: str) -> None:
    page.goto(base_url + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Mật khẩu").fill(factories.PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()


def join(phone, live_event, team: dict) -> None:
    """Join as the team scanning its QR code would: the join page with the code, team and PIN filled in."""
    phone.goto(f"{live_event['base_url']}/live/{live_event['code']}?team={team['id']}&pin={team['pin']}")
    phone.get_by_role("button", name="Vào hội thi").click()
    expect(phone.locator(".player-team")).to_have_text(team["name"])
    expect(phone.locator("#link-status")).to_have_text("Đã kết nối.")


def state_line(phone):
    return phone.locator("#player-state")


def option(phone, letter: str):
    return phone.locator(".player-option").filter(has=phone.locator(".option-letter", has_text=letter))


def press(host, key: str, then_phase: str) -> None:
    """A keyboard shortcut on the host's console, and the phase the stage reaches."""
    host.locator("body").press(key)
    expect(host.locator("#phase-label")).to_have_text(then_phase)


def marks_of(team_id: int) -> int:
    total = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(LiveMark.points), 0))
                              .where(LiveMark.team_id == team_id))
    db.session.remove()
    return total


def test_a_whole_live_event(browser, live_event):
    base, code = live_event["base_url"], live_event["code"]
    team_a, team_b, team_c = live_event["teams"]
    host_pages = open_page(browser, "desktop", "live-host")
    host = next(host_pages)
    screen_context = browser.new_context(locale="vi-VN", viewport={"width": 1920, "height": 1080})
    screen_context.set_default_timeout(10_000)
    screen = screen_context.new_page()
    screen.viewport_name = "projector"
    phone_pages = [open_page(browser, "phone", f"live-phone-{n}") for n in (1, 2, 3)]
    phones = [next(pages) for pages in phone_pages]
    a, b, c = phones
    host.on("dialog", lambda dialog: dialog.accept())
    try:
        log_in(host, base, "btc@example.vn")
        host.goto(f"{base}/organizer/live/{live_event['event_id']}/host")
        expect(host.locator("#link-status")).to_have_text("Đã kết nối.")
        screen.goto(f"{base}/live/{code}/screen")
        expect(screen.locator(".join-code")).to_have_text(code)
        for phone, team in zip(phones, live_event["teams"]):
            join(phone, live_event, team)
        expect(state_line(a)).to_have_text("Chờ người dẫn chương trình bắt đầu.")
        snapshot(screen, "live-screen-waiting")

        # A rehearsal first: every screen says so, and ending it leaves nothing behind.
        host.get_by_role("button", name="Diễn tập", exact=True).click()
        expect(screen.locator("#rehearsal-banner")).to_be_visible()
        expect(a.locator("#rehearsal-banner")).to_be_visible()
        press(host, "n", "Đang trả lời")
        option(a, "B").click()
        expect(state_line(a)).to_have_text("Đã chọn B — chờ công bố.")
        host.get_by_role("button", name="Khóa câu").click()
        expect(host.locator("#phase-label")).to_have_text("Hết giờ")
        host.get_by_role("button", name="Kết thúc diễn tập").click()
        expect(screen.locator("#rehearsal-banner")).to_be_hidden()
        expect(host.locator("#phase-label")).to_have_text("Chờ bắt đầu")
        assert marks_of(team_a["id"]) == 0

        # The real event. Segment 1, all answer: A right, B wrong, C answers then loses its network.
        host.get_by_role("button", name="Bắt đầu hội thi").click()
        expect(screen.locator("#waiting-line")).to_have_text("Sắp bắt đầu — các đội tham gia bằng mã trên.")
        press(host, "n", "Đang trả lời")
        expect(screen.locator("#question-number")).to_have_text("Câu 1/5 · 10 điểm")
        expect(screen.locator(".option")).to_have_count(4)
        expect(a.locator(".player-option")).to_have_count(4)
        expect(a.locator("#player-countdown")).to_have_text(re.compile(r"^(20|19|18|17) giây$"))
        option(a, "A").click()
        option(b, "C").click()
        option(c, "D").click()
        expect(state_line(c)).to_have_text("Đã chọn D — chờ công bố.")
        expect(screen.locator("#question-note")).to_have_text("3/3 đội đã trả lời")
        expect(host.locator("#team-rows tr").nth(0).locator("td").nth(1)).to_have_text("A")
        expect(host.locator("#correct-line")).to_contain_text("Đáp án (chỉ người dẫn thấy): A")
        snapshot(screen, "live-screen-question")
        snapshot(a, "live-phone-answered")
        snapshot(host, "live-host-question")
        c.context.set_offline(True)
        expect(c.locator("#link-status")).to_have_text("Mất kết nối — đang kết nối lại…")
        press(host, "l", "Hết giờ")
        press(host, "r", "Đáp án")
        expect(screen.locator("#reveal-letters")).to_have_text("A")
        expect(screen.locator("#reveal-citation")).to_contain_text("Điều 3 Nghị định 63/2010/NĐ-CP")
        expect(screen.locator(".bar-count").nth(0)).to_have_text("1 đội")
        expect(state_line(a)).to_have_text("Đáp án đúng: A. Đúng! Đội chọn A. +10 điểm.")
        expect(a.locator("#team-score")).to_have_text("10")
        snapshot(screen, "live-screen-reveal")
        snapshot(a, "live-phone-right")
        # C comes back: the current state at once, with what it answered before it dropped.
        expect(state_line(c)).to_have_text("Đã chọn D — chờ công bố.")
        c.context.set_offline(False)
        expect(state_line(c)).to_have_text("Đáp án đúng: A. Sai. Đội chọn D. 0 điểm.", timeout=3_000)
        expect(c.locator("#link-status")).to_have_text("Đã kết nối.")
        press(host, "b", "Bảng điểm")
        expect(screen.locator("#board li").first).to_contain_text("Sở Tư pháp")
        snapshot(screen, "live-screen-board")

        # Question 2: C loses its network before answering, chooses offline, and is back before the lock.
        press(host, "n", "Đang trả lời")
        c.context.set_offline(True)
        option(c, "A").click()
        expect(state_line(c)).to_have_text(re.compile("^Mất kết nối — câu trả lời A được giữ trên máy này"))
        snapshot(c, "live-phone-offline")
        c.context.set_offline(False)
        expect(state_line(c)).to_have_text("Đã chọn A — chờ công bố.")
        option(b, "A").click()
        expect(state_line(b)).to_have_text("Đã chọn A — chờ công bố.")
        press(host, "l", "Hết giờ")
        expect(c.locator("#team-score")).to_have_text("10")

        # Segment 2, speed, 3 seconds: the server's clock locks it and the scoreboard reaches the projector.
        press(host, "n", "Đang trả lời")
        expect(screen.locator("#screen-segment")).to_have_text("Tăng tốc — Tốc độ")
        option(b, "A").click()
        expect(state_line(b)).to_have_text("Đã chọn A — chờ công bố.")
        option(a, "A").click()
        expect(host.locator("#phase-label")).to_have_text("Hết giờ")  # nobody pressed anything
        expect(screen.locator("#question-note")).to_have_text(re.compile("^Hết giờ — 2/3 đội đã trả lời"))
        expect(b.locator("#team-score")).to_have_text("50")  # 10 + 40 for the first right answer
        press(host, "r", "Đáp án")

        # Segment 3, buzzer: B presses first and is wrong; A pressed next and is right.
        press(host, "n", "Đang trả lời")
        expect(b.locator("#buzz-button")).to_be_visible()
        b.locator("#buzz-button").click()
        expect(host.locator("#buzz-holder")).to_have_text("UBND huyện Một")
        expect(screen.locator("#question-note")).to_have_text("UBND huyện Một giành quyền trả lời!")
        a.locator("#buzz-button").click()
        expect(state_line(a)).to_contain_text("chờ lượt")
        snapshot(screen, "live-screen-buzzer")
        snapshot(host, "live-host-buzzer")
        host.locator("body").press("s")
        expect(host.locator("#buzz-holder")).to_have_text("Sở Tư pháp")
        expect(state_line(b)).to_have_text("Đội đã trả lời sai câu này.")
        host.locator("body").press("d")
        expect(host.locator("#phase-label")).to_have_text("Hết giờ")
        expect(a.locator("#team-score")).to_have_text("50")  # 10 (question 1) + 30 (second right in speed) + 10

        # Segment 4, star: C stakes its star and answers right (double).
        press(host, "n", "Đặt ngôi sao")
        expect(c.locator("#stake-button")).to_be_visible()
        c.locator("#stake-button").click()
        expect(state_line(c)).to_have_text("Đội đã đặt ngôi sao hy vọng cho câu này — chờ câu hỏi mở.")
        expect(screen.locator("#question-note")).to_have_text("Các đội đặt ngôi sao hy vọng: ★ UBND xã Một")
        press(host, "n", "Đang trả lời")
        option(c, "A").click()
        expect(state_line(c)).to_have_text("Đã chọn A — chờ công bố.")
        press(host, "l", "Hết giờ")
        press(host, "r", "Đáp án")
        expect(state_line(c)).to_have_text("Đáp án đúng: A. Đúng! Đội chọn A. +20 điểm.")
        expect(c.locator("#team-score")).to_have_text("30")

        # A correction with a reason, from the console.
        host.locator("#team-rows tr").nth(1).get_by_role("button", name="Sửa điểm").click()
        host.locator("#correct-question").select_option(label="Câu 1 (Khởi động)")
        host.locator("#correct-points").fill("5")
        host.locator("#correct-reason").fill("Ban giám khảo chấp nhận một phần câu trả lời")
        host.get_by_role("button", name="Lưu", exact=True).click()
        expect(host.locator("#mark-log li").first).to_contain_text("+5 (sửa điểm, Ban giám khảo chấp nhận")
        expect(b.locator("#team-score")).to_have_text("55")

        host.get_by_role("button", name="Kết thúc hội thi").click()
        expect(screen.locator("#board-title")).to_have_text("Kết quả chung cuộc")
        expect(screen.locator("#board li").first).to_contain_text("UBND huyện Một")
        expect(state_line(b)).to_have_text("Hội thi kết thúc. Đội xếp hạng 1 với 55 điểm.")
        snapshot(screen, "live-screen-final")
        snapshot(b, "live-phone-final")
        snapshot(host, "live-host-final")
    finally:
        for pages in [host_pages, *phone_pages]:
            pages.close()
        screen.screenshot(path=f"{ARTIFACTS}/live-screen.png")
        screen_context.close()

    # Two judges sign the final table; it exports with their signatures and its checksum.
    judge_pages = [open_page(browser, "desktop", f"live-judge-{n}") for n in (1, 2)]
    try:
        for number, pages in enumerate(judge_pages, start=1):
            judge = next(pages)
            log_in(judge, base, f"gk{number}@example.vn")
            judge.goto(f"{base}/judging/live/{live_event['event_id']}")
            expect(judge.locator(".live-table tbody tr").first).to_contain_text("UBND huyện Một")
            judge.get_by_role("button", name="Ký xác nhận bảng kết quả này").click()
            expect(judge.locator(".flash").first).to_have_text(
                "Đã ký; cần thêm chữ ký của một thành viên khác." if number == 1
                else "Đã đủ chữ ký: kết quả hội thi đã được chốt.")
        snapshot(judge, "live-judge-signed")
        with judge.expect_download() as download:
            judge.get_by_role("link", name="Tải bảng kết quả (.xlsx)").click()
        rows = list(openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).active
                    .iter_rows(values_only=True))
    finally:
        for pages in judge_pages:
            pages.close()
    assert rows[0] == ("Hạng", "Đội", "Đơn vị", "Thành viên", "Khởi động", "Tăng tốc", "Giành quyền trả lời",
                       "Về đích", "Số câu đúng", "Tổng điểm")
    assert rows[1][:3] == (1, "UBND huyện Một", "UBND huyện Một") and rows[1][-1] == 55
    assert rows[2][1] == "Sở Tư pháp" and rows[2][-1] == 50
    assert rows[3][1] == "UBND xã Một" and rows[3][-1] == 30
    assert rows[-2][1] == "Đã ký: Giám khảo 1, Giám khảo 2"
    snapshot_row = db.session.scalar(sa.select(ResultSnapshot))
    assert rows[-1][1] == f"Mã kiểm tra SHA-256: {snapshot_row.checksum}"

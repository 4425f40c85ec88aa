"""In Chromium, at phone and desktop sizes: two judges sign a closed round, the organizer publishes it, a
winner downloads their certificate and a stranger verifies it by the code printed on it."""
import io
import re
from datetime import timedelta

import pypdf
import pytest
from playwright.sync_api import expect

from contest.accounts.models import Role
from contest.extensions import db
from contest.jobs import work
from contest.prizes.services import set_prize_rules
from tests import factories
from tests.browser.conftest import serve, snapshot
from tests.browser.test_every_page import check
from tests.certificates.conftest import certificate_font  # noqa: F401  (autouse: the certificate font)
from tests.leaderboards.test_final_ranking import paper, people

pytestmark = pytest.mark.browser
NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung"]


@pytest.fixture
def closed_round(app, now, monkeypatch, tmp_path):
    """A round closed a minute ago with four papers, prize rules, two judges and an organizer, served over HTTP."""
    world = factories.build_world(now)
    users = people(world, NAMES)
    for n, user in enumerate(users):
        paper(user, world.round, now - timedelta(minutes=30), 5 - n, 60 + n)
    judges = [factories.make_user(f"gk{n}@example.vn", world.province, Role.JUDGE, name=name)
              for n, name in enumerate(["Đặng Quốc Giám", "Hoàng Thị Khảo"])]
    factories.make_user("btc@example.vn", world.province, Role.ORGANIZER, name="Ban tổ chức")
    set_prize_rules(world.round, "CBCCVC", [("Giải Nhất", 1, 10), ("Giải Nhì", 1, 8)], judges[0].id)
    world.round.closes_at = now - timedelta(minutes=1)
    db.session.commit()
    facts = {"round_id": world.round.id, "contest_id": world.round.contest_id}
    monkeypatch.setitem(app.config, "CERTIFICATE_BATCH_DIR", str(tmp_path / "giay-chung-nhan"))
    with serve(app) as facts["base_url"]:
        yield facts


def log_in(page, base_url: str, email: str) -> None:
    page.goto(base_url + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Mật khẩu").fill(factories.PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()


def log_out(page) -> None:
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_role("link", name="Đăng nhập")).to_be_visible()


def test_judges_sign_the_organizer_publishes_a_winner_downloads_and_a_stranger_verifies(page, closed_round):
    base, round_id = closed_round["base_url"], closed_round["round_id"]
    prizes = f"{base}/judging/rounds/{round_id}/prizes/"
    for email, message in (("gk0@example.vn", "Đã ký; cần thêm chữ ký"), ("gk1@example.vn", "Đã đủ chữ ký")):
        log_in(page, base, email)
        page.goto(prizes)
        page.get_by_role("button", name="Ký duyệt danh sách này").click()
        expect(page.get_by_role("status").first).to_contain_text(message)
        log_out(page)

    page.goto(f"{base}/rounds/{round_id}/results")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kết quả Tuần 1")
    expect(page.get_by_text("chưa được công bố")).to_be_visible()

    log_in(page, base, "btc@example.vn")
    page.goto(prizes)
    page.get_by_role("button", name="Công bố kết quả").scroll_into_view_if_needed()
    snapshot(page, "publication-prizes-signed")
    page.get_by_role("button", name="Công bố kết quả").click()
    expect(page.get_by_text("Không thể hủy công bố")).to_be_visible()
    snapshot(page, "publication-confirm")
    page.get_by_role("button", name="Công bố kết quả").click()
    expect(page.get_by_role("status")).to_have_text("Đã công bố kết quả.")
    winners = page.locator("table.winners tbody tr")
    expect(winners).to_have_count(2)
    expect(winners.nth(0)).to_contain_text("Nguyễn V. A")
    expect(winners.nth(1)).to_contain_text("Trần T. B")
    expect(page.locator(".signed")).to_contain_text("Đặng Quốc Giám")
    snapshot(page, "publication-results", full_page=True)  # the results run well past one screen
    faults = check(page, "results")
    page.emulate_media(media="print")
    expect(page.locator("header.site")).to_be_hidden()
    snapshot(page, "publication-results-print", full_page=True)
    page.emulate_media(media="screen")

    page.goto(prizes)  # every certificate in one PDF, built by a jobs worker
    page.get_by_role("button", name="Tạo tệp giấy chứng nhận (PDF)").scroll_into_view_if_needed()
    snapshot(page, "publication-prizes-published")
    faults += check(page, "prizes-published")
    page.get_by_role("button", name="Tạo tệp giấy chứng nhận (PDF)").click()
    expect(page).to_have_url(re.compile(r"/jobs/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tạo tệp giấy chứng nhận (PDF)")
    expect(page.get_by_text("Đang chờ")).to_be_visible()
    assert work(max_jobs=1) == 1  # the worker, as `flask jobs work` runs it
    db.session.remove()
    expect(page.get_by_text("Đã tạo 2 giấy chứng nhận trong một tệp PDF")).to_be_visible()
    snapshot(page, "publication-certificates-job-done")
    faults += check(page, "certificates-job-done")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải tệp PDF").click()
    batch = pypdf.PdfReader(download_info.value.path())
    assert [NAMES[n] in batch.pages[n].extract_text() for n in range(len(batch.pages))] == [True, True]
    page.goto(prizes)
    expect(page.locator(".last-build")).to_contain_text("(2 giấy chứng nhận): Tải tệp PDF.")
    page.locator(".last-build").scroll_into_view_if_needed()
    snapshot(page, "publication-prizes-certificates-built")
    log_out(page)

    log_in(page, base, "u0@example.vn")
    page.goto(f"{base}/rounds/{round_id}/results")
    expect(page.get_by_role("link", name="Tải giấy chứng nhận của bạn (PDF)")).to_be_visible()
    page.goto(f"{base}/account")
    snapshot(page, "publication-account-certificate")
    faults += check(page, "account-certificate")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải giấy chứng nhận (PDF)").click()
    data = open(download_info.value.path(), "rb").read()
    text = pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "Nguyễn Văn An" in text and "Đạt Giải Nhất" in text and "Đặng Quốc Giám, Hoàng Thị Khảo" in text
    code = re.search(r"\b([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})\b", text).group(1)
    log_out(page)

    page.goto(f"{base}/verify")
    page.get_by_label("Mã xác thực").fill(code.lower().replace("-", " "))
    page.get_by_role("button", name="Kiểm tra").click()
    expect(page.get_by_role("status")).to_contain_text("Giấy chứng nhận hợp lệ")
    record = page.locator(".certificate-record")
    expect(record).to_contain_text("Nguyễn Văn An")
    expect(record).to_contain_text("Đạt Giải Nhất (khối CBCCVC)")
    expect(record).to_contain_text(code)
    snapshot(page, "publication-verify-valid")
    faults += check(page, "verify-valid")
    altered = code[:-1] + ("2" if code[-1] != "2" else "3")
    page.get_by_label("Mã xác thực").fill(altered)
    page.get_by_role("button", name="Kiểm tra").click()
    expect(page.get_by_role("alert")).to_contain_text("bị sửa hoặc gõ nhầm")
    snapshot(page, "publication-verify-altered")
    faults += check(page, "verify-altered")
    page.goto(f"{base}/contests/{closed_round['contest_id']}/results")
    expect(page.locator("table.winners tbody tr")).to_have_count(2)
    faults += check(page, "contest-prizes")
    assert not faults, "\n".join(faults)

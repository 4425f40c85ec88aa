"""An organizer sees a question flagged after an amending decree, reads the wording before and after
side by side, confirms it, and reads the consolidated text with the earlier wording one click away.

The decrees are test fixtures, not real law (tests/fixtures/legal.py)."""
import os
import re

import pytest
from playwright.sync_api import expect

from contest.accounts.models import Role
from contest.bank.services import import_questions
from contest.extensions import db
from contest.legal.services import store_legal_text
from contest.reviews.services import follow_amendments
from questions.legal import parse_legal_text
from questions.records import QuestionRecord
from tests import factories
from tests.browser.conftest import ARTIFACTS
from tests.fixtures.legal import AMENDING, BASE

pytestmark = pytest.mark.browser


def _load(text: str):
    legal = parse_legal_text(text)
    document = store_legal_text(legal, text).document
    follow_amendments(document, legal)
    return document


def test_an_organizer_reviews_a_question_whose_clause_changed(page, live_world):
    base = _load(BASE)
    import_questions([QuestionRecord(
        text="Theo khoản 1 Điều 5, thời hạn giải quyết là bao nhiêu ngày làm việc?",
        choices=["10 ngày làm việc", "05 ngày làm việc", "15 ngày làm việc", "30 ngày làm việc"], correct=[0],
        topic="Thời hạn", citation="Khoản 1 Điều 5 Nghị định 7/2030/NĐ-CP", status="approved")], "Ngân hàng thử")
    db.session.commit()
    _load(AMENDING)
    factories.make_user("btc@example.vn", None, Role.ORGANIZER, name="Trần Văn Tổ")
    base_id = base.id
    db.session.commit()
    db.session.remove()
    url = live_world["base_url"]
    page.goto(url + "/login")
    page.get_by_label("Email").fill("btc@example.vn")
    page.get_by_label("Mật khẩu").fill(factories.PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("link", name="Ban tổ chức", exact=True).click()
    expect(page.get_by_text(re.compile("1 câu hỏi của ngân hàng .* cần rà soát"))).to_be_visible()
    page.get_by_role("link", name="Xem và xử lý").click()
    page.get_by_role("link", name=re.compile("thời hạn giải quyết là bao nhiêu")).click()
    expect(page.get_by_role("heading", name="Trước khi thay đổi")).to_be_visible()
    expect(page.locator(".legal-text.was")).to_contain_text("10 ngày làm việc")
    expect(page.locator(".legal-text.now")).to_contain_text("20 ngày làm việc")
    page.screenshot(path=os.path.join(ARTIFACTS, f"review-question-{page.viewport_name}.png"), full_page=True)
    page.get_by_label("Ghi chú (không bắt buộc)").fill("Đã đối chiếu: câu hỏi sẽ được sửa ở đợt sau")
    page.get_by_role("button", name="Xác nhận câu hỏi vẫn đúng").click()
    expect(page.get_by_text("Đã xác nhận câu hỏi vẫn đúng")).to_be_visible()
    expect(page.get_by_text(re.compile("xác nhận vẫn đúng bởi Trần Văn Tổ"))).to_be_visible()

    page.goto(f"{url}/organizer/legal/{base_id}?ngay=01/07/2031")
    article = page.locator("#dieu-5")
    expect(article).to_contain_text("20 ngày làm việc")
    expect(article).to_contain_text("Được sửa đổi bởi Nghị định 12/2031/NĐ-CP")
    earlier = article.locator("details", has_text="Nội dung trước khi sửa đổi").first
    expect(earlier.locator(".legal-text.was")).to_be_hidden()
    earlier.locator("summary").click()
    expect(earlier.locator(".legal-text.was")).to_contain_text("10 ngày làm việc")
    expect(page.locator("#dieu-5a")).to_contain_text("Được bổ sung bởi Nghị định 12/2031/NĐ-CP")

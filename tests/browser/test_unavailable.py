"""With the database unreachable, a page is a Vietnamese 503 that says to reload shortly (never a 500)."""
import pytest
from playwright.sync_api import expect

from contest import create_app
from tests.browser.conftest import serve, snapshot
from tests.conftest import POSTGRES_URL, TEST_CONFIG

pytestmark = pytest.mark.browser


def test_an_unreachable_database_gives_a_page_to_come_back_to(page):
    # A database that does not exist: every connection is refused, as when the server is down.
    gone = POSTGRES_URL.rsplit("/", 1)[0] + "/khong_ton_tai"
    app = create_app({**TEST_CONFIG, "DATABASE_URL": gone, "PROPAGATE_EXCEPTIONS": False})
    with app.app_context(), serve(app) as base:
        response = page.goto(base + "/")
        assert response.status == 503 and int(response.headers["retry-after"]) >= 1
        expect(page.get_by_role("heading", name="Hệ thống đang bận")).to_be_visible()
        expect(page.get_by_text("Dữ liệu đã lưu không bị mất")).to_be_visible()
        snapshot(page, "unavailable")

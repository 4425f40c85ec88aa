"""Browser fixtures: the app served on a real socket, driven by Debian's headless Chromium."""
import os
from collections.abc import Iterator
from contextlib import contextmanager
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from contest.extensions import db
from tests import factories
from tests.conftest import skip_or_fail

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = os.path.join(os.path.dirname(__file__), "..", "..", "test-artifacts")
LAUNCH_ARGS = ["--lang=vi", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# The two screens the product is checked on: a small Android phone and a common office laptop.
VIEWPORTS = {
    "phone": {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True,
              "device_scale_factor": 2},
    "desktop": {"viewport": {"width": 1366, "height": 768}},
}


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium from the system (never a downloaded build)."""
    if not os.path.exists(CHROMIUM):
        skip_or_fail(f"Chromium not found at {CHROMIUM}; install Debian's `chromium` package "
                     "(scripts/test does when apt-get can run) or set CHROMIUM_PATH")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("Playwright for Python is not installed; run scripts/test")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def live_world(app, now):
    """The standard small contest, served over HTTP by a threaded server in this process."""
    world = factories.build_world(now)
    facts = {"round_id": world.round.id, "department": world.department.name,
             "commune_id": str(world.commune.id)}
    with serve(app) as facts["base_url"]:
        yield facts


def snapshot(page, name: str, full_page: bool = False) -> None:
    """Save a screenshot of the page as it is now (or the whole page's length), for a person to look at
    (test-artifacts/)."""
    os.makedirs(ARTIFACTS, exist_ok=True)
    page.screenshot(path=os.path.join(ARTIFACTS, f"{name}-{page.viewport_name}.png"), full_page=full_page)


def open_page(browser, viewport: str, name: str, **options):
    """A fresh browser context and page at a viewport; a full-page screenshot is saved when it ends."""
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", **VIEWPORTS[viewport], **options)
    context.set_default_timeout(10_000)
    # Whatever the Content-Security-Policy blocked (an inline style, a script from elsewhere), in any page of
    # the context: the page would look or work differently from what the test saw.
    blocked = []
    context.on("console", lambda message: blocked.append(f"{message.location.get('url')}: {message.text}")
               if "Content Security Policy" in message.text else None)
    page = context.new_page()
    page.viewport_name = viewport
    try:
        yield page
        os.makedirs(ARTIFACTS, exist_ok=True)
        page.screenshot(path=os.path.join(ARTIFACTS, f"{name}.png"), full_page=True)
    finally:
        context.close()
    assert not blocked, "the Content-Security-Policy blocked:\n" + "\n".join(blocked)


@contextmanager
def serve(app) -> Iterator[str]:
    """Serve the app on a free port in a thread of this process while the block runs; gives the base URL."""
    db.session.remove()  # the server's threads need the SQLite write lock this session would hold
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


@pytest.fixture(params=sorted(VIEWPORTS))
def page(request, browser):
    """A fresh browser context and page, at a phone-sized and at a desktop viewport."""
    yield from open_page(browser, request.param, request.node.name)


@pytest.fixture
def phone(request, browser):
    """A page at the phone-sized viewport only, for behaviour the screen size does not change."""
    yield from open_page(browser, "phone", request.node.name)

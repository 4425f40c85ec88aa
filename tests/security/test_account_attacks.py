"""Attacks on accounts over real HTTP, against gunicorn (3 workers) and a fresh PostgreSQL database, as
bench/ runs them: the lock-out of an owner by guessers, e-mail enumeration by registration and reset
requests, replayed challenges, a session cookie copied before logout or a password change, and a
remember-me cookie stolen or kept after logout. Each attack's outcome is asserted; docs/SECURITY.md
lists them."""
import html
import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from http.cookies import SimpleCookie

import psycopg
import pytest

from contest.config import PROJECT_ROOT
from tests.conftest import POSTGRES_URL, skip_or_fail

sys.path.insert(0, str(PROJECT_ROOT / "bench"))
from common import fresh_postgres, gunicorn  # noqa: E402

SECRET = "attack-test-secret-" + "x" * 20
PASSWORD = "mat-khau-chu-that-1"
OWNER = "chu.tai.khoan@example.vn"


class Browser:
    """A client that keeps its cookies (Secure ones too: the server runs with SESSION_COOKIE_SECURE=1
    behind no TLS here) and follows no redirects; requests come "from" `address` (X-Forwarded-For)."""

    def __init__(self, base: str, address: str = "203.0.113.10"):
        self.base, self.address, self.cookies, self.set_cookies = base, address, {}, {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict, str]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method, headers={
            "X-Forwarded-For": self.address, "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
            "Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())})
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            response = opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.set_cookies[name] = morsel
                if morsel.value and morsel["max-age"] != "0" and "1970" not in morsel["expires"]:
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return response.status, dict(response.headers), response.read().decode()

    def get(self, path: str):
        return self.request("GET", path)

    def post_form(self, path: str, fields: dict, page: str | None = None):
        """POST a page's form with the CSRF token of the page at `page` (default: `path`)."""
        _, _, body = self.get(page or path)
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', body).group(1)
        return self.request("POST", path, {**fields, "csrf_token": token})

    def log_in(self, email=OWNER, password=PASSWORD, solution="", remember=False):
        fields = {"email": email, "password": password, "challenge": solution}
        if remember:
            fields["remember"] = "y"
        return self.post_form("/login", fields)

    def is_in(self) -> bool:
        return self.get("/account")[0] == 200


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def challenge_on(body: str) -> dict | None:
    match = re.search(r'data-challenge="([^"]+)"', body)
    return json.loads(html.unescape(match.group(1))) if match else None


def solve(pending: dict) -> str:
    from contest.accounts.challenge import solve as solve_challenge
    return solve_challenge(pending)


@pytest.fixture(scope="module")
def site():
    """gunicorn with 3 workers on a fresh, migrated PostgreSQL database holding one contestant."""
    try:
        psycopg.connect(POSTGRES_URL, connect_timeout=5).close()
    except psycopg.OperationalError as error:
        skip_or_fail(f"PostgreSQL is not reachable at {POSTGRES_URL} ({error.__class__.__name__}); "
                     "start it or set TEST_POSTGRES_URL to run the attack tests")
    saved = {name: os.environ.get(name) for name in ("PROXY_HOPS", "SESSION_COOKIE_SECURE", "MAIL_BACKEND")}
    os.environ.update(PROXY_HOPS="1", SESSION_COOKIE_SECURE="1", MAIL_BACKEND="dummy")
    try:
        with fresh_postgres() as url:
            from contest import create_app
            from contest.accounts.services import create_user
            from contest.agencies.services import add_agency
            from contest.extensions import db
            app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET})
            with app.app_context():
                agency = add_agency(code="T", name="UBND tỉnh Thử", headcount=10)
                create_user(full_name="Chủ Tài Khoản", email=OWNER, password=PASSWORD, agency_id=agency.id)
                db.session.commit()
            with gunicorn(url, SECRET, workers=3) as base:
                yield base, url
            with app.app_context():
                db.engine.dispose()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def audit_actions(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        return [row[0] for row in conn.execute("SELECT action FROM audit_log ORDER BY id")]


def test_guessers_at_six_addresses_do_not_lock_the_owner_out(site):
    """Issue 15's lock-out: 5 wrong passwords from each of 6 addresses, then the owner from a fresh one."""
    base, url = site
    statuses = []
    for n in range(6):
        guesser = Browser(base, f"198.51.100.{n + 1}")
        for _ in range(5):
            status, _, body = guesser.log_in(password="doan-mo-123")
            statuses.append(status)
            pending = challenge_on(body)
    assert statuses[:3] == [401, 401, 401] and 429 in statuses  # the guessers are made to solve challenges
    owner = Browser(base, "192.0.2.50")
    status, _, body = owner.log_in()
    assert status == 429 and not owner.is_in()  # the right password alone is not checked past the limit
    pending = challenge_on(body)
    assert pending is not None
    status, headers, _ = owner.log_in(solution=solve(pending))
    assert status == 302 and owner.is_in()  # never a 429 "try again in 15 minutes"
    actions = audit_actions(url)
    assert "account.login_challenged" in actions and "account.challenge_passed" in actions


def test_a_solved_challenge_cannot_be_replayed_for_more_guesses(site):
    base, _ = site
    guesser = Browser(base, "198.51.100.77")
    for _ in range(3):
        guesser.log_in(email="ai.do@example.vn", password="sai-1")
    status, _, body = guesser.log_in(email="ai.do@example.vn", password="sai-2")
    solution = solve(challenge_on(body))
    assert guesser.log_in(email="ai.do@example.vn", password="sai-3", solution=solution)[0] == 401
    assert guesser.log_in(email="ai.do@example.vn", password="sai-4", solution=solution)[0] == 429


def test_registration_cannot_test_emails_in_bulk(site):
    base, _ = site
    prober = Browser(base, "198.51.100.90")
    form = {"full_name": "Người Dò", "phone": "0912345678", "agency_id": "1", "stream": "CBCCVC",
            "password": "mat-khau-dai-1", "password_confirm": "mat-khau-dai-1", "consent": "y"}
    answers = [prober.post_form("/register", {**form, "email": f"do{n}-{OWNER}"}) for n in range(3)]
    status, _, body = prober.post_form("/register", {**form, "email": OWNER})
    assert status == 429 and "đã được đăng ký" not in body and challenge_on(body) is not None
    assert all(answer[0] in (302, 422) for answer in answers)


def test_the_reset_request_says_the_same_for_known_and_unknown_addresses(site):
    base, _ = site
    known = Browser(base, "198.51.100.120").post_form("/password/forgot", {"email": OWNER})
    unknown = Browser(base, "198.51.100.121").post_form("/password/forgot", {"email": "khong.co@example.vn"})
    assert known[0] == unknown[0] == 200
    main = [answer[2].split("<main")[1].split("</main>")[0] for answer in (known, unknown)]
    assert main[0].replace(OWNER, "X") == main[1].replace("khong.co@example.vn", "X")


def test_a_session_cookie_copied_before_logout_stops_working(site):
    base, _ = site
    owner = Browser(base, "192.0.2.60")
    assert owner.log_in()[0] == 302
    thief = Browser(base, "198.51.100.200")
    thief.cookies["session"] = owner.cookies["session"]
    assert thief.is_in()
    owner.post_form("/logout", {}, page="/")
    assert not thief.is_in() and not owner.is_in()


def test_a_session_cookie_copied_before_a_password_change_stops_working(site):
    base, _ = site
    owner = Browser(base, "192.0.2.61")
    owner.log_in()
    thief = Browser(base, "198.51.100.201")
    thief.cookies["session"] = owner.cookies["session"]
    status, _, _ = owner.post_form("/account", {"current_password": PASSWORD, "password": "mat-khau-moi-2",
                                                "password_confirm": "mat-khau-moi-2"})
    assert status == 302 and owner.is_in() and not thief.is_in()
    owner.post_form("/account", {"current_password": "mat-khau-moi-2", "password": PASSWORD,
                                 "password_confirm": PASSWORD})


def test_remember_me_is_flagged_rotated_and_ends_with_logout(site):
    base, _ = site
    owner = Browser(base, "192.0.2.62")
    status, _, _ = owner.log_in(remember=True)
    assert status == 302
    cookie = owner.set_cookies["contest_remember"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["secure"]
    assert int(cookie["max-age"]) <= 30 * 24 * 3600
    assert owner.set_cookies["session"]["secure"]
    stolen = cookie.value
    # The browser restarts (the session cookie is gone): the remember-me cookie logs it back in, rotated.
    del owner.cookies["session"]
    assert owner.is_in() and owner.cookies["contest_remember"] != stolen
    # The stolen old value no longer works, and after logout the current one neither.
    thief = Browser(base, "198.51.100.202")
    thief.cookies["contest_remember"] = stolen
    assert not thief.is_in()
    current = owner.cookies["contest_remember"]
    owner.post_form("/logout", {}, page="/")
    thief.cookies = {"contest_remember": current}
    assert not thief.is_in()


def test_log_out_everywhere_else_ends_the_other_browsers(site):
    base, url = site
    phone, desk = Browser(base, "192.0.2.70"), Browser(base, "192.0.2.71")
    phone.log_in()
    desk.log_in()
    status, _, _ = desk.post_form("/account/sessions/end-others", {}, page="/account")
    assert status == 302 and desk.is_in() and not phone.is_in()
    assert "account.sessions_ended" in audit_actions(url)

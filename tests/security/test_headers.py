"""Every kind of response carries the security headers: pages of each role, an error page, a static
file, a download, an image, the JSON answer save; HSTS only where the site is served over HTTPS."""
import pytest

from contest import create_app
from contest.accounts.models import Role
from contest.attempts.services import start_attempt
from contest.extensions import db
from contest.security.headers import CONTENT_SECURITY_POLICY
from tests import factories
from tests.conftest import TEST_CONFIG, csrf_token

EXPECTED = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def assert_secured(response, where: str, https: bool = False) -> None:
    """The response carries every security header, and the policy is the strict one."""
    headers = response.headers
    policy = headers.get("Content-Security-Policy", "")
    assert policy == CONTENT_SECURITY_POLICY, where
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["frame-ancestors"] == "'none'", where
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'", where
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy and "*" not in policy, where
    assert directives["connect-src"] == "'self'", where  # the live pages' EventSource, the saves' fetch
    for name, value in EXPECTED.items():
        assert headers.get(name) == value, f"{where}: {name}"
    assert "camera=()" in headers.get("Permissions-Policy", ""), where
    assert ("Strict-Transport-Security" in headers) == https, where


def test_every_kind_of_response_carries_the_security_headers(client, world, auth, now):
    anonymous = [("home", "/"), ("round", f"/rounds/{world.round.id}"),
                 ("board", f"/rounds/{world.round.id}/leaderboard"), ("log-in", "/login"), ("register", "/register"),
                 ("not found", "/khong-co"), ("health", "/healthz"), ("agency search", "/agencies/search?q=xa"),
                 ("static", "/static/style.css")]
    for where, path in anonymous:
        response = client.get(path)
        assert response.status_code in (200, 404), where
        assert_secured(response, where)

    paper = start_attempt(world.contestant, world.round, now)
    db.session.commit()
    auth.login(world.contestant.email)
    page = client.get(f"/attempts/{paper.id}")
    assert page.status_code == 200
    assert_secured(page, "the paper")
    token = csrf_token(client, f"/attempts/{paper.id}")
    save = client.post(f"/attempts/{paper.id}/answers", json={"position": 0, "selected": [0], "revision": 1},
                       headers={"X-CSRFToken": token})
    assert save.status_code == 200 and save.is_json
    assert_secured(save, "the JSON answer save")
    refused = client.post(f"/attempts/{paper.id}/answers", json={"position": 2**63, "selected": [0], "revision": 2},
                          headers={"X-CSRFToken": token})
    assert refused.status_code == 400
    assert_secured(refused, "a refused save")
    assert_secured(client.get("/account"), "the account page")

    factories.make_user("gk@example.vn", world.province, Role.JUDGE, name="Giám khảo")
    factories.make_user("tc@example.vn", world.province, Role.ORGANIZER, name="Ban tổ chức")
    db.session.commit()
    auth.login("gk@example.vn")
    for where, path in [("judging", "/judging/"), ("judges' board", f"/judging/rounds/{world.round.id}/leaderboard"),
                        ("download", f"/judging/rounds/{world.round.id}/export/leaderboard.csv")]:
        response = client.get(path)
        assert response.status_code == 200, where
        assert_secured(response, where)
    auth.login("tc@example.vn")
    for where, path in [("organizer", "/organizer/"), ("bank", "/organizer/bank/"),
                        ("round form", "/organizer/rounds/new"), ("template", "/organizer/bank/template.xlsx")]:
        response = client.get(path)
        assert response.status_code == 200, where
        assert_secured(response, where)


def test_hsts_only_when_the_session_cookie_is_secure(database_url):
    for secure in (False, True):
        app = create_app({**TEST_CONFIG, "DATABASE_URL": database_url, "SESSION_COOKIE_SECURE": secure})
        response = app.test_client().get("/login", base_url="https://thi.example.vn" if secure else "http://localhost")
        assert_secured(response, f"SESSION_COOKIE_SECURE={secure}", https=secure)
        if secure:
            assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.parametrize("path", ["/", "/login"])
def test_no_page_has_inline_script_or_style(client, world, path):
    """The policy forbids them: a page that had one would lose it in the browser."""
    html = client.get(path).get_data(as_text=True)
    assert " style=" not in html and "<style" not in html
    assert "<script>" not in html and " onclick=" not in html and "javascript:" not in html

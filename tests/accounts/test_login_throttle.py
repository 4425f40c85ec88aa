"""Password guessing is slowed: past a number of failed log-ins the log-in is refused until the
window ends, per account and address, per account, and per address; the real owner is not locked
out by a guesser elsewhere."""
from datetime import timedelta

import sqlalchemy as sa

from contest.accounts.models import LoginThrottle
from contest.extensions import db
from tests import factories
from tests.conftest import csrf_token

OWNER = "thisinh@example.vn"
REFUSED = "Đăng nhập sai quá nhiều lần"


def log_in(client, email, password=factories.PASSWORD, address="203.0.113.7"):
    """Post the login form from a given client address."""
    token = csrf_token(client, "/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address})


def fail(client, times, email=OWNER, address="203.0.113.7"):
    for _ in range(times):
        assert log_in(client, email, "sai-mat-khau", address).status_code == 401


def age_the_counts(minutes):
    """Move every running count's window back, as if `minutes` had passed."""
    for count in db.session.scalars(sa.select(LoginThrottle)):
        count.window_started_at -= timedelta(minutes=minutes)
    db.session.commit()


def test_five_wrong_passwords_from_one_address_refuse_even_the_right_one_until_the_window_ends(client, world):
    fail(client, 5)
    response = log_in(client, OWNER)
    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert REFUSED in page and "Vui lòng thử lại sau" in page
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60
    assert "Nguyễn Văn Thí" not in client.get("/").get_data(as_text=True)  # not logged in
    age_the_counts(16)
    assert log_in(client, OWNER).status_code == 302


def test_the_refusal_names_the_time_in_vietnam(client, world):
    fail(client, 5)
    page = log_in(client, OWNER).get_data(as_text=True)
    shown = page.split("Vui lòng thử lại sau ")[1][:16]
    assert shown[2] == "/" and shown[5] == "/" and shown[10] == " " and shown[13] == ":"  # dd/mm/yyyy HH:MM


def test_a_guesser_at_another_address_does_not_lock_the_owner_out(client, world):
    fail(client, 5, address="198.51.100.66")
    assert log_in(client, OWNER, address="198.51.100.66").status_code == 429
    assert log_in(client, OWNER, address="203.0.113.7").status_code == 302


def test_guesses_spread_over_many_addresses_are_stopped_per_account(client, world, monkeypatch):
    monkeypatch.setitem(client.application.config, "LOGIN_LIMIT_PER_ACCOUNT", 6)
    for n in range(6):
        fail(client, 1, address=f"198.51.100.{n}")
    assert log_in(client, OWNER, address="198.51.100.200").status_code == 429


def test_one_address_trying_many_accounts_is_stopped(client, world, monkeypatch):
    monkeypatch.setitem(client.application.config, "LOGIN_LIMIT_PER_ADDRESS", 4)
    for n in range(4):  # e-mails with and without an account count alike
        fail(client, 1, email=f"khong-co-{n}@example.vn")
    assert log_in(client, OWNER).status_code == 429
    assert log_in(client, OWNER, address="203.0.113.8").status_code == 302


def test_a_successful_log_in_clears_the_accounts_failures(client, world):
    fail(client, 4)
    assert log_in(client, OWNER).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    fail(client, 4)
    assert log_in(client, OWNER).status_code == 302


def test_email_case_does_not_give_a_guesser_fresh_counts(client, world):
    fail(client, 3, email="ThiSinh@Example.vn")
    fail(client, 2, email="THISINH@EXAMPLE.VN")
    assert log_in(client, OWNER).status_code == 429


def test_a_refused_log_in_adds_no_failure(client, world):
    fail(client, 5)
    before = db.session.scalars(sa.select(LoginThrottle.failures).order_by(LoginThrottle.key)).all()
    assert log_in(client, OWNER, "sai-mat-khau").status_code == 429
    db.session.expire_all()
    assert db.session.scalars(sa.select(LoginThrottle.failures).order_by(LoginThrottle.key)).all() == before

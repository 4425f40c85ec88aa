"""Password guessing is slowed without locking the owner out: past a number of failed log-ins (per
account and address, per account, per address) the log-in asks for a proof-of-work challenge, whose
work grows with the failures; the owner with the right password and a solved challenge gets in."""
import html
import json
import re
from datetime import timedelta

import sqlalchemy as sa

from contest.accounts import challenge
from contest.accounts.models import Throttle
from contest.audit.models import AuditEntry
from contest.extensions import db
from tests import factories
from tests.conftest import csrf_token

OWNER = "thisinh@example.vn"
ASKED = "vừa bị đăng nhập sai nhiều lần"


def log_in(client, email, password=factories.PASSWORD, address="203.0.113.7", solution=""):
    """Post the login form from a given client address (with a challenge's solution, if given)."""
    token = csrf_token(client, "/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token,
                                       "challenge": solution}, environ_base={"REMOTE_ADDR": address})


def fail(client, times, email=OWNER, address="203.0.113.7"):
    for _ in range(times):
        assert log_in(client, email, "sai-mat-khau", address).status_code == 401


def challenge_on(page: str) -> dict | None:
    """The challenge a page asks the browser to solve, as its script reads it."""
    match = re.search(r'data-challenge="([^"]+)"', page)
    return json.loads(html.unescape(match.group(1))) if match else None


def is_logged_in(client) -> bool:
    return "Nguyễn Văn Thí" in client.get("/").get_data(as_text=True)


def age_the_counts(minutes):
    """Move every running count's window back, as if `minutes` had passed."""
    for count in db.session.scalars(sa.select(Throttle)):
        count.window_started_at -= timedelta(minutes=minutes)
    db.session.commit()


def test_past_three_wrong_passwords_the_owner_solves_a_challenge_and_gets_in(client, world):
    fail(client, 2)
    third = log_in(client, OWNER, "sai-mat-khau")
    assert third.status_code == 401
    asked = challenge_on(third.get_data(as_text=True))  # the failure that reaches the limit already shows it
    assert asked is not None and asked["algorithm"] == "SHA-256"
    refused = log_in(client, OWNER)  # the right password, without the challenge: not checked, not in
    assert refused.status_code == 429 and ASKED in refused.get_data(as_text=True)
    assert not is_logged_in(client)
    pending = challenge_on(refused.get_data(as_text=True))
    assert log_in(client, OWNER, solution=challenge.solve(pending)).status_code == 302
    assert is_logged_in(client)


def test_a_solved_challenge_is_good_once_and_a_forged_one_not_at_all(client, world):
    fail(client, 3)
    pending = challenge_on(log_in(client, OWNER).get_data(as_text=True))
    solution = challenge.solve(pending)
    assert log_in(client, OWNER, "sai-mat-khau", solution=solution).status_code == 401  # used by a guess
    assert log_in(client, OWNER, solution=solution).status_code == 429  # replayed: asked again
    forged = json.loads(__import__("base64").b64decode(challenge.solve(challenge_on(
        log_in(client, OWNER).get_data(as_text=True)))))
    forged["number"] += 1
    tampered = __import__("base64").b64encode(json.dumps(forged).encode()).decode()
    assert log_in(client, OWNER, solution=tampered).status_code == 429
    assert log_in(client, OWNER, solution="bm90IGpzb24=").status_code == 429  # not even JSON


def test_the_work_doubles_with_the_failures_and_stops_at_the_ceiling(client, world, monkeypatch):
    config = client.application.config
    monkeypatch.setitem(config, "CHALLENGE_WORK", 1000)
    monkeypatch.setitem(config, "CHALLENGE_STEP", 2)
    monkeypatch.setitem(config, "CHALLENGE_MAX_WORK", 4000)
    fail(client, 3)
    works = []
    for _ in range(6):
        pending = challenge_on(log_in(client, OWNER).get_data(as_text=True))
        works.append(pending["maxNumber"] // 2)
        assert log_in(client, OWNER, "sai-mat-khau", solution=challenge.solve(pending)).status_code == 401
    assert works == [1000, 1000, 2000, 2000, 4000, 4000]


def test_a_guesser_at_another_address_does_not_trouble_the_owner(client, world):
    fail(client, 3, address="198.51.100.66")
    assert log_in(client, OWNER, address="198.51.100.66").status_code == 429
    assert log_in(client, OWNER, address="203.0.113.7").status_code == 302


def test_guesses_spread_over_many_addresses_are_challenged_per_account(client, world, monkeypatch):
    monkeypatch.setitem(client.application.config, "LOGIN_LIMIT_PER_ACCOUNT", 6)
    for n in range(6):
        fail(client, 1, address=f"198.51.100.{n}")
    refused = log_in(client, OWNER, address="198.51.100.200")
    assert refused.status_code == 429
    solution = challenge.solve(challenge_on(refused.get_data(as_text=True)))
    assert log_in(client, OWNER, address="198.51.100.200", solution=solution).status_code == 302


def test_one_address_trying_many_accounts_is_challenged(client, world, monkeypatch):
    monkeypatch.setitem(client.application.config, "LOGIN_LIMIT_PER_ADDRESS", 4)
    for n in range(4):  # e-mails with and without an account count alike
        fail(client, 1, email=f"khong-co-{n}@example.vn")
    assert log_in(client, OWNER).status_code == 429
    assert log_in(client, OWNER, address="203.0.113.8").status_code == 302


def test_a_successful_log_in_clears_the_accounts_failures(client, world):
    fail(client, 2)
    assert log_in(client, OWNER).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    fail(client, 2)
    assert log_in(client, OWNER).status_code == 302


def test_email_case_does_not_give_a_guesser_fresh_counts(client, world):
    fail(client, 2, email="ThiSinh@Example.vn")
    fail(client, 1, email="THISINH@EXAMPLE.VN")
    assert log_in(client, OWNER).status_code == 429


def test_the_counts_start_again_when_the_window_ends(client, world):
    fail(client, 3)
    assert log_in(client, OWNER).status_code == 429
    age_the_counts(16)
    assert log_in(client, OWNER).status_code == 302


def test_an_unsolved_log_in_adds_no_failure(client, world):
    fail(client, 3)
    before = db.session.scalars(sa.select(Throttle.count).order_by(Throttle.key)).all()
    assert log_in(client, OWNER, "sai-mat-khau").status_code == 429
    db.session.expire_all()
    assert db.session.scalars(sa.select(Throttle.count).order_by(Throttle.key)).all() == before


def test_the_challenge_and_the_owners_way_in_are_in_the_audit_log(client, world):
    fail(client, 3)
    assert log_in(client, OWNER, "sai-mat-khau").status_code == 429  # unsolved: nothing more is logged
    pending = challenge_on(log_in(client, OWNER).get_data(as_text=True))
    assert log_in(client, OWNER, solution=challenge.solve(pending)).status_code == 302
    actions = db.session.execute(sa.select(AuditEntry.action, AuditEntry.details).order_by(AuditEntry.id)).all()
    challenged = [details for action, details in actions if action == "account.login_challenged"]
    assert challenged == [{"limit": "ai", "email": OWNER, "address": "203.0.113.7"}]  # once, not per failure
    assert [action for action, _ in actions][-1] == "account.challenge_passed"

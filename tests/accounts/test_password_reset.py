"""Self-service password reset by e-mail and the optional confirmation of the address at registration,
with the mails read from a real SMTP server (aiosmtpd)."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from contest.accounts.models import AccountToken, User, UserSession
from contest.audit.models import AuditEntry
from contest.extensions import db
from tests import factories
from tests.conftest import csrf_token
from tests.mailbox import smtp_server

OWNER = "thisinh@example.vn"
SAME_ANSWER = "là email của một tài khoản dự thi, chúng tôi đã gửi"


@pytest.fixture
def mailbox(app, monkeypatch):
    """The app's mail goes to a local SMTP server; yields its mailbox."""
    with smtp_server() as (box, port):
        state = app.extensions["mailman"]
        monkeypatch.setattr(state, "backend", "smtp")
        monkeypatch.setattr(state, "server", "127.0.0.1")
        monkeypatch.setattr(state, "port", port)
        yield box


def post(client, url, data, address="203.0.113.7"):
    """Post a form with its CSRF token; the response is closed as a server closes it (mails go then)."""
    response = client.post(url, data={**data, "csrf_token": csrf_token(client, url)},
                           environ_base={"REMOTE_ADDR": address})
    response.close()
    return response


def ask_reset(client, email, address="203.0.113.7"):
    return post(client, "/password/forgot", {"email": email}, address)


def test_the_request_page_answers_the_same_for_any_address_and_only_an_account_gets_mail(client, world, mailbox):
    known, unknown = ask_reset(client, OWNER), ask_reset(client, "khong-co@example.vn", "203.0.113.8")
    assert known.status_code == unknown.status_code == 200
    assert SAME_ANSWER in known.get_data(as_text=True) and SAME_ANSWER in unknown.get_data(as_text=True)
    main = [response.get_data(as_text=True).split("<main")[1].split("</main>")[0] for response in (known, unknown)]
    assert main[0].replace(OWNER, "X") == main[1].replace("khong-co@example.vn", "X")  # word for word
    assert len(mailbox.to(OWNER)) == 1 and mailbox.to("khong-co@example.vn") == []
    message = mailbox.to(OWNER)[0]
    assert message["Subject"].strip() == "Đặt lại mật khẩu tài khoản thi trực tuyến"
    assert "30 phút" in mailbox.body(message)


def test_the_link_sets_a_new_password_once_and_ends_every_other_session(client, world, mailbox, app):
    other = app.test_client()  # a browser logged in elsewhere before the reset
    other.post("/login", data={"email": OWNER, "password": factories.PASSWORD, "csrf_token": csrf_token(other, "/login")})
    assert other.get("/account").status_code == 200
    ask_reset(client, OWNER)
    link = mailbox.link(mailbox.to(OWNER)[0], "/password/reset/")
    page = client.get(link)
    assert page.status_code == 200 and page.headers.getlist("Referrer-Policy") == ["no-referrer"]
    token = csrf_token(client, link)
    done = client.post(link, data={"password": "mat-khau-moi-9", "password_confirm": "mat-khau-moi-9",
                                   "csrf_token": token})
    assert done.status_code == 302 and client.get("/account").status_code == 200  # this browser is in
    assert other.get("/account").status_code == 302  # the other one is out
    again = client.post(link, data={"password": "lai-mat-khau-1", "password_confirm": "lai-mat-khau-1",
                                    "csrf_token": token})
    assert again.status_code == 404 and "Liên kết không còn dùng được" in again.get_data(as_text=True)
    fresh = app.test_client()
    assert fresh.post("/login", data={"email": OWNER, "password": "mat-khau-moi-9",
                                      "csrf_token": csrf_token(fresh, "/login")}).status_code == 302
    stored = db.session.scalars(sa.select(AccountToken.token_hash)).all()
    assert stored and all(link.rsplit("/", 1)[1] not in value for value in stored)  # only hashes are kept
    actions = set(db.session.scalars(sa.select(AuditEntry.action)))
    assert {"account.password_reset_requested", "account.password_reset_by_mail", "account.sessions_ended"} <= actions


def test_the_link_expires_after_thirty_minutes(client, world, mailbox):
    ask_reset(client, OWNER)
    link = mailbox.link(mailbox.to(OWNER)[0], "/password/reset/")
    for token in db.session.scalars(sa.select(AccountToken)):
        token.expires_at -= timedelta(minutes=31)
    db.session.commit()
    assert client.get(link).status_code == 404


def test_a_newer_request_voids_the_older_link_and_mails_per_account_are_capped(client, world, mailbox, monkeypatch):
    monkeypatch.setitem(client.application.config, "REQUEST_LIMIT_PER_ADDRESS", 100)
    for n in range(5):
        assert ask_reset(client, OWNER, f"198.51.100.{n}").status_code == 200
    assert len(mailbox.to(OWNER)) == 3  # RESET_MAILS_PER_ACCOUNT: the page still answers alike
    first, last = (mailbox.link(message, "/password/reset/") for message in (mailbox.to(OWNER)[0], mailbox.to(OWNER)[-1]))
    assert client.get(first).status_code == 404 and client.get(last).status_code == 200


def test_reset_requests_from_one_address_are_challenged_after_a_few(client, world, mailbox):
    for n in range(3):
        assert ask_reset(client, f"ai-do-{n}@example.vn").status_code == 200
    asked = ask_reset(client, OWNER)
    assert asked.status_code == 429 and "data-challenge" in asked.get_data(as_text=True)
    assert mailbox.to(OWNER) == []


def test_with_confirmation_on_a_taken_address_answers_like_any_other_and_its_owner_is_told(client, world, mailbox,
                                                                                             monkeypatch):
    monkeypatch.setitem(client.application.config, "REGISTRATION_CONFIRM_EMAIL", True)
    form = {"full_name": "Trần Thị Mới", "phone": "0912345678", "agency_id": world.commune.id, "stream": "CBCCVC",
            "password": "mat-khau-dai-1", "password_confirm": "mat-khau-dai-1", "consent": "y"}
    new = post(client, "/register", {**form, "email": "moi@example.vn"})
    taken = post(client, "/register", {**form, "email": OWNER}, "203.0.113.8")
    assert new.status_code == taken.status_code == 200
    assert "Kiểm tra hộp thư" in new.get_data(as_text=True) and "Kiểm tra hộp thư" in taken.get_data(as_text=True)
    assert "đã được đăng ký" not in taken.get_data(as_text=True)
    told = mailbox.to(OWNER)
    assert len(told) == 1 and "đã có tài khoản" in mailbox.body(told[0])
    # The new account cannot log in until the link is followed; the link logs it in.
    login = post(client, "/login", {"email": "moi@example.vn", "password": "mat-khau-dai-1"})
    assert login.status_code == 403 and "chưa được xác nhận" in login.get_data(as_text=True)
    link = mailbox.link(mailbox.to("moi@example.vn")[-1], "/register/confirm/")
    assert client.get(link).status_code == 302
    assert "Trần Thị Mới" in client.get("/account").get_data(as_text=True)
    assert client.get(link).status_code == 404  # used
    assert db.session.scalar(sa.select(User.is_awaiting_confirmation).where(User.email == "moi@example.vn")) is False
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UserSession)) >= 1


def test_registrations_from_one_address_are_challenged_after_a_few(client, world):
    form = {"full_name": "Người Thử", "phone": "0912345678", "agency_id": world.commune.id, "stream": "CBCCVC",
            "password": "mat-khau-dai-1", "password_confirm": "mat-khau-dai-1", "consent": "y"}
    for n in range(3):
        post(client, "/register", {**form, "email": f"thu{n}@example.vn"})
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    asked = post(client, "/register", {**form, "email": "thu9@example.vn"})
    assert asked.status_code == 429 and "data-challenge" in asked.get_data(as_text=True)
    assert db.session.scalar(sa.select(User.id).where(User.email == "thu9@example.vn")) is None

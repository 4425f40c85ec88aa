"""Sessions you can end: logging out, a password change or reset end them on the server (a copied cookie
stops working); remember-me cookies are random per log-in, hashed, rotated on use and end with the
session; the account page lists the sessions and logs out everywhere else."""
from datetime import timedelta
from http.cookies import SimpleCookie

import sqlalchemy as sa

from contest.accounts.models import UserSession
from contest.accounts.sessions import REMEMBER_COOKIE
from contest.audit.models import AuditEntry
from contest.extensions import db
from tests import factories
from tests.conftest import csrf_token

OWNER = "thisinh@example.vn"


def log_in(client, remember=False, agent="Mozilla/5.0 (Linux; Android 14) Chrome/120.0 Mobile Safari/537.36"):
    data = {"email": OWNER, "password": factories.PASSWORD, "csrf_token": csrf_token(client, "/login")}
    if remember:
        data["remember"] = "y"
    return client.post("/login", data=data, headers={"User-Agent": agent})


def cookie_header(response, name) -> SimpleCookie | None:
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(name + "="):
            return SimpleCookie(header)[name]
    return None


def copy_of(client, app, name="session"):
    """Another browser holding a copy of `client`'s cookie."""
    thief = app.test_client()
    thief.set_cookie(name, client.get_cookie(name).value)
    return thief


def test_a_session_cookie_copied_before_logout_stops_working(client, world, app):
    log_in(client)
    thief = copy_of(client, app)
    assert thief.get("/account").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert thief.get("/account").status_code == 302
    ended = db.session.scalar(sa.select(UserSession))
    assert ended.ended_at is not None and ended.end_reason == "logout"


def test_remember_me_is_random_per_log_in_hashed_rotated_and_flagged(client, world, app, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    first = cookie_header(log_in(client, remember=True), REMEMBER_COOKIE)
    assert first["httponly"] and first["samesite"] == "Lax" and first["secure"]
    assert 0 < int(first["max-age"]) <= 30 * 24 * 3600
    other = app.test_client()
    second = cookie_header(log_in(other, remember=True), REMEMBER_COOKIE)
    assert first.value != second.value  # one per log-in
    stored = db.session.scalars(sa.select(UserSession.remember_hash)).all()
    assert all(hash_ and first.value.split(".")[1] not in hash_ for hash_ in stored)
    # A browser that comes back with only the remember-me cookie is logged in, and the cookie changes.
    returning = app.test_client()
    returning.set_cookie(REMEMBER_COOKIE, first.value)
    page = returning.get("/account")
    assert page.status_code == 200
    rotated = cookie_header(page, REMEMBER_COOKIE)
    assert rotated is not None and rotated.value != first.value
    stale = app.test_client()
    stale.set_cookie(REMEMBER_COOKIE, first.value)  # the old value, copied before it rotated
    assert stale.get("/account").status_code == 302


def test_remember_me_stops_working_after_logout(client, world, app):
    remembered = cookie_header(log_in(client, remember=True), REMEMBER_COOKIE).value
    logout = client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert cookie_header(logout, REMEMBER_COOKIE).value == ""  # cleared in this browser
    copy = app.test_client()
    copy.set_cookie(REMEMBER_COOKIE, remembered)
    assert copy.get("/account").status_code == 302


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(client, world, app):
    log_in(client)
    other = app.test_client()
    log_in(other)
    token = csrf_token(client, "/account")
    changed = client.post("/account", data={"current_password": factories.PASSWORD, "password": "mat-khau-moi-9",
                                            "password_confirm": "mat-khau-moi-9", "csrf_token": token})
    assert changed.status_code == 302
    assert client.get("/account").status_code == 200 and other.get("/account").status_code == 302


def test_the_account_page_lists_sessions_and_logs_out_everywhere_else(client, world, app):
    log_in(client, agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36")
    phone, tablet = app.test_client(), app.test_client()
    log_in(phone)
    log_in(tablet, agent="Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) Version/17.0 Safari/604.1")
    page = client.get("/account").get_data(as_text=True)
    assert page.count('<li class="session') == 3
    assert "Chrome · Windows" in page and "Chrome · Android" in page and "Safari · iPad" in page
    assert "Phiên này" in page and "Đăng xuất mọi nơi khác" in page
    done = client.post("/account/sessions/end-others", data={"csrf_token": csrf_token(client, "/account")},
                       follow_redirects=True)
    assert "Đã đăng xuất 2 phiên ở nơi khác." in done.get_data(as_text=True)
    assert phone.get("/account").status_code == 302 and tablet.get("/account").status_code == 302
    assert client.get("/account").get_data(as_text=True).count('<li class="session') == 1
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "account.sessions_ended"))
    assert entry.details == {"reason": "ended_by_owner", "count": 2}


def test_one_other_session_can_be_ended_but_not_someone_elses(client, world, app):
    log_in(client)
    phone = app.test_client()
    log_in(phone)
    phone_session = phone.get_cookie("session")  # noqa: F841 (the phone's log-in is the other row)
    mine = client.get("/account")
    rows = db.session.scalars(sa.select(UserSession).order_by(UserSession.created_at)).all()
    other = rows[1].id
    assert client.post(f"/account/sessions/{other}/end", data={"csrf_token": csrf_token(client, "/account")}
                       ).status_code == 302
    assert phone.get("/account").status_code == 302 and mine.status_code == 200


def test_an_idle_session_ends(client, world, app):
    log_in(client)
    for row in db.session.scalars(sa.select(UserSession)):
        row.expires_at -= timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)
    db.session.commit()
    assert client.get("/account").status_code == 302
    assert db.session.scalar(sa.select(UserSession.end_reason)) == "idle"


def test_last_seen_moves_at_most_once_in_five_minutes(client, world):
    log_in(client)
    row = db.session.scalar(sa.select(UserSession))
    row.last_seen_at -= timedelta(minutes=4)  # a page a few minutes after the last: no write
    db.session.commit()
    before = row.last_seen_at
    client.get("/account")
    db.session.expire_all()
    assert db.session.scalar(sa.select(UserSession.last_seen_at)) == before
    row = db.session.scalar(sa.select(UserSession))
    row.last_seen_at -= timedelta(minutes=2)  # now six minutes old: brought up to date
    db.session.commit()
    before = row.last_seen_at
    client.get("/account")
    db.session.expire_all()
    seen = db.session.scalar(sa.select(UserSession.last_seen_at))
    assert seen > before + timedelta(minutes=5)
    client.get("/account")
    db.session.expire_all()
    assert db.session.scalar(sa.select(UserSession.last_seen_at)) == seen  # not written again at once


def test_a_board_honours_the_log_in_as_every_page_does(client, world, app, now):
    # Boards read the log-in in one light query rather than loading the account: the same rules hold.
    from tests.leaderboards.test_boards import take
    take(world.contestant, world.round, now, correct=3, seconds=60)
    board = f"/rounds/{world.round.id}/leaderboard"
    log_in(client)
    thief = copy_of(client, app)
    page = client.get(board).get_data(as_text=True)
    assert f'class="who" href="/account">{world.contestant.full_name}</a>' in page
    assert "Bạn xếp hạng <strong>1</strong> / 1" in page
    assert f"agency={world.department.id}" in page  # the viewer's own line of agencies
    # A log-in whose last-seen time is over five minutes old is brought up to date by a board view too.
    row = db.session.scalar(sa.select(UserSession))
    row.last_seen_at -= timedelta(minutes=6)
    db.session.commit()
    before = row.last_seen_at
    client.get(board)
    db.session.expire_all()
    assert db.session.scalar(sa.select(UserSession.last_seen_at)) > before + timedelta(minutes=5)
    # After logging out, the copied cookie shows the board as to a stranger: no name, no own rank.
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    stranger = thief.get(board).get_data(as_text=True)
    assert "Bạn xếp hạng" not in stranger and "Đăng nhập" in stranger
    assert 'class="who"' not in stranger
    # A log-in left idle past its time ends when a board is opened with it.
    log_in(client)
    for live in db.session.scalars(sa.select(UserSession).where(UserSession.ended_at.is_(None))):
        live.expires_at -= timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)
    db.session.commit()
    assert "Bạn xếp hạng" not in client.get(board).get_data(as_text=True)
    assert "idle" in db.session.scalars(sa.select(UserSession.end_reason)).all()


def test_a_page_reads_the_log_in_and_the_viewers_own_row_together_and_only_for_a_live_log_in(client, world, app,
                                                                                             now):
    # What a board does at a round's close: the log-in and the viewer's standing in one read
    # (accounts.sessions.viewer_with), which must keep the log-in's rules.
    from contest.accounts.sessions import viewer_with
    from contest.leaderboards.queries import standing_read
    from tests.leaderboards.test_boards import take
    take(world.contestant, world.round, now, correct=3, seconds=60)
    round_id, user_id, name = world.round.id, world.contestant.id, world.contestant.full_name
    log_in(client)
    cookie = f"session={client.get_cookie('session').value}"

    def read(round_id):
        db.session.commit()  # this test's own session holds no lock (SQLite) while the request reads
        with app.app_context(), app.test_request_context("/", headers={"Cookie": cookie}):  # a request's own g
            who, row = viewer_with(now, standing_read(), {"round_id": round_id})
            return (who.full_name if who.is_authenticated else None), row

    seen, own = read(round_id)
    assert seen == name and own.user_id == user_id and own.score == 3 and own.ahead_in_bucket == 0
    assert own.submitted_at.tzinfo is not None  # converted as the column's type says, as standing_of's rows
    assert read(round_id + 1000) == (name, None)  # no standing there
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert read(round_id) == (None, None)  # an ended log-in reads nobody's row

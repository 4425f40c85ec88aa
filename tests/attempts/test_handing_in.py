"""Handing in: the plain form's summary step, the script's JSON answer, and the clock a page resyncs from."""
from datetime import timedelta

import sqlalchemy as sa

from contest.accounts.models import Role
from contest.attempts.models import Attempt
from contest.database import utcnow
from contest.extensions import db
from tests import factories
from tests.attempts.test_pages import start_through_page
from tests.conftest import csrf_token


def test_the_plain_form_keeps_the_answers_and_shows_what_is_left_before_handing_in(client, world, auth):
    auth.login("thisinh@example.vn")
    paper_url = start_through_page(client, world)
    attempt = db.session.scalar(sa.select(Attempt))
    token = csrf_token(client, paper_url)
    response = client.post(f"/attempts/{attempt.id}/submit",
                           data={"csrf_token": token, "review": "1", "q0": "2", "q3": "1"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/attempts/{attempt.id}/confirm")
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt.id)
    assert attempt.submitted_at is None  # not handed in yet…
    assert {item.position: item.selected for item in attempt.items} == {0: [2], 1: None, 2: None, 3: [1], 4: None}
    summary = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<strong id="answered">2/5</strong>' in summary
    for position in (2, 3, 5):
        assert f'#cau-{position}">câu {position}</a>' in summary
    assert "#cau-1" not in summary and "#cau-4" not in summary
    # …until the summary's button, which sends nothing more: the kept answers are marked.
    response = client.post(f"/attempts/{attempt.id}/submit", data={"csrf_token": token})
    assert response.headers["Location"].endswith("/result")
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt.id)
    assert attempt.submitted_at is not None
    assert [item.selected for item in sorted(attempt.items, key=lambda item: item.position)] == \
        [[2], None, None, [1], None]


def test_the_summary_step_after_the_deadline_hands_in_what_was_saved(client, world, auth):
    auth.login("thisinh@example.vn")
    paper_url = start_through_page(client, world)
    token = csrf_token(client, paper_url)
    attempt = db.session.scalar(sa.select(Attempt))
    attempt.deadline_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = client.post(f"/attempts/{attempt.id}/submit", data={"csrf_token": token, "review": "1", "q0": "1"},
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Kết quả bài thi" in page and "Đã hết thời gian làm bài." in page
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt.id)
    assert attempt.is_submitted and all(item.selected is None for item in attempt.items)


def test_the_paper_script_is_told_where_to_go_in_json(client, world, auth):
    auth.login("thisinh@example.vn")
    paper_url = start_through_page(client, world)
    attempt = db.session.scalar(sa.select(Attempt))
    response = client.post(f"/attempts/{attempt.id}/submit", data={"csrf_token": csrf_token(client, paper_url)},
                           headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.get_json()["location"].endswith(f"/attempts/{attempt.id}/result")


def test_the_clock_tells_the_owner_the_time_left_and_nobody_else(client, world, auth):
    auth.login("thisinh@example.vn")
    start_through_page(client, world)
    attempt = db.session.scalar(sa.select(Attempt))
    clock = client.get(f"/attempts/{attempt.id}/clock")
    assert clock.headers["Cache-Control"] == "no-store"
    body = clock.get_json()
    assert 590 <= body["remaining_seconds"] <= 600 and body["is_closed"] is False  # a 10-minute round
    attempt.deadline_at = utcnow() - timedelta(seconds=30)  # past the deadline and the 10 s grace
    db.session.commit()
    body = client.get(f"/attempts/{attempt.id}/clock").get_json()
    assert body["remaining_seconds"] == 0 and body["is_closed"] is True
    assert body["result_url"].endswith(f"/attempts/{attempt.id}/result")
    # Another contestant learns nothing of it; without a session the page is told to log in again.
    factories.make_user("khac@example.vn", world.department, Role.CONTESTANT, name="Lê Văn Khác")
    db.session.commit()
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert client.get(f"/attempts/{attempt.id}/clock").status_code == 401
    auth.login("khac@example.vn")
    assert client.get(f"/attempts/{attempt.id}/clock").status_code == 404


def _hand_in_in_the_grace(client, world, auth, extra: dict) -> Attempt:
    """Start through the page, let the deadline pass by 3 s (the grace is 10 s), then hand in."""
    auth.login("thisinh@example.vn")
    paper_url = start_through_page(client, world)
    token = csrf_token(client, paper_url)
    attempt = db.session.scalar(sa.select(Attempt))
    attempt.deadline_at = utcnow() - timedelta(seconds=3)
    db.session.commit()
    response = client.post(f"/attempts/{attempt.id}/submit", data={"csrf_token": token, "q0": "1", **extra},
                           headers={"Accept": "application/json"})
    assert response.status_code == 200
    db.session.expire_all()
    return db.session.get(Attempt, attempt.id)


def test_a_hand_in_arriving_in_the_grace_is_the_contestants_own(client, world, auth):
    attempt = _hand_in_in_the_grace(client, world, auth, {})
    assert attempt.is_submitted and not attempt.is_auto_submitted
    assert attempt.items[0].selected == [1] or any(item.selected == [1] for item in attempt.items)
    assert attempt.submitted_at == attempt.deadline_at  # the finish is never later than the deadline


def test_the_pages_timer_hand_in_in_the_grace_is_automatic(client, world, auth):
    attempt = _hand_in_in_the_grace(client, world, auth, {"auto": "1"})
    assert attempt.is_submitted and attempt.is_auto_submitted

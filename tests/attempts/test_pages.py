"""The contestant's journey through real pages, and what the browser may never see."""
import json
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from markupsafe import escape

from contest.accounts.models import Role
from contest.attempts.models import Attempt
from contest.bank.models import Question
from contest.database import utcnow
from contest.extensions import db
from tests import factories
from tests.conftest import csrf_token


def start_through_page(client, world):
    token = csrf_token(client, f"/rounds/{world.round.id}")
    response = client.post(f"/rounds/{world.round.id}/start", data={"csrf_token": token})
    assert response.status_code == 302
    return response.headers["Location"]


def option_tags(page):
    return re.findall(r"<input type=\"(?:radio|checkbox)\"[^>]*>", page)


def test_the_home_page_opens_on_the_contest_and_start_needs_a_login(client, world):
    home = client.get("/").get_data(as_text=True)
    assert "<h1 id=\"contest-title\">Cuộc thi thử nghiệm</h1>" in home and "Tuần 1 đang mở" in home
    assert "Vào thi" in home and f"/login?next=/rounds/{world.round.id}" in home
    detail = client.get(f"/rounds/{world.round.id}").get_data(as_text=True)
    assert "Đăng nhập để dự thi" in detail
    assert "10 phút" in detail and "tối đa <strong>2 lượt</strong>" in detail


def test_dates_read_dd_mm_yyyy_in_vietnam_time(client, world):
    local = world.round.opens_at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    detail = client.get(f"/rounds/{world.round.id}").get_data(as_text=True)
    assert local.strftime("%d/%m/%Y %H:%M") in detail


def test_the_full_journey_through_pages(client, world, auth):
    auth.login("thisinh@example.vn")
    paper_url = start_through_page(client, world)
    page = client.get(paper_url).get_data(as_text=True)
    assert page.count("<fieldset") == 5 and len(option_tags(page)) == 20
    attempt = db.session.scalar(sa.select(Attempt))
    # A perfect paper, posted by the plain form (no JavaScript).
    data = {"csrf_token": csrf_token(client, paper_url)}
    for item in attempt.items:
        data[f"q{item.position}"] = str(item.choice_order.index(item.question.correct[0]))
    response = client.post(f"/attempts/{attempt.id}/submit", data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith("/result")
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "5/5" in result and "Hạng hiện tại: <strong id=\"rank\">1</strong>" in result
    assert f"Nguyễn Văn Thí, {world.department.name}</dd>" in result  # who and which agency, from the log-in's read
    board = client.get(f"/rounds/{world.round.id}/leaderboard").get_data(as_text=True)
    assert "Nguyễn Văn Thí" in board and 'class="me" id="me"' in board and "Bạn xếp hạng <strong>1</strong> / 1" in board
    # Submitting again changes nothing.
    client.post(f"/attempts/{attempt.id}/submit", data={"csrf_token": data["csrf_token"], "q0": "0"})
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).score == 5


def test_the_paper_carries_no_sign_of_the_right_option(client, world, auth):
    auth.login("thisinh@example.vn")
    page = client.get(start_through_page(client, world)).get_data(as_text=True)
    attempt = db.session.scalar(sa.select(Attempt))
    for item in attempt.items:
        block = page[page.index(f'data-position="{item.position}"'):]
        block = block[:block.index("</fieldset>")]
        tags = option_tags(block)
        # Every option's tag is identical but for its shown number: nothing marks the right one.
        assert [re.sub(r'value="\d"', "", tag) for tag in tags] == [re.sub(r'value="\d"', "", tags[0])] * 4
        assert [f'value="{k}"' in tag for k, tag in enumerate(tags)] == [True] * 4
    lowered = page.lower()
    for word in ("correct", "is_correct", "đáp án đúng", "explanation", "giải thích"):
        assert word not in lowered
    assert "Khoản 1 Điều 3" not in page  # the citation is shown only after the round's review policy


def test_the_paper_shows_markup_in_a_question_as_text(client, world, auth):
    """Wording imported from a bank is text on the paper, never markup: a script in a question or a tag
    in an option is shown as typed."""
    for question in db.session.scalars(sa.select(Question)):
        question.text = f"<script>alert({question.id})</script> Thủ tục là gì?"
        question.choices = ["<b>Một</b> & hai", *question.choices[1:]]
    db.session.commit()
    auth.login("thisinh@example.vn")
    page = client.get(start_through_page(client, world)).get_data(as_text=True)
    assert "<script>alert" not in page and "<b>Một" not in page
    assert page.count("&lt;script&gt;alert(") == world.round.question_count
    assert page.count('<span class="text">&lt;b&gt;Một&lt;/b&gt; &amp; hai</span>') == world.round.question_count


def test_answers_save_as_json_and_resume_after_reload(client, world, auth):
    auth.login("thisinh@example.vn")
    paper_url = start_through_page(client, world)
    attempt = db.session.scalar(sa.select(Attempt))
    token = csrf_token(client, paper_url)
    response = client.post(f"/attempts/{attempt.id}/answers", data=json.dumps({"position": 2, "selected": [3]}),
                           content_type="application/json", headers={"X-CSRFToken": token})
    assert response.status_code == 200
    body = response.get_json()
    assert body["selected"] == [3] and 0 < body["remaining_seconds"] <= 600
    assert set(body) == {"position", "selected", "revision", "remaining_seconds"}
    page = client.get(paper_url).get_data(as_text=True)
    block = page[page.index('data-position="2"'):]
    assert 'value="3" checked' in block[:block.index("</fieldset>")]


def test_the_paper_shows_the_drawn_order_and_past_the_grace_hands_in_what_was_saved(client, world, auth):
    auth.login("thisinh@example.vn")
    paper_url = start_through_page(client, world)
    attempt = db.session.scalar(sa.select(Attempt))
    token = csrf_token(client, paper_url)
    client.post(f"/attempts/{attempt.id}/answers", data=json.dumps({"position": 1, "selected": [2], "revision": 7}),
                content_type="application/json", headers={"X-CSRFToken": token})
    page = client.get(paper_url).get_data(as_text=True)
    assert 'data-revision="7"' in page  # the page's next save goes on from the revision stored
    for item in attempt.items:  # each question with its options in the order drawn for this paper
        block = page[page.index(f'data-position="{item.position}"'):]
        block = block[:block.index("</fieldset>")]
        assert str(escape(item.question.text)) in block
        assert re.findall(r'<span class="text">(.*?)</span>', block) == \
            [str(escape(item.question.choices[original])) for original in item.choice_order]
    attempt.deadline_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = client.get(paper_url)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/attempts/{attempt.id}/result")
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt.id)
    assert attempt.is_submitted and attempt.is_auto_submitted
    assert [item.selected for item in attempt.items if item.selected] == [[2]]


def test_a_save_without_csrf_header_is_refused(client, world, auth):
    auth.login("thisinh@example.vn")
    start_through_page(client, world)
    attempt = db.session.scalar(sa.select(Attempt))
    response = client.post(f"/attempts/{attempt.id}/answers", data=json.dumps({"position": 0, "selected": [1]}),
                           content_type="application/json")
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).items[0].selected is None


def test_another_contestants_attempt_is_not_found(client, world, auth):
    auth.login("thisinh@example.vn")
    start_through_page(client, world)
    attempt = db.session.scalar(sa.select(Attempt))
    factories.make_user("khac@example.vn", world.commune)
    db.session.commit()
    other = client.application.test_client()
    token = csrf_token(other, "/login")
    other.post("/login", data={"email": "khac@example.vn", "password": factories.PASSWORD, "csrf_token": token})
    assert other.get(f"/attempts/{attempt.id}").status_code == 404
    assert other.get(f"/attempts/{attempt.id}/result").status_code == 404


def save(client, attempt_id, token, position, selected, revision):
    return client.post(f"/attempts/{attempt_id}/answers", headers={"X-CSRFToken": token},
                       json={"position": position, "selected": selected, "revision": revision})


def stored_answer(attempt_id, position):
    db.session.commit()  # a fresh read, not the test's earlier snapshot
    item = db.session.get(Attempt, attempt_id).items[position]
    return item.selected, item.revision


def test_a_numbered_save_is_stored_and_a_stale_or_invalid_one_changes_nothing(client, world, auth):
    """The page numbers its saves: the usual save (one statement) and the refusals the full path explains."""
    auth.login("thisinh@example.vn")
    paper_url = start_through_page(client, world)
    attempt = db.session.scalar(sa.select(Attempt))
    token = csrf_token(client, paper_url)
    first = save(client, attempt.id, token, 1, [2], 5)
    assert first.status_code == 200 and first.get_json()["selected"] == [2] and first.get_json()["revision"] == 5
    assert 0 < first.get_json()["remaining_seconds"] <= 600
    assert stored_answer(attempt.id, 1) == ([2], 5)
    stale = save(client, attempt.id, token, 1, [3], 4)  # sent earlier, arrived later
    assert stale.status_code == 200 and (stale.get_json()["selected"], stale.get_json()["revision"]) == ([2], 5)
    invalid = save(client, attempt.id, token, 1, [7], 6)  # the question shows four options
    assert invalid.status_code == 409 and invalid.get_json()["error"] == "Phương án không hợp lệ."
    assert save(client, attempt.id, token, 99, [0], 7).status_code == 409  # no such question
    several = save(client, attempt.id, token, 1, [0, 1], 8)  # every question here has one right option
    assert several.status_code == 409 and several.get_json()["error"] == "Câu này chỉ chọn một phương án."
    assert stored_answer(attempt.id, 1) == ([2], 5)
    cleared = save(client, attempt.id, token, 1, [], 9)
    assert cleared.status_code == 200 and cleared.get_json()["selected"] == []
    assert stored_answer(attempt.id, 1) == (None, 9)


def test_a_numbered_save_by_another_contestant_or_too_late_stores_nothing(client, world, auth):
    auth.login("thisinh@example.vn")
    paper_url = start_through_page(client, world)
    attempt = db.session.scalar(sa.select(Attempt))
    token = csrf_token(client, paper_url)
    factories.make_user("khac@example.vn", world.commune)
    db.session.commit()
    other = client.application.test_client()
    other_token = csrf_token(other, "/login")
    other.post("/login", data={"email": "khac@example.vn", "password": factories.PASSWORD, "csrf_token": other_token})
    assert save(other, attempt.id, csrf_token(other, "/"), 0, [1], 1).status_code == 404
    assert stored_answer(attempt.id, 0) == (None, 0)

    attempt_row = db.session.get(Attempt, attempt.id)
    attempt_row.deadline_at = utcnow() - timedelta(seconds=4)  # past the deadline, inside the 10 s grace
    db.session.commit()
    in_grace = save(client, attempt.id, token, 0, [1], 1)
    assert in_grace.status_code == 200 and in_grace.get_json()["remaining_seconds"] == 0
    attempt_row = db.session.get(Attempt, attempt.id)
    attempt_row.deadline_at = attempt_row.started_at - timedelta(minutes=1)  # the grace is over too
    db.session.commit()
    late = save(client, attempt.id, token, 0, [2], 2)
    assert late.status_code == 409 and late.get_json()["submitted"] is True
    assert stored_answer(attempt.id, 0) == ([1], 1)
    assert db.session.get(Attempt, attempt.id).submitted_at is not None  # the late save closed the paper


def test_a_submission_needs_its_owner_and_the_form_token(client, world, auth):
    auth.login("thisinh@example.vn")
    paper_url = start_through_page(client, world)
    attempt = db.session.scalar(sa.select(Attempt))
    assert client.post(f"/attempts/{attempt.id}/submit", data={"q0": "0"}).status_code == 400  # no token
    factories.make_user("khac@example.vn", world.commune)
    db.session.commit()
    other = client.application.test_client()
    token = csrf_token(other, "/login")
    other.post("/login", data={"email": "khac@example.vn", "password": factories.PASSWORD, "csrf_token": token})
    assert other.post(f"/attempts/{attempt.id}/submit", data={"csrf_token": csrf_token(other, "/")}).status_code == 404
    anonymous = client.application.test_client()
    response = anonymous.post(f"/attempts/{attempt.id}/submit", data={"csrf_token": csrf_token(anonymous, "/login")})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    db.session.commit()
    assert db.session.get(Attempt, attempt.id).submitted_at is None
    done = client.post(f"/attempts/{attempt.id}/submit", data={"csrf_token": csrf_token(client, paper_url)})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/attempts/{attempt.id}/result")
    db.session.commit()
    assert db.session.get(Attempt, attempt.id).submitted_at is not None


def test_a_start_without_the_form_token_or_a_login_starts_nothing(client, world, auth):
    anonymous = client.application.test_client()
    response = anonymous.post(f"/rounds/{world.round.id}/start", data={"csrf_token": csrf_token(anonymous, "/login")})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    auth.login("thisinh@example.vn")
    assert client.post(f"/rounds/{world.round.id}/start", data={}).status_code == 400
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attempt)) == 0
    start_through_page(client, world)
    db.session.commit()
    assert len(db.session.scalar(sa.select(Attempt)).items) == world.round.question_count


def test_a_start_reads_the_round_and_its_contest_with_the_account(client, world, auth):
    """The start reads the round's rules, its contest's scope and the account in one statement: a round
    that does not exist is a 404, an agency outside the contest's scope is told which one it is for, and
    neither starts anything."""
    auth.login("thisinh@example.vn")
    token = csrf_token(client, f"/rounds/{world.round.id}")
    assert client.post(f"/rounds/{world.round.id + 1000}/start", data={"csrf_token": token}).status_code == 404
    world.round.contest.eligible_agency_id = world.district.id  # the contestant works at Sở Tư pháp
    db.session.commit()
    refused = client.post(f"/rounds/{world.round.id}/start", data={"csrf_token": token}, follow_redirects=True)
    assert f"Cuộc thi dành cho cán bộ, công chức, viên chức thuộc {world.district.name}." in \
        refused.get_data(as_text=True)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attempt)) == 0
    world.round.contest.eligible_agency_id = None
    db.session.commit()
    start_through_page(client, world)


def test_a_password_reset_ends_the_sessions_signed_before_it(client, world, auth):
    """Someone else logged in to the account (a shared or stolen password) loses it the moment the
    organizers reset the password: no page, no save, no submission, no new attempt."""
    auth.login("thisinh@example.vn")
    start_through_page(client, world)
    attempt = db.session.scalar(sa.select(Attempt))
    token = csrf_token(client, f"/attempts/{attempt.id}")
    assert save(client, attempt.id, token, 0, [1], 1).status_code == 200
    factories.make_user("btc@example.vn", world.province, Role.ORGANIZER, name="Ban tổ chức")
    db.session.commit()
    organizer = client.application.test_client()
    organizer.post("/login", data={"email": "btc@example.vn", "password": factories.PASSWORD,
                                   "csrf_token": csrf_token(organizer, "/login")})
    reset = organizer.post(f"/organizer/accounts/{world.contestant.id}/password",
                           data={"csrf_token": csrf_token(organizer, "/organizer/accounts"), "confirmed": "1"})
    assert reset.status_code == 200
    assert "Nguyễn Văn Thí" not in client.get("/").get_data(as_text=True)
    assert client.get(f"/attempts/{attempt.id}").status_code == 302  # to the log-in page
    assert save(client, attempt.id, token, 0, [2], 2).status_code == 401
    assert stored_answer(attempt.id, 0) == ([1], 1)
    assert client.post(f"/attempts/{attempt.id}/submit", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert not db.session.get(Attempt, attempt.id).is_submitted
    started = client.post(f"/rounds/{world.round.id}/start", data={"csrf_token": token})
    assert "/login" in started.headers["Location"]


def test_changing_ones_password_keeps_this_session_and_ends_the_others(client, world, auth):
    auth.login("thisinh@example.vn")
    other = client.application.test_client()
    other.post("/login", data={"email": "thisinh@example.vn", "password": factories.PASSWORD,
                               "csrf_token": csrf_token(other, "/login")})
    assert "Nguyễn Văn Thí" in other.get("/").get_data(as_text=True)
    response = client.post("/account", data={"current_password": factories.PASSWORD, "password": "mat-khau-moi-2026",
                                             "password_confirm": "mat-khau-moi-2026",
                                             "csrf_token": csrf_token(client, "/account")})
    assert response.status_code == 302
    assert "Nguyễn Văn Thí" in client.get("/").get_data(as_text=True)
    assert "Nguyễn Văn Thí" not in other.get("/").get_data(as_text=True)
    start_through_page(client, world)  # this session still starts and saves on the quick paths
    attempt = db.session.scalar(sa.select(Attempt))
    assert save(client, attempt.id, csrf_token(client, f"/attempts/{attempt.id}"), 0, [1], 1).status_code == 200


def test_every_submission_gives_its_connection_back_with_no_transaction_open(client, world, auth):
    """On PostgreSQL a submission sends its own BEGIN and COMMIT (the connection is in autocommit mode
    meanwhile, so that BEGIN travels with the lock). Whatever the outcome — refused, not the
    contestant's, accepted — the connection must go back to the pool with no transaction open and in
    its usual mode: otherwise the next request on it would commit each statement as it went, and an
    import that failed half-way would keep half its rows."""
    def state(connection):
        if db.engine.dialect.name == "postgresql":
            return connection.autocommit, connection.info.transaction_status.name
        return False, "INTRANS" if connection.in_transaction else "IDLE"

    returned = []

    def on_checkin(dbapi_connection, record):
        if dbapi_connection is not None:
            returned.append(state(dbapi_connection))

    world.round.is_all_required = True
    factories.make_user("khac@example.vn", world.commune)
    db.session.commit()
    auth.login("thisinh@example.vn")
    paper_url = start_through_page(client, world)
    attempt = db.session.scalar(sa.select(Attempt))
    token = csrf_token(client, paper_url)
    other = client.application.test_client()
    other.post("/login", data={"email": "khac@example.vn", "password": factories.PASSWORD,
                               "csrf_token": csrf_token(other, "/login")})
    other_token = csrf_token(other, "/")
    db.session.commit()
    sa.event.listen(db.engine, "checkin", on_checkin)
    try:
        refused = client.post(f"/attempts/{attempt.id}/submit", data={"csrf_token": token, "q0": "1"})
        assert refused.headers["Location"].endswith(f"/attempts/{attempt.id}")  # questions left unanswered
        assert other.post(f"/attempts/{attempt.id}/submit", data={"csrf_token": other_token}).status_code == 404
        answers = {f"q{position}": "0" for position in range(world.round.question_count)}
        accepted = client.post(f"/attempts/{attempt.id}/submit", data={"csrf_token": token, **answers})
        assert accepted.headers["Location"].endswith("/result")
    finally:
        sa.event.remove(db.engine, "checkin", on_checkin)
    assert len(returned) >= 3 and set(returned) == {(False, "IDLE")}
    db.session.expire_all()
    submitted = db.session.get(Attempt, attempt.id)
    assert submitted.is_submitted and all(item.selected for item in submitted.items)

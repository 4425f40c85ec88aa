"""The demo: loaded through the real services, idempotent, with the accounts README lists."""
import sqlalchemy as sa
from werkzeug.security import check_password_hash

from contest.accounts.models import User
from contest.attempts.models import Attempt
from contest.bank.models import Question
from contest.database import utcnow
from contest.demo.loader import DEMO_PASSWORD, load_demo
from contest.extensions import db
from contest.leaderboards.models import Standing
from contest.legal.services import find_document
from contest.live.models import LiveEvent
from contest.rounds.models import Round


def counts():
    return {model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (User, Question, Round, Attempt, Standing)}


def test_demo_loads_once_and_a_second_run_adds_nothing(app):
    report = load_demo(utcnow(), simulated=25)
    db.session.commit()
    assert report.simulated == 25 and report.attempts >= 50
    first = counts()
    again = load_demo(utcnow(), simulated=25)
    db.session.commit()
    assert counts() == first
    assert (again.agencies, again.questions, again.accounts, again.simulated, again.live_events) == (0, 0, 0, 0, 0)


def test_the_demo_live_final_is_ready_to_run_with_cited_questions(app):
    load_demo(utcnow(), simulated=0)
    db.session.commit()
    event = db.session.scalar(sa.select(LiveEvent))
    assert event.code == "CCHC26" and [team.pin for team in event.teams] == ["111111", "222222", "333333", "444444"]
    assert [segment.kind for segment in event.segments] == ["all_answer", "speed", "buzzer", "star"]
    questions = [item.question for segment in event.segments for item in segment.questions]
    assert len(questions) == len({q.id for q in questions}) == 13
    assert all(q.status == "approved" and q.document is not None and q.article for q in questions)
    assert sorted(judge.email for judge in event.judges) == ["giamkhao2@demo.vn", "giamkhao@demo.vn"]


def test_demo_accounts_and_bank(app):
    load_demo(utcnow(), simulated=5)
    db.session.commit()
    for email, role in [("bantochuc@demo.vn", "organizer"), ("giamkhao@demo.vn", "judge"),
                        *[(f"thisinh{n}@demo.vn", "contestant") for n in range(1, 6)]]:
        user = db.session.scalar(sa.select(User).where(User.email == email))
        assert user.role == role and check_password_hash(user.password_hash, DEMO_PASSWORD)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Attempt)
                                 .where(Attempt.user_id == user.id)) == 0
    approved = db.session.scalars(sa.select(Question).where(Question.status == "approved")).all()
    assert len(approved) >= 40
    assert all(q.document is not None and q.article for q in approved)
    open_rounds = [r for r in db.session.scalars(sa.select(Round)) if r.is_open_at(utcnow())]
    assert len(open_rounds) == 1
    decree = find_document("63/2010/NĐ-CP")
    assert decree.status == "amended" and len(decree.articles) == 37
    assert decree.articles[0].chapter == "Chương 1. Những quy định chung"


def test_a_demo_contestant_finishes_an_attempt_through_pages(client, app, auth):
    load_demo(utcnow(), simulated=5)
    db.session.commit()
    auth.login("thisinh1@demo.vn", DEMO_PASSWORD)
    round_ = next(r for r in db.session.scalars(sa.select(Round)) if r.is_open_at(utcnow()))
    page = client.get(f"/rounds/{round_.id}").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    paper = client.post(f"/rounds/{round_.id}/start", data={"csrf_token": token}).headers["Location"]
    attempt_id = int(paper.rsplit("/", 1)[1])
    response = client.post(f"/attempts/{attempt_id}/submit", data={"csrf_token": token, "q0": "1"})
    assert response.status_code == 302
    assert "câu đúng" in client.get(response.headers["Location"]).get_data(as_text=True)

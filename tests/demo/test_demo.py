"""The demo: loaded through the real services, idempotent, with the accounts README lists."""
import sqlalchemy as sa
from werkzeug.security import check_password_hash

from contest.accounts.models import User
from contest.attempts.models import Attempt
from contest.bank.models import Question
from contest.database import utcnow
from contest.demo.loader import DEMO_PASSWORD, load_demo
from contest.extensions import db
from contest.integrity.queries import integrity_report
from contest.leaderboards.models import Standing
from contest.legal.services import find_document
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
    assert (again.agencies, again.questions, again.accounts, again.simulated, again.suspicious) == (0, 0, 0, 0, 0)


def test_the_demo_shows_every_signal_to_judges_and_a_week_open_now(app, client):
    now = utcnow()
    report = load_demo(now, simulated=5)
    db.session.commit()
    assert report.suspicious == 15
    weeks = db.session.scalars(sa.select(Round).order_by(Round.opens_at)).all()
    assert [week.state_at(now) for week in weeks] == ["closed", "open", "upcoming", "upcoming"]
    for week in weeks[:2]:
        signals = integrity_report(week.id)
        assert len(signals.shared_devices) == 1 and len(signals.shared_devices[0].accounts) == 3
        assert len(signals.shared_addresses) == 1 and len(signals.shared_addresses[0].accounts) == 6
        assert len(signals.fast_papers) >= 2 and len(signals.identical_papers) == 1
        assert len(signals.near_duplicates) == 1
    home = client.get("/").get_data(as_text=True)
    assert "Tuần 2 đang mở" in home and "Ủy ban nhân dân tỉnh Bình An" in home and home.count('class="week ') == 4


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

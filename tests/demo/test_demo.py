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
    assert (again.agencies, again.questions, again.accounts, again.simulated, again.suspicious, again.live_events) == \
        (0, 0, 0, 0, 0, 0)


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


def test_the_four_questions_on_amended_provisions_are_flagged_with_the_reason_and_never_drawn(app):
    from contest.attempts.models import AttemptItem
    from contest.reviews.models import QuestionReview

    load_demo(utcnow(), simulated=40)
    db.session.commit()
    flagged = db.session.execute(sa.select(Question.citation, QuestionReview.reason).join(
        QuestionReview, QuestionReview.question_id == Question.id).where(QuestionReview.resolved_at.is_(None))).all()
    assert sorted(citation for citation, _ in flagged) == [
        "Khoản 3 Điều 29 Nghị định 63/2010/NĐ-CP", "Khoản 3 Điều 30 Nghị định 63/2010/NĐ-CP",
        "Khoản 4 Điều 30 Nghị định 63/2010/NĐ-CP", "Điều 24 Nghị định 63/2010/NĐ-CP"]
    for _, reason in flagged:
        assert "Nghị định 48/2013/NĐ-CP" in reason and "chưa có trong bộ tài liệu tham chiếu" in reason
    flagged_ids = db.session.scalars(sa.select(QuestionReview.question_id)).all()
    drawn = set(db.session.scalars(sa.select(AttemptItem.question_id).distinct()))
    assert drawn and not drawn & set(flagged_ids)
    # Loading again flags nothing twice.
    load_demo(utcnow(), simulated=40)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuestionReview)) == 4


def test_demo_pairs_that_give_each_other_away_are_families_never_on_one_paper(app):
    from collections import Counter

    from contest.attempts.models import AttemptItem

    load_demo(utcnow(), simulated=60)
    db.session.commit()
    families = {}
    for question in db.session.scalars(sa.select(Question).where(Question.family_id.is_not(None))):
        families.setdefault(question.family_id, []).append(question)
    assert len(families) == 3
    stems = sorted(sorted(q.text[:40] for q in members) for members in families.values())
    assert any("quá hai lần" in " ".join(q.text for q in members) for members in families.values())
    assert all(len(members) == 2 for members in families.values()), stems
    family_of = {q.id: q.family_id for members in families.values() for q in members}
    papers = Counter()
    for attempt_id, question_id in db.session.execute(sa.select(AttemptItem.attempt_id, AttemptItem.question_id)):
        if question_id in family_of:
            papers[(attempt_id, family_of[question_id])] += 1
    assert papers and max(papers.values()) == 1


def test_no_test_fixture_is_shipped_or_loaded(app):
    from pathlib import Path

    from contest.legal.models import LegalDocument
    from tests.fixtures.legal import FIXTURE_MARK

    load_demo(utcnow(), simulated=0)
    db.session.commit()
    assert all(FIXTURE_MARK not in (document.source_text or "")
               for document in db.session.scalars(sa.select(LegalDocument)))
    root = Path(__file__).resolve().parents[2]
    for folder in ("contest", "questions", "templates", "static"):
        for path in (root / folder).rglob("*"):
            if path.is_file() and path.suffix in (".py", ".md", ".json", ".txt", ".html"):
                assert FIXTURE_MARK not in path.read_text(encoding="utf-8", errors="ignore"), path

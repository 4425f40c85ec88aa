"""Papers drawn ahead of the opening (flask attempts draw-ahead): on PostgreSQL a start claims one and
the contestant gets exactly that paper; a paper drawn for an older state of the bank is never used;
without papers (and on SQLite) a start draws on demand as before."""
import threading

import sqlalchemy as sa

from contest.attempts.ahead import papers_ready
from contest.attempts.models import Attempt, AttemptItem, DrawnPaper
from contest.attempts.services import start_attempt
from contest.bank.models import Question
from contest.extensions import db
from contest.reviews.services import flag_question
from tests import factories
from tests.conftest import BACKEND, csrf_token

IS_POSTGRES = BACKEND == "postgres"


def items_of(attempt) -> list[list]:
    return [[item.question_id, item.choice_order] for item in db.session.scalars(
        sa.select(AttemptItem).where(AttemptItem.attempt_id == attempt.id).order_by(AttemptItem.position))]


def test_a_start_takes_a_paper_drawn_ahead_whole_and_only_once(runner, world, now):
    result = runner.invoke(args=["attempts", "draw-ahead", str(world.round.id), "--count", "3"])
    assert "Đã rút sẵn 3 đề" in result.output and "đang chờ: 3 đề" in result.output
    ready = {paper.seed: paper.items for paper in db.session.scalars(sa.select(DrawnPaper))}
    people = [factories.make_user(f"s{n}@example.vn", world.department) for n in range(2)]
    db.session.commit()
    attempts = [start_attempt(person, world.round, now) for person in people]
    db.session.commit()
    for attempt in attempts:
        assert len(items_of(attempt)) == 5 and len({q for q, _ in items_of(attempt)}) == 5
    if IS_POSTGRES:
        # Each got a different paper exactly as drawn (questions, order, shuffled options, seed).
        assert [items_of(a) for a in attempts] == [ready[a.seed] for a in attempts]
        assert attempts[0].seed != attempts[1].seed
        assert papers_ready(world.round.id) == 1
    else:
        assert papers_ready(world.round.id) == 3  # SQLite draws on demand


def test_a_paper_drawn_before_the_bank_changed_is_not_used(runner, world, now):
    runner.invoke(args=["attempts", "draw-ahead", str(world.round.id), "--count", "2"])
    ready = {paper.seed for paper in db.session.scalars(sa.select(DrawnPaper))}
    flagged = db.session.scalars(sa.select(Question).order_by(Question.id)).first()
    flag_question(flagged, "Điều khoản đã được sửa đổi")  # the bank's revision moves
    db.session.commit()
    attempt = start_attempt(world.contestant, world.round, now)
    db.session.commit()
    assert attempt.seed not in ready and papers_ready(world.round.id) == 2
    assert flagged.id not in [q for q, _ in items_of(attempt)]  # drawn on demand, without the flagged question
    # The next draw-ahead drops the stale papers and draws for the bank as it is now.
    runner.invoke(args=["attempts", "draw-ahead", str(world.round.id), "--count", "1"])
    assert {paper.seed for paper in db.session.scalars(sa.select(DrawnPaper))}.isdisjoint(ready)
    assert papers_ready(world.round.id) == 1


def test_tabs_starting_at_once_through_the_page_get_one_attempt_and_use_one_paper(app, client, runner, world, auth):
    """Four tabs of one contestant press start together at the opening: one attempt begins and every tab
    lands on it; on PostgreSQL it took one paper drawn ahead, whole (the tabs that lost the race took
    none: the claim and the attempt are one statement, committed or refused together)."""
    runner.invoke(args=["attempts", "draw-ahead", str(world.round.id), "--count", "3"])
    auth.login("thisinh@example.vn")
    token = csrf_token(client, f"/rounds/{world.round.id}")
    tabs = [app.test_client() for _ in range(4)]
    for tab in tabs:
        tab.set_cookie("session", client.get_cookie("session").value)
    url, user_id, count = f"/rounds/{world.round.id}/start", world.contestant.id, world.round.question_count
    db.session.commit()  # on SQLite the test's transaction would hold the write lock
    barrier, results = threading.Barrier(len(tabs)), {}

    def press_start(tab):
        barrier.wait(timeout=10)
        results[tab] = tab.post(url, data={"csrf_token": token})

    threads = [threading.Thread(target=press_start, args=(tab,)) for tab in tabs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    attempts = db.session.scalars(sa.select(Attempt).where(Attempt.user_id == user_id)).all()
    assert len(attempts) == 1
    assert {response.headers["Location"] for response in results.values()} == {f"/attempts/{attempts[0].id}"}
    assert papers_ready(world.round.id) == (2 if IS_POSTGRES else 3)
    assert len(items_of(attempts[0])) == count

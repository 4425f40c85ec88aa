"""The attempt engine: the server's clock decides time, the database decides limits."""
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from contest.accounts.models import Role, User
from contest.attempts.models import Attempt
from contest.attempts.services import (AttemptError, finalize_expired, save_answer, start_attempt,
                                       submit_attempt)
from contest.bank.models import Question
from contest.extensions import db
from contest.leaderboards.models import Standing
from contest.rounds.models import Round
from tests import factories


def correct_shown(item):
    """The shown positions of the item's correct options (what a perfect contestant picks)."""
    return [item.choice_order.index(index) for index in item.question.correct]


def wrong_shown(item):
    return [next(k for k, original in enumerate(item.choice_order) if original not in item.question.correct)]


def test_start_draws_distinct_approved_questions_with_shuffled_options(world, now):
    retired = db.session.scalars(sa.select(Question).limit(10)).all()
    for question in retired:
        question.status = "retired"
    attempt = start_attempt(world.contestant, world.round, now)
    drawn = [item.question for item in attempt.items]
    assert len(drawn) == 5 and len({q.id for q in drawn}) == 5
    assert all(q.status == "approved" for q in drawn)
    assert all(sorted(item.choice_order) == [0, 1, 2, 3] for item in attempt.items)
    # Across many draws the first option as stored is not always shown first.
    orders = {tuple(item.choice_order) for item in attempt.items}
    for _ in range(5):
        db.session.rollback()
        orders |= {tuple(item.choice_order) for item in
                   start_attempt(world.contestant, world.round, now).items}
    assert len(orders) > 1


def test_deadline_is_the_time_limit_or_the_close_whichever_first(world, now):
    attempt = start_attempt(world.contestant, world.round, now)
    assert attempt.deadline_at == now + timedelta(minutes=10)
    late_round = factories.make_round(now, opens_in=timedelta(hours=-1), lasts=timedelta(hours=1, minutes=3))
    late = start_attempt(world.contestant, late_round, now)
    assert late.deadline_at == late_round.closes_at == now + timedelta(minutes=3)


def test_starting_again_resumes_the_attempt_in_progress(world, now, later):
    first = start_attempt(world.contestant, world.round, now)
    db.session.commit()
    assert start_attempt(world.contestant, world.round, later(60)).id == first.id


def test_attempts_allowed_are_enforced(world, now, later):
    for n in range(2):
        attempt = start_attempt(world.contestant, world.round, later(n * 1000))
        submit_attempt(attempt, later(n * 1000 + 30))
        db.session.commit()
    with pytest.raises(AttemptError, match="hết số lần thi"):
        start_attempt(world.contestant, world.round, later(3000))


def test_round_window_is_enforced(world, now):
    upcoming = factories.make_round(now, opens_in=timedelta(hours=1))
    with pytest.raises(AttemptError, match="chưa mở"):
        start_attempt(world.contestant, upcoming, now)
    with pytest.raises(AttemptError, match="đã kết thúc"):
        start_attempt(world.contestant, world.round, world.round.closes_at)


def test_score_counts_exactly_matching_answers(world, now, later):
    attempt = start_attempt(world.contestant, world.round, now)
    items = attempt.items
    for item in items[:3]:
        save_answer(attempt, item.position, correct_shown(item), later(10))
    save_answer(attempt, items[3].position, wrong_shown(items[3]), later(20))
    submit_attempt(attempt, later(95.5))
    assert attempt.score == 3 and attempt.max_score == 5
    assert attempt.duration_ms == 95_500
    assert [item.is_correct for item in attempt.items] == [True, True, True, False, False]


def test_a_late_save_is_refused_and_the_attempt_finalized(world, now, later):
    attempt = start_attempt(world.contestant, world.round, now)
    item = attempt.items[0]
    save_answer(attempt, item.position, correct_shown(item), later(599))
    with pytest.raises(AttemptError, match="hết thời gian"):
        save_answer(attempt, attempt.items[1].position, correct_shown(attempt.items[1]), later(600 + 11))
    assert attempt.is_submitted and attempt.is_auto_submitted
    assert attempt.score == 1 and attempt.duration_ms == 600_000


def test_a_save_inside_the_grace_counts(world, now, later):
    attempt = start_attempt(world.contestant, world.round, now)
    item = attempt.items[0]
    save_answer(attempt, item.position, correct_shown(item), later(605))
    submit_attempt(attempt, later(606))
    assert attempt.score == 1
    assert attempt.duration_ms == 600_000  # finish is never later than the deadline


def test_a_late_submission_is_cut_to_the_deadline(world, now, later):
    attempt = start_attempt(world.contestant, world.round, now)
    answers = {item.position: correct_shown(item) for item in attempt.items}
    submit_attempt(attempt, later(3600), answers)
    assert attempt.score == 0 and attempt.submitted_at == attempt.deadline_at


def test_submitting_twice_counts_once(world, now, later):
    attempt = start_attempt(world.contestant, world.round, now)
    answers = {item.position: correct_shown(item) for item in attempt.items}
    submit_attempt(attempt, later(40), answers)
    submit_attempt(attempt, later(50), {0: wrong_shown(attempt.items[0])})
    db.session.commit()
    assert attempt.score == 5 and attempt.duration_ms == 40_000
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Standing)) == 1


def test_saving_after_submission_is_refused(world, now, later):
    attempt = start_attempt(world.contestant, world.round, now)
    submit_attempt(attempt, later(30))
    with pytest.raises(AttemptError, match="đã nộp"):
        save_answer(attempt, 0, [0], later(31))


def test_an_invalid_option_is_refused(world, now):
    attempt = start_attempt(world.contestant, world.round, now)
    with pytest.raises(AttemptError, match="không hợp lệ"):
        save_answer(attempt, 0, [7], now)
    with pytest.raises(AttemptError, match="không thuộc"):
        save_answer(attempt, 99, [0], now)


def test_finalize_expired_submits_abandoned_attempts_with_saved_answers(world, now, later, runner):
    attempt = start_attempt(world.contestant, world.round, now)
    save_answer(attempt, 0, correct_shown(attempt.items[0]), later(5))
    fresh_user = factories.make_user("khac@example.vn", world.commune)
    fresh = start_attempt(fresh_user, world.round, later(400))
    db.session.commit()
    assert finalize_expired(later(611)) == 1
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).score == 1
    assert db.session.get(Attempt, fresh.id).submitted_at is None
    assert "Đã chốt 0 bài thi" in runner.invoke(args=["attempts", "finalize-expired"]).output


def test_staff_accounts_cannot_take_part(world, now):
    judge = factories.make_user("gk@example.vn", world.province, Role.JUDGE)
    with pytest.raises(AttemptError, match="Chỉ thí sinh"):
        start_attempt(judge, world.round, now)


def test_parallel_starts_give_one_attempt(app, world, now):
    """Two tabs pressing start at once: the database lets exactly one attempt exist."""
    user_id, round_id = world.contestant.id, world.round.id
    db.session.rollback()  # end this test's own transaction: on SQLite it would hold the write lock
    barrier = threading.Barrier(4)
    started, errors = [], []

    def press_start():
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                user, round_ = db.session.get(User, user_id), db.session.get(Round, round_id)
                attempt = start_attempt(user, round_, now)
                db.session.commit()
                started.append(attempt.id)
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=press_start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.expire_all()
    attempts = db.session.scalars(sa.select(Attempt).where(Attempt.user_id == user_id)).all()
    assert len(attempts) == 1
    assert set(started) <= {attempts[0].id}
    assert all(isinstance(error, AttemptError) for error in errors), errors

"""The attempt engine under real concurrency: threads on their own connections, released together.

Each thread runs in its own app context (so its own session and connection), as a request does, and
takes the locks the routes take: a save loads its attempt with a share lock, a submission with an
exclusive one. On PostgreSQL these are real races; on SQLite every transaction begins IMMEDIATE, so
writers queue, and the same tests check that the queueing keeps the same guarantees.
"""
import random
import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from contest.accounts.models import User
from contest.accounts.sessions import start_session
from contest.attempts.models import Attempt, AttemptItem
from contest.attempts.queries import load_attempt
from contest.attempts.services import (AttemptError, expire_if_due, finalize_expired, lock_attempt, quick_save,
                                       open_submission, save_answer, start_attempt, submit_attempt)
from contest.bank.models import Question
from contest.extensions import db
from contest.leaderboards.models import Standing
from contest.rounds.models import Round
from tests import factories


def race(app, *tasks, timeout: float = 60):
    """Run each task in its own thread and app context, all released at once; (results, errors)."""
    db.session.commit()  # the test's own transaction would hold SQLite's write lock
    barrier = threading.Barrier(len(tasks))
    results, errors = [None] * len(tasks), [None] * len(tasks)

    def run(index, task):
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                results[index] = task()
            except Exception as error:  # noqa: BLE001 - reported to the test
                errors[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(index, task)) for index, task in enumerate(tasks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread is still waiting: a deadlock?"
    db.session.expire_all()
    return results, errors


def correct_shown(item) -> list[int]:
    """The shown positions of the item's correct options."""
    return sorted(item.choice_order.index(index) for index in item.question.correct)


def wrong_shown(item) -> list[int]:
    """One shown position of a wrong option."""
    return [next(k for k, original in enumerate(item.choice_order) if original not in item.question.correct)]


def assert_scored_as_stored(attempt_id: int) -> list[bool]:
    """Recompute every mark from the stored rows: they must equal is_correct, and add up to the score."""
    rows = db.session.execute(
        sa.select(AttemptItem.position, AttemptItem.selected, AttemptItem.choice_order, AttemptItem.is_correct,
                  Question.correct)
        .join(Question, Question.id == AttemptItem.question_id)
        .where(AttemptItem.attempt_id == attempt_id).order_by(AttemptItem.position)).all()
    marks = [bool(row.selected) and {row.choice_order[k] for k in row.selected} == set(row.correct)
             for row in rows]
    assert [row.is_correct for row in rows] == marks, "an answer is stored with another answer's mark"
    attempt = db.session.execute(sa.select(Attempt.__table__).where(Attempt.id == attempt_id)).one()
    assert attempt.submitted_at is not None and attempt.score == sum(marks)
    return marks


def standings_of(round_id: int) -> list:
    """The round's standing rows, read afresh."""
    return db.session.execute(sa.select(Standing.__table__).where(Standing.round_id == round_id)).all()


@pytest.mark.parametrize("first_attempt", ["submitted", "expired but still open"])
def test_parallel_starts_add_exactly_one_attempt(app, world, now, later, first_attempt):
    """(a) Eight tabs press start at once with one of two attempts used: exactly one more begins."""
    first = start_attempt(world.contestant, world.round, now)
    if first_attempt == "submitted":
        submit_attempt(first, later(30))
    db.session.commit()
    user_id, round_id = world.contestant.id, world.round.id
    at = later(10 * 60 + 11)  # past the first attempt's deadline and grace

    def press_start():
        attempt = start_attempt(db.session.get(User, user_id), db.session.get(Round, round_id), at)
        db.session.commit()
        return attempt.id

    started, errors = race(app, *[press_start] * 8)
    assert all(error is None or isinstance(error, AttemptError) for error in errors), errors
    attempts = db.session.scalars(sa.select(Attempt).where(Attempt.user_id == user_id)
                                  .order_by(Attempt.number)).all()
    assert len(attempts) == 2 <= world.round.attempts_allowed
    assert [attempt.id for attempt in attempts if attempt.submitted_at is None] == [attempts[1].id]
    assert {attempt_id for attempt_id in started if attempt_id is not None} == {attempts[1].id}
    assert attempts[0].submitted_at is not None
    assert len(standings_of(round_id)) == 1


def test_parallel_submits_of_one_attempt_count_once(app, world, now, later):
    """(b) Six submissions of one paper with different answers: one wins, whole; the others change nothing."""
    attempt = start_attempt(world.contestant, world.round, now)
    db.session.commit()
    attempt_id, round_id = attempt.id, world.round.id
    # Submission k answers the first k questions right and the rest wrong: its score would be k.
    papers = [{item.position: correct_shown(item) if item.position < k else wrong_shown(item)
               for item in attempt.items} for k in range(len(attempt.items) + 1)]

    def submit(answers):
        def task():
            locked = lock_attempt(attempt_id, exclusive=True)
            was_open = not locked.is_submitted
            submit_attempt(locked, later(45), answers)
            db.session.commit()
            return was_open, locked.score, locked.submitted_at
        return task

    results, errors = race(app, *[submit(paper) for paper in papers])
    assert errors == [None] * len(papers)
    winners = [k for k, (was_open, _, _) in enumerate(results) if was_open]
    assert len(winners) == 1
    winner = winners[0]
    assert {(score, submitted_at) for _, score, submitted_at in results} == {(winner, later(45))}
    stored = dict(db.session.execute(sa.select(AttemptItem.position, AttemptItem.selected)
                                     .where(AttemptItem.attempt_id == attempt_id)).all())
    assert stored == papers[winner]
    assert sum(assert_scored_as_stored(attempt_id)) == winner
    standings = standings_of(round_id)
    assert [(row.attempt_id, row.score) for row in standings] == [(attempt_id, winner)]


@pytest.mark.parametrize("submission", ["lock_attempt", "open_submission"])
@pytest.mark.parametrize("path", ["one statement", "full"])
def test_saves_racing_a_submission_leave_what_was_scored_stored(app, world, now, later, path, submission):
    """(c) A tab keeps saving while another submits: the stored answers are the ones scored.

    The route tries the one-statement save first and takes the full path only when it stored nothing;
    the submit route locks with open_submission (on PostgreSQL the lock and the paper read travel
    together), other callers with lock_attempt."""
    round_ = factories.make_round(now, attempts_allowed=None)
    login, _ = start_session(world.contestant, now, "127.0.0.1", "pytest")  # the live log-in saving and submitting
    db.session.commit()
    session_id = login.id
    rng = random.Random(2024)
    for repetition in range(6):
        attempt = start_attempt(world.contestant, round_, later(repetition * 1000))
        db.session.commit()
        attempt_id, count, user_id = attempt.id, len(attempt.items), attempt.user_id
        at = later(repetition * 1000 + 60)
        choices = [rng.randrange(4) for _ in range(400)]
        last_word = {rng.randrange(count): [rng.randrange(4)]}
        pause = rng.uniform(0, 0.03)

        def keep_saving():
            accepted = {}
            for revision in range(1, len(choices)):
                if path == "one statement" and quick_save(attempt_id, user_id, session_id, revision % count,
                                                          [choices[revision]], at, revision):
                    accepted[revision % count] = [choices[revision]]
                    continue
                locked = lock_attempt(attempt_id, exclusive=False)
                try:
                    save_answer(locked, revision % count, [choices[revision]], at, revision)
                except AttemptError as error:
                    db.session.commit()
                    return accepted, str(error)
                db.session.commit()
                accepted[revision % count] = [choices[revision]]
            return accepted, None

        def submit():
            time.sleep(pause)  # let some saves land first
            if submission == "lock_attempt":
                submit_attempt(lock_attempt(attempt_id, exclusive=True), at, last_word)
            else:
                with open_submission(attempt_id, session_id) as locked:
                    submit_attempt(locked.attempt, at, last_word, paper=locked.paper, connection=locked.connection)
                    locked.commit()
            db.session.commit()

        results, errors = race(app, keep_saving, submit)
        assert errors == [None, None], errors
        accepted, refusal = results[0]  # saves stop when the submission lands (or all land before it)
        assert refusal is None or "đã nộp" in refusal
        # Every save accepted is kept, unless the submission answered that question itself.
        stored = dict(db.session.execute(sa.select(AttemptItem.position, AttemptItem.selected)
                                         .where(AttemptItem.attempt_id == attempt_id)).all())
        assert stored == {position: None for position in range(count)} | accepted | last_word
        assert_scored_as_stored(attempt_id)


def test_of_two_racing_saves_the_higher_revision_wins(app, world, now, later):
    """(d) Revisions 5 and 6 of one answer arrive together, twenty times: 6 and its choice stay."""
    attempt = start_attempt(world.contestant, world.round, now)
    db.session.commit()
    attempt_id, position = attempt.id, attempt.items[0].position
    rng = random.Random(6)
    for repetition in range(20):
        db.session.execute(sa.update(AttemptItem).where(
            AttemptItem.attempt_id == attempt_id, AttemptItem.position == position)
            .values(selected=None, revision=0, answered_at=None))
        older, newer = rng.sample(range(4), 2)

        def save(revision, shown):
            def task():
                result = save_answer(lock_attempt(attempt_id, exclusive=False), position, [shown],
                                     later(10 + repetition), revision)
                db.session.commit()
                return result
            return task

        tasks = [save(5, older), save(6, newer)]
        if repetition % 2:
            tasks.reverse()
        results, errors = race(app, *tasks)
        assert errors == [None, None], errors
        stored = db.session.execute(sa.select(AttemptItem.selected, AttemptItem.revision).where(
            AttemptItem.attempt_id == attempt_id, AttemptItem.position == position)).one()
        assert tuple(stored) == ([newer], 6), f"repetition {repetition}"
        # The save numbered 6 always reports itself stored (the 5 may report either).
        assert ([newer], 6) in [(result.selected, result.revision) for result in results]


def test_parallel_expiry_runs_finalize_each_attempt_once(app, world, now, later):
    """(e) Two cron runs at once over thirty abandoned papers: each is finalized by exactly one run."""
    expected_scores = {}
    for n in range(30):
        user = factories.make_user(f"thisinh{n}@example.vn", world.commune, name=f"Thí Sinh {n}")
        attempt = start_attempt(user, world.round, now)
        for item in attempt.items[:n % 6]:
            save_answer(attempt, item.position, correct_shown(item), later(5))
        expected_scores[attempt.id] = n % 6
    db.session.commit()
    at = later(10 * 60 + 11)  # past every deadline and its grace

    def cron():
        count = finalize_expired(at, batch_size=4)
        db.session.commit()
        return count

    counts, errors = race(app, cron, cron)
    assert errors == [None, None], errors
    assert sum(counts) == 30
    attempts = db.session.execute(sa.select(Attempt.__table__).where(Attempt.round_id == world.round.id)).all()
    assert {row.id: row.score for row in attempts} == expected_scores
    for row in attempts:
        assert row.is_auto_submitted and row.submitted_at == row.deadline_at == later(600)
        assert row.duration_ms == 600_000
        assert_scored_as_stored(row.id)
    standings = {row.attempt_id: row for row in standings_of(world.round.id)}
    assert len(standings) == 30 and set(standings) == set(expected_scores)
    for row in attempts:
        standing = standings[row.id]
        assert (standing.user_id, standing.score, standing.duration_ms, standing.submitted_at) == \
            (row.user_id, row.score, row.duration_ms, row.submitted_at)


@pytest.mark.parametrize("request_in_the_grace", ["save", "submit"])
def test_a_request_in_the_grace_racing_a_page_load_expiry_is_scored_as_stored(app, world, now, later,
                                                                              request_in_the_grace):
    """A save (or submission) sent just inside the grace, and the result page opened just after it."""
    attempt = start_attempt(world.contestant, world.round, now)
    item = attempt.items[0]
    right, wrong = correct_shown(item), wrong_shown(item)
    save_answer(attempt, item.position, wrong, later(100))
    db.session.commit()
    attempt_id, position, deadline = attempt.id, item.position, attempt.deadline_at
    written, loaded = threading.Event(), threading.Event()

    def send_in_the_grace():  # POST …/answers or …/submit, with the route's locks
        in_the_grace = deadline + timedelta(seconds=9)
        if request_in_the_grace == "save":
            save_answer(lock_attempt(attempt_id, exclusive=False), position, right, in_the_grace)
        else:
            submit_attempt(lock_attempt(attempt_id, exclusive=True), in_the_grace, {position: right})
        written.set()
        # The page load reads meanwhile (on SQLite it cannot: it queues behind this writer).
        loaded.wait(timeout=1)
        time.sleep(0.2)
        db.session.commit()

    def open_the_result_page():  # GET /attempts/<id>/result, as the route does it
        written.wait(timeout=10)
        attempt = load_attempt(attempt_id)
        loaded.set()
        expire_if_due(attempt, deadline + timedelta(seconds=11))
        db.session.commit()

    _, errors = race(app, send_in_the_grace, open_the_result_page)
    assert errors == [None, None], errors
    stored = db.session.scalar(sa.select(AttemptItem.selected).where(
        AttemptItem.attempt_id == attempt_id, AttemptItem.position == position))
    assert stored == right
    assert_scored_as_stored(attempt_id)

"""Round settings at work: ordered saves, counting rules, prediction, all-required, review, eligibility."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from contest.attempts.models import Attempt
from contest.attempts.pool import drawable_pool
from contest.attempts.services import (AttemptError, save_answer, save_prediction, start_attempt,
                                       submit_attempt)
from contest.bank.models import Question
from contest.bank.services import set_status
from contest.extensions import db
from contest.leaderboards.queries import standing_of
from contest.rounds.services import RoundError, create_round
from tests import factories
from tests.conftest import csrf_token


def right(item):
    return [item.choice_order.index(item.question.correct[0])]


def wrong(item):
    return [next(k for k, original in enumerate(item.choice_order) if original not in item.question.correct)]


def test_a_stale_or_replayed_save_never_overwrites_a_newer_one(world, now):
    attempt = start_attempt(world.contestant, world.round, now)
    item = attempt.items[0]
    assert save_answer(attempt, 0, [2], now, revision=7).revision == 7
    stale = save_answer(attempt, 0, [1], now, revision=6)
    replay = save_answer(attempt, 0, [3], now, revision=7)
    assert (stale.selected, replay.selected, item.selected) == ([2], [2], [2])
    assert save_answer(attempt, 0, [3], now, revision=8).selected == [3]


@pytest.mark.parametrize("rule, expected", [("best", 1), ("first", 0), ("last", 2)])
def test_counting_rule_picks_the_attempt_that_counts(world, now, rule, expected):
    world.round.counting_rule, world.round.attempts_allowed = rule, 3
    attempts = []
    for n, correct in enumerate([2, 5, 3]):
        attempt = start_attempt(world.contestant, world.round, now + timedelta(minutes=20 * n))
        for item in attempt.items[:correct]:
            save_answer(attempt, item.position, right(item), attempt.started_at)
        submit_attempt(attempt, attempt.started_at + timedelta(seconds=60))
        attempts.append(attempt)
    assert standing_of(world.round.id, world.contestant.id).attempt_id == attempts[expected].id


def test_the_prediction_is_kept_with_the_paper_and_the_standing(world, now, client, auth):
    world.round.prediction_kind = "perfect_papers"
    db.session.commit()
    auth.login("thisinh@example.vn")
    token = csrf_token(client, f"/rounds/{world.round.id}")
    paper_url = client.post(f"/rounds/{world.round.id}/start", data={"csrf_token": token}).headers["Location"]
    page = client.get(paper_url).get_data(as_text=True)
    assert "bao nhiêu bài thi trả lời đúng tất cả" in page
    attempt_id = int(paper_url.rsplit("/", 1)[1])
    response = client.post(f"/attempts/{attempt_id}/answers", json={"prediction": 1234},
                           headers={"X-CSRFToken": token})
    assert response.get_json()["prediction"] == 1234
    client.post(f"/attempts/{attempt_id}/submit", data={"csrf_token": token, "prediction": "1.250"})
    assert db.session.get(Attempt, attempt_id).prediction == 1250
    assert standing_of(world.round.id, world.contestant.id).prediction == 1250


def test_no_prediction_where_the_round_has_none(world, now):
    attempt = start_attempt(world.contestant, world.round, now)
    with pytest.raises(AttemptError, match="không có câu hỏi dự đoán"):
        save_prediction(attempt, 5, now)


def test_all_required_refuses_gaps_but_a_timed_out_paper_is_kept_uncounted(world, now):
    world.round.is_all_required = True
    attempt = start_attempt(world.contestant, world.round, now)
    save_answer(attempt, 0, right(attempt.items[0]), now)
    with pytest.raises(AttemptError, match="còn thiếu câu 2, 3, 4, 5"):
        submit_attempt(attempt, now + timedelta(seconds=30))
    assert not attempt.is_submitted
    submit_attempt(attempt, now + timedelta(minutes=11))
    assert attempt.is_submitted and attempt.score == 1
    assert standing_of(world.round.id, world.contestant.id) is None


@pytest.mark.parametrize("policy, closed, shows", [
    ("immediate", False, True), ("after_close", False, False), ("after_close", True, True), ("score_only", True, False)])
def test_review_follows_the_round_policy(world, now, client, auth, policy, closed, shows):
    world.round.review_policy = policy
    world.round.attempts_allowed = 1  # "at once" is only for a round of one attempt
    if closed:  # the round opened long ago and has just closed
        world.round.opens_at, world.round.closes_at = now - timedelta(days=2), now - timedelta(seconds=1)
        start_at = now - timedelta(hours=1)
    else:
        start_at = now
    attempt = start_attempt(world.contestant, world.round, start_at)
    save_answer(attempt, 0, wrong(attempt.items[0]), start_at)
    submit_attempt(attempt, start_at + timedelta(seconds=30))
    db.session.commit()
    auth.login("thisinh@example.vn")
    page = client.get(f"/attempts/{attempt.id}/result").get_data(as_text=True)
    assert ("id=\"review-heading\"" in page) is shows
    assert ("đáp án đúng" in page and "Khoản 1 Điều 3" in page) is shows


def test_the_contest_admits_only_its_agencies(world, now):
    world.round.contest.eligible_agency_id = world.district.id
    with pytest.raises(AttemptError, match="dành cho cán bộ"):
        start_attempt(world.contestant, world.round, now)  # Sở Tư pháp is not under the district
    commune_person = factories.make_user("xa@example.vn", world.commune)
    assert start_attempt(commune_person, world.round, now).items


def test_the_drawable_pool_follows_status_changes(world, now):
    before = drawable_pool(world.round.bank_id)
    assert len(before.questions) == 30
    ids = db.session.scalars(sa.select(Question.id).limit(26)).all()
    set_status(ids, "retired")
    db.session.commit()
    assert len(drawable_pool(world.round.bank_id).questions) == 4
    with pytest.raises(AttemptError, match="chưa đủ câu"):
        start_attempt(world.contestant, world.round, now)  # the round draws 5


def test_the_result_page_of_a_paper_the_clock_closed_with_gaps_says_why_it_is_not_ranked(world, now, client, auth):
    world.round.is_all_required = True
    start_at = now - timedelta(minutes=30)  # its time ran out long ago; nobody submitted it
    attempt = start_attempt(world.contestant, world.round, start_at)
    save_answer(attempt, 0, right(attempt.items[0]), start_at)
    db.session.commit()
    auth.login("thisinh@example.vn")
    page = client.get(f"/attempts/{attempt.id}/result").get_data(as_text=True)
    assert '<span id="score">1/5</span>' in page  # the page finalized it with the answer saved in time
    assert "Bài thi còn 4 câu chưa trả lời nên không được tính vào bảng xếp hạng" in page
    assert 'id="rank"' not in page


def test_the_round_page_lists_the_contestants_papers_with_links_to_their_results(world, now, client, auth):
    world.round.counting_rule, world.round.attempts_allowed = "first", 3
    first = start_attempt(world.contestant, world.round, now - timedelta(minutes=40))
    submit_attempt(first, now - timedelta(minutes=35))
    second = start_attempt(world.contestant, world.round, now - timedelta(minutes=20))
    save_answer(second, 0, right(second.items[0]), now - timedelta(minutes=20))
    submit_attempt(second, now - timedelta(minutes=19))
    db.session.commit()
    auth.login("thisinh@example.vn")
    page = client.get(f"/rounds/{world.round.id}").get_data(as_text=True)
    assert "tối đa <strong>3 lượt</strong>; tính lượt thi đầu tiên" in page and "Bạn đang làm bài" not in page
    assert "Các lượt thi của bạn" in page
    assert page.index(f'/attempts/{first.id}/result') < page.index(f'/attempts/{second.id}/result')
    assert "0/5" in page and "1/5" in page and "Xem kết quả và đáp án" not in page  # review after the close
    world.round.opens_at, world.round.closes_at = now - timedelta(days=2), now - timedelta(seconds=1)
    db.session.commit()
    page = client.get(f"/rounds/{world.round.id}").get_data(as_text=True)
    assert page.count("Xem kết quả và đáp án") == 2


def test_review_at_once_waits_for_the_close_when_the_round_allows_several_attempts(world, now, client, auth):
    """The first paper's key would answer the second: "at once" shows nothing until the close."""
    world.round.review_policy = "immediate"  # set directly, as a round stored before the rule would be
    attempt = start_attempt(world.contestant, world.round, now)
    save_answer(attempt, 0, wrong(attempt.items[0]), now)
    submit_attempt(attempt, now + timedelta(seconds=30))
    db.session.commit()
    auth.login("thisinh@example.vn")
    page = client.get(f"/attempts/{attempt.id}/result").get_data(as_text=True)
    assert 'id="review-heading"' not in page and "đáp án đúng" not in page
    second = start_attempt(world.contestant, world.round, now + timedelta(minutes=1))
    db.session.commit()
    assert second.number == 2


def test_the_round_form_refuses_review_at_once_with_several_attempts(world, now):
    with pytest.raises(RoundError, match="thi nhiều lần"):
        create_round(contest=world.round.contest, bank=world.round.bank, name="Tuần 2",
                               opens_at=now, closes_at=now + timedelta(days=1), time_limit_minutes=10,
                               question_count=5, attempts_allowed=None, review_policy="immediate")

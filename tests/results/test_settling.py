"""Settling a round: once, committed, for every round (prediction or not), by any reader or the CLI;
corrections after it; the lifecycle's states; the prediction's kinds; honest times."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from contest.accounts.models import Role
from contest.attempts.models import Attempt
from contest.audit.models import AuditEntry
from contest.clock import clock_labels, duration_labels, format_duration
from contest.extensions import db
from contest.leaderboards.models import Standing
from contest.leaderboards.services import prediction_truth
from contest.prizes.models import ResultSnapshot, SignOff
from contest.prizes.services import canonical, propose_winners, set_prize_rules, sign
from contest.results.lifecycle import round_state
from contest.results.services import CorrectionError, correct_settled_round, settle_round
from contest.rounds.models import Round
from contest.rounds.settings import PREDICTION_KINDS, PREDICTION_PROMPTS
from contest.scoring.verify import verify_all
from tests import factories
from tests.attempts.test_concurrency import race
from tests.attempts.test_pages import start_through_page
from tests.conftest import csrf_token
from tests.results.test_recount import _paper


@pytest.fixture
def last_counts(world, now):
    """The audit's case: a "last attempt counts" round without a prediction; the contestant's last paper
    (5 right answers saved) is still open when the round closes, a minute ago."""
    round_ = world.round
    round_.opens_at, round_.closes_at = now - timedelta(hours=3), now - timedelta(minutes=1)
    round_.counting_rule, round_.attempts_allowed = "last", 3
    db.session.commit()
    user = factories.make_user("cuoi@example.vn", world.commune, name="Đỗ Thị Cuối")
    db.session.commit()
    _paper(user, round_, round_.closes_at - timedelta(hours=1), 3, 40)
    _paper(user, round_, round_.closes_at - timedelta(minutes=3), 5, None)
    return round_, user


def test_a_board_view_settles_a_round_without_prediction_and_it_stays_settled(client, last_counts):
    round_, user = last_counts
    assert db.session.get(Standing, (round_.id, user.id)).score == 3
    page = client.get(f"/rounds/{round_.id}/leaderboard").get_data(as_text=True)
    assert "5/5" in page
    db.session.expire_all()  # read again from the database: the request's work was committed, not rolled back
    assert db.session.get(Standing, (round_.id, user.id)).score == 5
    assert db.session.get(Round, round_.id).settled_at is not None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attempt).where(Attempt.submitted_at.is_(None))) == 0
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "round.settle"))
    assert entry.target_id == round_.id


def test_verify_reports_overdue_papers_until_the_cli_settles_once(runner, last_counts):
    round_, _ = last_counts
    before = runner.invoke(args=["scores", "verify"])
    assert before.exit_code == 1 and f"Vòng #{round_.id}: 1 bài đã quá hạn" in before.output
    first = runner.invoke(args=["rounds", "settle"])
    assert first.exit_code == 0 and "Đã chốt 1 vòng thi: Tuần 1." in first.output
    again = runner.invoke(args=["rounds", "settle"])
    assert again.exit_code == 0 and "Đã chốt 0 vòng thi." in again.output
    after = runner.invoke(args=["scores", "verify"])
    assert after.exit_code == 0, after.output


def test_verify_recounts_the_prediction_and_each_distance(world, now, last_counts):
    round_, user = last_counts
    round_.prediction_kind = "entries"
    db.session.commit()
    assert settle_round(round_, now)
    db.session.commit()
    assert round_.prediction_truth == 2 and verify_all() == []
    round_.prediction_truth = 7
    db.session.commit()
    assert any("con số thực tế của câu dự đoán lưu 7, đếm lại 2" in line for line in verify_all())
    round_.prediction_truth = 2
    db.session.execute(sa.update(Standing).values(prediction_error=0))
    db.session.commit()
    assert any("sai số dự đoán không khớp" in line for line in verify_all())


def test_two_instances_settling_at_once_settle_once(app, now, last_counts):
    round_id = last_counts[0].id
    results, errors = race(app, *[lambda: settle_round(db.session.get(Round, round_id), now)
                                  and (db.session.commit() or True)] * 2)
    assert errors == [None, None], errors
    assert sorted(results) == [False, True]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "round.settle")) == 1


def test_the_lifecycle_from_scheduled_to_published_and_a_correction_that_unsigns(world, now):
    round_ = world.round
    round_.opens_at, round_.closes_at = now + timedelta(hours=1), now + timedelta(hours=2)
    judges = [factories.make_user(f"gk{n}@example.vn", world.province, Role.JUDGE, name=f"Giám khảo {n}")
              for n in range(2)]
    organizer = factories.make_user("btc@example.vn", world.province, Role.ORGANIZER, name="Ban Tổ chức")
    set_prize_rules(round_, "CBCCVC", [("Giải Nhất", 1, 0)], None)
    db.session.commit()
    assert round_state(round_, now) == "scheduled"
    assert round_state(round_, now + timedelta(minutes=90)) == "open"
    _paper(world.contestant, round_, now + timedelta(minutes=70), 4, 30)
    after = now + timedelta(hours=2, seconds=5)
    assert round_state(round_, after) == "closed" and not settle_round(round_, after)  # the grace is running
    later = now + timedelta(hours=3)
    assert settle_round(round_, later)
    db.session.commit()
    assert round_state(round_, later) == "settled"
    checksum = canonical(round_, propose_winners(round_))[1]
    sign(round_, judges[0], checksum, later)
    sign(round_, judges[1], checksum, later)
    db.session.commit()
    assert round_state(round_, later) == "signed"
    round_.published_at = later
    db.session.commit()
    assert round_state(round_, later) == "published"
    round_.published_at = None
    with pytest.raises(CorrectionError, match="lý do"):
        correct_settled_round(round_, organizer.id, "  ", later)
    assert correct_settled_round(round_, organizer.id, "Câu 3 có hai đáp án đúng", later) == 2
    db.session.commit()
    assert db.session.scalar(sa.select(ResultSnapshot)) is None and db.session.scalar(sa.select(SignOff)) is None
    assert round_state(round_, later) == "settled"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "round.correct"))
    assert entry.user_id == organizer.id and entry.details["signatures_withdrawn"] == 2
    assert entry.details["reason"] == "Câu 3 có hai đáp án đúng" and entry.details["snapshot_withdrawn"] is True


@pytest.mark.parametrize("kind, expected", [("perfect_papers", 3), ("perfect_people", 2), ("entries", 5),
                                            ("participants", 3)])
def test_each_prediction_kind_counts_its_own_figure(world, now, kind, expected):
    round_ = world.round
    round_.prediction_kind, round_.attempts_allowed = kind, 3
    people = [factories.make_user(f"p{n}@example.vn", world.commune, name=f"Người {n}") for n in range(3)]
    db.session.commit()
    for user, scores in zip(people, [(5, 5), (5, 2), (1,)]):  # 3 perfect papers by 2 people; 5 papers by 3
        for number, correct in enumerate(scores):
            _paper(user, round_, now + timedelta(minutes=number * 20), correct, 30)
    assert prediction_truth(round_) == expected
    round_.prediction_prompt = ""
    assert round_.prediction_question == PREDICTION_PROMPTS[kind]
    assert set(PREDICTION_KINDS) == {"", *PREDICTION_PROMPTS}


def test_the_paper_asks_the_stored_prompt_or_the_kinds_own(client, auth, world, now):
    world.round.prediction_kind = "participants"
    db.session.commit()
    auth.login("thisinh@example.vn")
    paper_url = start_through_page(client, world)
    assert "bao nhiêu người tham gia" in client.get(paper_url).get_data(as_text=True)
    world.round.prediction_prompt = "Có bao nhiêu người dự thi tuần này?"
    db.session.commit()
    assert "Có bao nhiêu người dự thi tuần này?" in client.get(paper_url).get_data(as_text=True)


def test_times_are_cut_never_rounded_up_and_ties_show_their_milliseconds():
    assert format_duration(59_960) == "59,9 giây"
    assert format_duration(119_960) == "1 phút 59,9 giây"
    assert duration_labels([100_000, 100_012, 100_012, 100_050, 101_000]) == [
        "1 phút 40,000 giây", "1 phút 40,012 giây", "1 phút 40,012 giây", "1 phút 40,050 giây", "1 phút 41,0 giây"]
    assert clock_labels([59_960, 61_000, 61_099]) == ["0:59,9", "1:01,000", "1:01,099"]


def test_the_organizer_corrects_a_settled_round_from_its_page(client, auth, world, now, last_counts):
    round_, _ = last_counts
    factories.make_user("btc@example.vn", world.province, Role.ORGANIZER, name="Ban Tổ chức")
    db.session.commit()
    auth.login("btc@example.vn")
    url = f"/organizer/rounds/{round_.id}/edit"
    page = client.get(url).get_data(as_text=True)  # an organizer's page is no reader of final figures
    assert "Điều chỉnh kết quả" not in page
    settle_round(db.session.get(Round, round_.id), now)
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "Trạng thái: đã chốt kết quả (chốt lúc" in page
    token = csrf_token(client, url)
    refused = client.post(f"/organizer/rounds/{round_.id}/correct", data={"csrf_token": token, "reason": " "},
                          follow_redirects=True).get_data(as_text=True)
    assert "Cần ghi rõ lý do" in refused
    done = client.post(f"/organizer/rounds/{round_.id}/correct",
                       data={"csrf_token": token, "reason": "Câu 2 sai đáp án"}, follow_redirects=True)
    assert "Đã điều chỉnh và tính lại kết quả." in done.get_data(as_text=True)
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "round.correct")) is not None

"""Organizers create rounds by page and by CLI; times are typed in Vietnam time, stored in UTC."""
import re
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from contest.accounts.models import Role
from contest.extensions import db
from contest.attempts.services import AttemptError, start_attempt
from contest.bank.services import get_or_create_bank, import_questions
from contest.audit.models import AuditEntry
from contest.clock import format_datetime
from contest.rounds.models import Contest, Round, RoundChange
from contest.rounds.services import round_settings, update_round
from contest.rounds.settings import parse_quotas
from tests import factories
from tests.conftest import csrf_token


def round_form(world, **overrides):
    data = {"contest_id": str(world.round.contest_id), "bank_id": str(world.round.bank_id),
            "name": "Tuần 2", "opens_at": "01/12/2026 08:00", "closes_at": "07/12/2026 17:30",
            "time_limit_minutes": "15", "question_count": "10", "attempts_allowed": "",
            "counting_rule": "best", "quotas": "", "prediction_kind": "", "prediction_prompt": "",
            "review_policy": "after_close", "stream_banks": "", "is_flagged_excluded": "y"}
    data.update(overrides)
    return data


def test_organizer_creates_a_round_on_the_page(client, world, auth):
    factories.make_user("btc@example.vn", world.province, Role.ORGANIZER, name="Ban tổ chức")
    db.session.commit()
    auth.login("btc@example.vn")
    data = round_form(world, csrf_token=csrf_token(client, "/organizer/rounds/new"))
    response = client.post("/organizer/rounds/new", data=data, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Đã tạo vòng thi “Tuần 2”" in page
    assert "chưa đủ 10 câu" not in page  # the bank has 30 approved questions
    created = db.session.scalar(sa.select(Round).where(Round.name == "Tuần 2"))
    # 08:00 in Hà Nội is 01:00 UTC.
    assert created.opens_at == datetime(2026, 12, 1, 1, 0, tzinfo=timezone.utc)
    assert created.closes_at == datetime(2026, 12, 7, 10, 30, tzinfo=timezone.utc)
    assert (created.time_limit_seconds, created.question_count, created.attempts_allowed) == (900, 10, None)
    assert "01/12/2026 08:00" in page


def test_round_form_names_every_fault_in_one_submit(client, world, auth):
    factories.make_user("btc@example.vn", world.province, Role.ORGANIZER, name="Ban tổ chức")
    db.session.commit()
    auth.login("btc@example.vn")
    token = csrf_token(client, "/organizer/rounds/new")
    response = client.post("/organizer/rounds/new", data=round_form(
        world, csrf_token=token, opens_at="2026-12-01 08:00", time_limit_minutes="mười",
        stream_banks="Người dân | Không có ngân hàng này"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Chưa lưu được: 3 lỗi cần sửa." in page
    assert "Nhập theo dạng ngày/tháng/năm giờ:phút" in page and "Nhập một số nguyên." in page
    assert "Dòng 1: cần “Khối | Tên ngân hàng” với một ngân hàng đã có." in page
    # With the fields readable, the rules and the bank are checked together: the close, the count, the quotas.
    page = client.post("/organizer/rounds/new", data=round_form(
        world, csrf_token=token, closes_at="30/11/2026 08:00", question_count="40",
        quotas="Không có chủ đề này | | 2\nChung | Khó | 1")).get_data(as_text=True)
    assert "Thời điểm đóng phải sau thời điểm mở" in page
    assert "Mỗi lượt thi rút 40 câu nhưng ngân hàng chỉ có 30 câu đã duyệt." in page
    assert "ngân hàng không có câu đã duyệt nào thuộc chủ đề “Không có chủ đề này”" in page
    assert "Định mức “Chung / Khó” cần 1 câu nhưng ngân hàng chỉ có 0 câu phù hợp." in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Round)) == 1


def test_round_form_says_why_review_at_once_needs_a_single_attempt(client, world, auth):
    factories.make_user("btc@example.vn", world.province, Role.ORGANIZER, name="Ban tổ chức")
    db.session.commit()
    auth.login("btc@example.vn")
    token = csrf_token(client, "/organizer/rounds/new")
    response = client.post("/organizer/rounds/new", data=round_form(
        world, csrf_token=token, review_policy="immediate", attempts_allowed="3"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "đáp án của lần trước sẽ giúp làm lần sau" in page
    accepted = client.post("/organizer/rounds/new", data=round_form(
        world, csrf_token=token, review_policy="immediate", attempts_allowed="1"), follow_redirects=True)
    assert "Đã tạo vòng thi “Tuần 2”" in accepted.get_data(as_text=True)


def test_a_round_its_banks_cannot_fill_is_refused_per_stream(client, world, auth):
    import_questions(factories.question_records(4, "Người dân"), "Ngân hàng người dân")
    factories.make_user("btc@example.vn", world.province, Role.ORGANIZER, name="Ban tổ chức")
    db.session.commit()
    auth.login("btc@example.vn")
    token = csrf_token(client, "/organizer/rounds/new")
    data = round_form(world, csrf_token=token, question_count="10", stream_banks="Người dân | Ngân hàng người dân")
    page = client.post("/organizer/rounds/new", data=data).get_data(as_text=True)
    assert "Ngân hàng “Ngân hàng người dân” (khối Người dân): Mỗi lượt thi rút 10 câu nhưng ngân hàng chỉ có 4" in page
    data["question_count"] = "4"
    assert "Đã tạo vòng thi" in client.post("/organizer/rounds/new", data=data, follow_redirects=True).get_data(as_text=True)


def test_a_started_rounds_form_shows_its_rules_locked_and_extends_only_the_close(client, world, auth, now):
    start_attempt(world.contestant, world.round, now)
    factories.make_user("btc@example.vn", world.province, Role.ORGANIZER, name="Ban tổ chức")
    db.session.commit()
    auth.login("btc@example.vn")
    url = f"/organizer/rounds/{world.round.id}/edit"
    page = client.get(url).get_data(as_text=True)
    def tag(name):
        return re.search(rf'<(?:input|select|textarea)[^>]*name="{name}"[^>]*>', page).group(0)
    assert all("disabled" in tag(name) for name in ("question_count", "bank_id", "quotas", "opens_at"))
    assert "disabled" not in tag("closes_at")
    later = format_datetime(world.round.closes_at + timedelta(days=1))
    # Only the close is posted (disabled fields are not sent); the rest stays as stored.
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "closes_at": later}, follow_redirects=True)
    assert "Đã lưu 1 thay đổi." in response.get_data(as_text=True)
    db.session.expire_all()
    assert format_datetime(db.session.get(Round, world.round.id).closes_at) == later
    change = db.session.scalar(sa.select(RoundChange))
    assert change.field == "closes_at" and "Thời điểm đóng" in client.get(url).get_data(as_text=True)


def test_rounds_create_command(runner, world):
    result = runner.invoke(args=["rounds", "create", "--contest", "tuan-le", "--contest-title",
                                 "Cuộc thi tuần lễ", "--bank", "Ngân hàng thử", "--name", "Tuần 1",
                                 "--opens", "01/12/2026 08:00", "--closes", "07/12/2026 17:00",
                                 "--attempts", "3", "--counting", "last", "--quota", "Chung | Trung bình | 2",
                                 "--prediction", "entries", "--review", "immediate", "--eligible-agency", "H1"])
    assert result.exit_code != 0 and "thi nhiều lần" in result.output  # the key would serve the next attempt
    result = runner.invoke(args=["rounds", "create", "--contest", "tuan-le", "--contest-title",
                                 "Cuộc thi tuần lễ", "--bank", "Ngân hàng thử", "--name", "Tuần 1",
                                 "--opens", "01/12/2026 08:00", "--closes", "07/12/2026 17:00",
                                 "--attempts", "3", "--counting", "last", "--quota", "Chung | Trung bình | 2",
                                 "--prediction", "entries", "--review", "after_close", "--eligible-agency", "H1"])
    assert result.exit_code == 0, result.output
    assert "01/12/2026 08:00 – 07/12/2026 17:00" in result.output
    created = db.session.scalar(sa.select(Round).where(Round.attempts_allowed == 3))
    assert created.contest.title == "Cuộc thi tuần lễ" and created.contest.eligible_agency.code == "H1"
    assert (created.counting_rule, created.prediction_kind, created.review_policy) == ("last", "entries", "after_close")
    assert created.quotas == [{"topic": "Chung", "difficulty": "medium", "count": 2}]
    bad = runner.invoke(args=["rounds", "create", "--contest", "x", "--bank", "Không có", "--name", "T",
                              "--opens", "01/12/2026 08:00", "--closes", "07/12/2026 17:00"])
    assert bad.exit_code != 0 and "Không có ngân hàng câu hỏi" in bad.output


def test_settings_lock_once_someone_has_started_but_the_close_may_be_extended(client, world, auth, now):
    attempt = start_attempt(world.contestant, world.round, now)
    capped = attempt  # the world's round closes a day after it opened an hour ago
    factories.make_user("btc@example.vn", world.province, Role.ORGANIZER, name="Ban tổ chức")
    db.session.commit()
    auth.login("btc@example.vn")
    url = f"/organizer/rounds/{world.round.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert "thể lệ đã khóa" in page
    form = round_form(world, csrf_token=csrf_token(client, url), name="Tuần 1",
                      opens_at=format_datetime(world.round.opens_at), closes_at=format_datetime(world.round.closes_at),
                      time_limit_minutes="10", question_count="5", attempts_allowed="2")
    refused = client.post(url, data={**form, "question_count": "6"}, follow_redirects=True).get_data(as_text=True)
    assert "chỉ được gia hạn thời điểm đóng" in refused
    shorter = (world.round.closes_at - timedelta(hours=1))
    refused = client.post(url, data={**form, "closes_at": format_datetime(shorter)}, follow_redirects=True)
    assert "không được rút ngắn" in refused.get_data(as_text=True)
    later = world.round.closes_at + timedelta(days=2)
    saved = client.post(url, data={**form, "closes_at": format_datetime(later)}, follow_redirects=True)
    page = saved.get_data(as_text=True)
    assert "Đã lưu 1 thay đổi" in page and "Nhật ký thay đổi" in page
    db.session.expire_all()
    assert world.round.question_count == 5 and world.round.closes_at == later.replace(second=0, microsecond=0)
    change = db.session.scalar(sa.select(RoundChange))
    assert change.field == "closes_at" and change.user_id is not None
    assert capped.deadline_at == now + timedelta(minutes=10)  # not capped by the close: unchanged


def test_extending_the_close_gives_capped_papers_their_time(world, now):
    round_ = factories.make_round(now, opens_in=timedelta(hours=-1), lasts=timedelta(hours=1, minutes=3))
    attempt = start_attempt(world.contestant, round_, now)
    assert attempt.deadline_at == round_.closes_at
    values = round_settings(name=round_.name, bank=round_.bank, opens_at=round_.opens_at,
                            closes_at=round_.closes_at + timedelta(hours=1), time_limit_minutes=10,
                            question_count=round_.question_count, attempts_allowed=round_.attempts_allowed)
    assert update_round(round_, values, None) == ["closes_at"]
    assert attempt.deadline_at == now + timedelta(minutes=10)


def test_quota_lines_are_read_and_checked():
    assert parse_quotas("Quy định chung | Dễ | 4\n\n | Khó | 2") == [
        {"topic": "Quy định chung", "difficulty": "easy", "count": 4}, {"topic": "", "difficulty": "hard", "count": 2}]
    with pytest.raises(ValueError, match="Dòng 1"):
        parse_quotas("Chủ đề | Rất khó | 3")
    with pytest.raises(ValueError, match="số câu"):
        parse_quotas("Chủ đề | Dễ | ba")


def test_organizer_freezes_the_board_and_it_is_audited_but_cannot_publish_unsigned(client, world, auth):
    factories.make_user("btc@example.vn", world.province, Role.ORGANIZER, name="Ban tổ chức")
    db.session.commit()
    auth.login("btc@example.vn")
    url = f"/organizer/rounds/{world.round.id}/board"
    token = csrf_token(client, f"/organizer/rounds/{world.round.id}/edit")
    client.post(url, data={"csrf_token": token, "action": "freeze", "freeze_at": "01/12/2026 12:00"})
    db.session.expire_all()
    assert world.round.freeze_at == datetime(2026, 12, 1, 5, 0, tzinfo=timezone.utc)
    # Publishing needs two judges' signatures (the prize page): the board form no longer publishes.
    client.post(url, data={"csrf_token": token, "action": "publish"})
    db.session.expire_all()
    assert world.round.published_at is None
    actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["round.freeze", "round.freeze"]


def test_the_audit_page_lists_actions_for_staff_only(client, world, auth):
    factories.make_user("btc@example.vn", world.province, Role.ORGANIZER, name="Ban tổ chức")
    db.session.commit()
    auth.login("btc@example.vn")
    token = csrf_token(client, f"/organizer/rounds/{world.round.id}/edit")
    client.post(f"/organizer/rounds/{world.round.id}/board", data={"csrf_token": token, "freeze_at": "01/12/2026 12:00"})
    page = client.get("/organizer/audit/").get_data(as_text=True)
    assert "Đặt thời điểm đóng băng bảng xếp hạng" in page and "round.freeze" not in page and "Ban tổ chức" in page
    judges_index = client.get("/judging/").get_data(as_text=True)
    assert "Xét giải" in judges_index and "Nhật ký thao tác" in judges_index
    auth.login("thisinh@example.vn")
    assert client.get("/organizer/audit/").status_code == 403


def test_organizer_sets_up_a_contest_with_streams_and_eligibility(client, world, auth, now):
    factories.make_user("btc@example.vn", world.province, Role.ORGANIZER, name="Ban tổ chức")
    db.session.commit()
    auth.login("btc@example.vn")
    token = csrf_token(client, "/organizer/contests/new")
    data = {"csrf_token": token, "title": "Cuộc thi của huyện", "slug": "cuoc-thi-huyen", "rules_text": "Thể lệ …",
            "eligible_agency_id": str(world.district.id), "streams": "CBCCVC, Người dân", "overall_rule": "best_round",
            "name_mask": "full", "agency_min_rate": "50", "agency_formula": "rate_plus_points",
            "agency_rate_weight": "40", "is_one_prize_per_person": "y"}
    assert "Mã cuộc thi" in client.post("/organizer/contests/new", data={**data, "slug": "Có Dấu"}).get_data(as_text=True)
    response = client.post("/organizer/contests/new", data=data, follow_redirects=True)
    assert "Đã lưu cuộc thi “Cuộc thi của huyện”" in response.get_data(as_text=True)
    contest = db.session.scalar(sa.select(Contest).where(Contest.slug == "cuoc-thi-huyen"))
    assert contest.streams == ["CBCCVC", "Người dân"] and contest.eligible_agency_id == world.district.id
    assert (contest.agency_min_rate, contest.agency_rate_weight, contest.overall_rule) == (0.5, 0.4, "best_round")


def test_each_stream_draws_from_its_own_bank(world, now):
    import_questions(factories.question_records(8, "Dành cho người dân"), "Người dân")
    world.round.contest.streams = ["CBCCVC", "Người dân"]
    world.round.stream_banks = {"Người dân": get_or_create_bank("Người dân").id}
    citizen = factories.make_user("dan@example.vn", world.commune)
    citizen.stream = "Người dân"
    paper = start_attempt(citizen, world.round, now)
    assert all(item.question.bank.name == "Người dân" for item in paper.items)
    assert all(item.question.bank.name == "Ngân hàng thử" for item in start_attempt(world.contestant, world.round, now).items)
    world.round.contest.streams = ["CBCCVC"]
    other = factories.make_user("dan2@example.vn", world.commune)
    other.stream = "Người dân"
    with pytest.raises(AttemptError, match="không dành cho đối tượng"):
        start_attempt(other, world.round, now)

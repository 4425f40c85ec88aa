"""Organizers create rounds by page and by CLI; times are typed in Vietnam time, stored in UTC."""
from datetime import datetime, timezone

import sqlalchemy as sa

from contest.accounts.models import Role
from contest.extensions import db
from contest.rounds.models import Round
from tests import factories
from tests.conftest import csrf_token


def round_form(world, **overrides):
    data = {"contest_id": str(world.round.contest_id), "bank_id": str(world.round.bank_id),
            "name": "Tuần 2", "opens_at": "01/12/2026 08:00", "closes_at": "07/12/2026 17:30",
            "time_limit_minutes": "15", "question_count": "10", "attempts_allowed": ""}
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


def test_round_form_names_its_faults(client, world, auth):
    factories.make_user("btc@example.vn", world.province, Role.ORGANIZER, name="Ban tổ chức")
    db.session.commit()
    auth.login("btc@example.vn")
    token = csrf_token(client, "/organizer/rounds/new")
    page = client.post("/organizer/rounds/new", data=round_form(
        world, csrf_token=token, opens_at="2026-12-01 08:00")).get_data(as_text=True)
    assert "Nhập theo dạng ngày/tháng/năm giờ:phút" in page
    page = client.post("/organizer/rounds/new", data=round_form(
        world, csrf_token=token, closes_at="30/11/2026 08:00")).get_data(as_text=True)
    assert "Thời điểm đóng phải sau thời điểm mở" in page
    page = client.post("/organizer/rounds/new", data=round_form(
        world, csrf_token=token, question_count="40"), follow_redirects=True).get_data(as_text=True)
    assert "mới có 30 câu đã duyệt, chưa đủ 40 câu" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Round)) == 2


def test_rounds_create_command(runner, world):
    result = runner.invoke(args=["rounds", "create", "--contest", "tuan-le", "--contest-title",
                                 "Cuộc thi tuần lễ", "--bank", "Ngân hàng thử", "--name", "Tuần 1",
                                 "--opens", "01/12/2026 08:00", "--closes", "07/12/2026 17:00",
                                 "--attempts", "3"])
    assert result.exit_code == 0, result.output
    assert "01/12/2026 08:00 – 07/12/2026 17:00" in result.output
    created = db.session.scalar(sa.select(Round).where(Round.attempts_allowed == 3))
    assert created.contest.title == "Cuộc thi tuần lễ"
    bad = runner.invoke(args=["rounds", "create", "--contest", "x", "--bank", "Không có", "--name", "T",
                              "--opens", "01/12/2026 08:00", "--closes", "07/12/2026 17:00"])
    assert bad.exit_code != 0 and "Không có ngân hàng câu hỏi" in bad.output

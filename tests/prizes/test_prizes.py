"""Prizes: proposed by the ranking, exclusions with reasons, two judges freeze a checksummed snapshot."""
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from contest.accounts.models import Role
from contest.audit.models import AuditEntry
from contest.extensions import db
from contest.judging.queries import prize_points_by_agency
from contest.prizes.models import PrizeRule, ResultSnapshot
from contest.prizes.services import (PrizeError, canonical, exclude, propose_winners, set_prize_rules, sign,
                                     snapshot_of)
from contest.results.services import settle_round
from contest.scoring.verify import verify_all
from tests import factories
from tests.conftest import csrf_token
from tests.leaderboards.test_final_ranking import paper, people


@pytest.fixture
def judged(world, now):
    """A closed round with five papers, prize rules and two judges."""
    users = people(world, ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Võ Văn Em"])
    for n, user in enumerate(users):
        paper(user, world.round, now, 5 - n, 60)
    judges = [factories.make_user(f"gk{n}@example.vn", world.province, Role.JUDGE, name=f"Giám khảo {n}")
              for n in range(2)]
    set_prize_rules(world.round, "CBCCVC", [("Giải Nhất", 1, 10), ("Giải Nhì", 2, 8)], judges[0].id)
    world.round.closes_at = now + timedelta(hours=1)
    db.session.commit()
    assert settle_round(world.round, now + timedelta(hours=2))  # judges sign settled figures only
    db.session.commit()
    return users, judges, now + timedelta(hours=2)


def test_the_proposal_follows_the_ranking_and_skips_exclusions(world, judged):
    users, judges, after = judged
    assert [(w.prize, w.user_id) for w in propose_winners(world.round)] == [
        ("Giải Nhất", users[0].id), ("Giải Nhì", users[1].id), ("Giải Nhì", users[2].id)]
    exclude(world.round, users[1].id, "Trùng thiết bị với tài khoản khác", judges[0])
    assert [w.user_id for w in propose_winners(world.round)] == [users[0].id, users[2].id, users[3].id]
    with pytest.raises(PrizeError, match="lý do"):
        exclude(world.round, users[3].id, "  ", judges[0])
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "prize.exclude"))
    assert entry.user_id == judges[0].id and entry.details["reason"] == "Trùng thiết bị với tài khoản khác"


def test_two_judges_freeze_the_results_and_verify_checks_them(world, judged):
    users, judges, after = judged
    checksum = canonical(world.round, propose_winners(world.round))[1]
    assert sign(world.round, judges[0], checksum, after) is None
    with pytest.raises(PrizeError, match="đã ký"):
        sign(world.round, judges[0], checksum, after)
    snapshot = sign(world.round, judges[1], checksum, after)
    db.session.commit()
    assert snapshot.checksum == checksum and json.loads(snapshot.payload)["winners"][0]["user_id"] == users[0].id
    with pytest.raises(PrizeError, match="đã được ký và chốt"):
        exclude(world.round, users[0].id, "Muộn", judges[0])
    assert verify_all() == []
    db.session.execute(sa.update(ResultSnapshot).values(payload=snapshot.payload.replace("Nguyễn", "Nguyen")))
    db.session.commit()
    assert any("mã kiểm tra không khớp" in line for line in verify_all())


def test_a_signature_covers_only_the_list_the_judge_saw(world, judged):
    users, judges, after = judged
    seen = canonical(world.round, propose_winners(world.round))[1]
    sign(world.round, judges[0], seen, after)
    exclude(world.round, users[0].id, "Sai thông tin cá nhân", judges[1])
    with pytest.raises(PrizeError, match="đã thay đổi"):
        sign(world.round, judges[1], seen, after)
    fresh = canonical(world.round, propose_winners(world.round))[1]
    assert sign(world.round, judges[1], fresh, after) is None  # the first judge signed the old list only
    assert snapshot_of(world.round) is None
    snapshot = sign(world.round, judges[0], fresh, after)  # the first judge signs again, the changed list
    assert snapshot is not None and snapshot.checksum == fresh


def test_one_prize_per_person_across_rounds(world, judged, now):
    users, judges, after = judged
    checksum = canonical(world.round, propose_winners(world.round))[1]
    sign(world.round, judges[0], checksum, after)
    sign(world.round, judges[1], checksum, after)
    second = factories.make_round(now, opens_in=timedelta(hours=-1))
    for n, user in enumerate(users):
        paper(user, second, now + timedelta(minutes=30), 5 - n, 60)
    set_prize_rules(second, "CBCCVC", [("Giải Nhất", 1, 10)], judges[0].id)
    assert [w.user_id for w in propose_winners(second)] == [users[3].id]  # the first three already hold prizes
    world.round.contest.is_one_prize_per_person = False
    assert [w.user_id for w in propose_winners(second)] == [users[0].id]


def test_prize_page_for_judges(client, world, judged, auth):
    users, judges, after = judged
    auth.login("gk0@example.vn")
    page = client.get(f"/judging/rounds/{world.round.id}/prizes/").get_data(as_text=True)
    assert "Giải Nhất" in page and "Nguyễn Văn An" in page
    token = csrf_token(client, f"/judging/rounds/{world.round.id}/prizes/")
    response = client.post(f"/judging/rounds/{world.round.id}/prizes/exclude",
                           data={"csrf_token": token, "user_id": str(users[0].id), "reason": "Vi phạm thể lệ"},
                           follow_redirects=True)
    assert "Đã loại bài thi" in response.get_data(as_text=True)
    auth.login("thisinh@example.vn")
    assert client.get(f"/judging/rounds/{world.round.id}/prizes/").status_code == 403


def test_signed_prizes_earn_points_for_the_winners_agencies(world, judged):
    users, judges, after = judged
    assert prize_points_by_agency(world.round.id) == {}  # a proposal earns nothing
    checksum = canonical(world.round, propose_winners(world.round))[1]
    sign(world.round, judges[0], checksum, after)
    sign(world.round, judges[1], checksum, after)
    db.session.commit()
    assert prize_points_by_agency(world.round.id) == {world.commune.id: 10 + 8 + 8}


def test_prize_rules_are_edited_as_rows_and_shown_as_a_table(client, world, judged, auth):
    auth.login("gk0@example.vn")
    url = f"/judging/rounds/{world.round.id}/prizes/"
    page = client.get(url).get_data(as_text=True)
    assert "<td>Giải Nhất</td><td class=\"num\">1</td><td class=\"num\">10</td>" in page
    assert "Giải Nhất | 1 | 10" not in page and 'name="name-2"' in page  # two rules and blank rows to add
    token = csrf_token(client, url)
    bad = client.post(url + "rules", data={"csrf_token": token, "stream": "CBCCVC", "name-0": "Giải Nhất",
                                           "count-0": "không", "name-1": "", "count-1": ""}, follow_redirects=True)
    assert "Dòng 1: cần tên giải, số lượng" in bad.get_data(as_text=True)
    saved = client.post(url + "rules", data={
        "csrf_token": token, "stream": "CBCCVC", "name-0": "Giải Nhất", "count-0": "1", "points-0": "10",
        "name-1": "Giải Nhì", "count-1": "2", "points-1": "", "name-2": "Khuyến khích", "count-2": "5",
        "points-2": "4", "name-3": "", "count-3": "", "points-3": ""}, follow_redirects=True)
    assert "Đã lưu cơ cấu giải của khối CBCCVC." in saved.get_data(as_text=True)
    rules = db.session.scalars(sa.select(PrizeRule).order_by(PrizeRule.rank_order)).all()
    assert [(r.name, r.count, r.points) for r in rules] == [("Giải Nhất", 1, 10), ("Giải Nhì", 2, 0),
                                                             ("Khuyến khích", 5, 4)]

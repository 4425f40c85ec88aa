"""Integrity flags: shared devices and addresses, hasty papers, identical papers, near-duplicate people."""
from datetime import date, timedelta

import pytest

from contest.accounts.models import Role
from contest.attempts.services import start_attempt
from contest.extensions import db
from contest.integrity.masks import mask_citizen_id, mask_device, mask_email, mask_ip
from contest.integrity.queries import (fast_papers, identical_papers, integrity_report, near_duplicate_identities,
                                       shared_addresses, shared_devices)
from tests import factories
from tests.statistics.papers import count_statements, fixed_round, number_of, sit

DEVICE = "Zq8xK2mWv9LrT4pN7bY1cD5e"


@pytest.fixture
def people(world):
    """Eight contestants across the agencies."""
    agencies = [world.department, world.commune, world.district, world.commune] * 2
    users = [factories.make_user(f"nd{n}@example.vn", agency, name=f"Người dự thi {n}")
             for n, agency in enumerate(agencies)]
    db.session.commit()
    return users


def test_accounts_sharing_a_device_are_flagged_with_when(world, people, now):
    sit(people[0], world.round, now, seconds=100, correct=3, device_id=DEVICE)
    sit(people[1], world.round, now + timedelta(minutes=3), seconds=100, correct=4, device_id=DEVICE)
    start_attempt(people[1], world.round, now + timedelta(minutes=20), device_id=DEVICE)  # a second try, open
    sit(people[2], world.round, now, seconds=100, correct=4, device_id="another-device-0001")
    db.session.commit()
    [source] = shared_devices(world.round.id)
    assert source.masked == "Zq8x…5e"
    assert [(account.user_id, account.attempts) for account in source.accounts] == [(people[0].id, 1), (people[1].id, 2)]
    assert source.accounts[1].last_started_at - source.accounts[1].first_started_at == timedelta(minutes=17)


def test_an_address_needs_five_accounts(world, people, now):
    for user in people[:4]:
        sit(user, world.round, now, seconds=100, correct=3, client_ip="203.113.45.67")
    assert shared_addresses(world.round.id) == []
    sit(people[4], world.round, now, seconds=100, correct=3, client_ip="203.113.45.67")
    [source] = shared_addresses(world.round.id)
    assert source.masked == "203.113.*.*" and len(source.accounts) == 5
    assert shared_devices(world.round.id) == []  # blank device ids never match each other


def test_fast_papers_need_speed_and_a_high_score(world, people, now):
    hasty = sit(people[0], world.round, now, seconds=8, correct=5)  # 1.6 s a question, all right
    sit(people[1], world.round, now, seconds=12, correct=5)  # 2.4 s a question
    sit(people[2], world.round, now, seconds=3, correct=2)  # fast but mostly blank
    sit(people[3], world.round, now, seconds=9, correct=4)  # 80%: still a high score
    flagged = fast_papers(world.round.id)
    assert [paper.user_id for paper in flagged] == [people[0].id, people[3].id]
    assert flagged[0].attempt_id == hasty.id and flagged[0].ms_per_question == 1600


def _same_wrong_answer(item):
    return 1 if number_of(item) == 3 else 0  # every question right but the third, answered B


def test_identical_papers_share_questions_and_stored_choices(world, people, now):
    round_ = fixed_round(now, attempts_allowed=3)
    # Shuffled differently, the same options as stored: identical.
    first = sit(people[0], round_, now, seconds=90, choose=_same_wrong_answer, device_id="a" * 20,
                orders={3: [0, 1, 2, 3]})
    second = sit(people[1], round_, now + timedelta(minutes=1), seconds=95, choose=_same_wrong_answer,
                 orders={3: [3, 2, 1, 0]})
    # The same shown positions but other options as stored: not identical.
    sit(people[2], round_, now, seconds=90, choose=lambda item: 2 if number_of(item) == 3 else 0,
        orders={3: [0, 2, 1, 3]})
    # Perfect papers are alike by definition; blank papers too; one person's own papers do not count.
    sit(people[3], round_, now, seconds=90, correct=5)
    sit(people[4], round_, now, seconds=90, correct=5)
    sit(people[5], round_, now, seconds=90, correct=0)
    sit(people[6], round_, now, seconds=90, correct=0)
    sit(people[7], round_, now, seconds=90, choose=lambda item: 3 if number_of(item) == 1 else 0)
    sit(people[7], round_, now + timedelta(minutes=20), seconds=90, choose=lambda item: 3 if number_of(item) == 1 else 0)
    [group] = identical_papers(round_.id)
    assert [paper.attempt_id for paper in group.papers] == [first.id, second.id]
    assert (group.question_count, group.answered, group.wrong) == (5, 5, 1)
    assert group.papers[0].device == "aaaa…aa"


def test_near_duplicate_people_share_name_and_birth_date(world, people, now):
    born = date(1990, 5, 17)
    same = [factories.make_user("an1@example.vn", world.department, name="Nguyễn Văn An"),
            factories.make_user("an2@example.vn", world.commune, name="NGUYEN VAN AN"),
            factories.make_user("an3@example.vn", world.commune, name="Nguyễn Văn An"),  # born another day
            factories.make_user("an4@example.vn", world.commune, name="Nguyễn Văn An")]  # not in the round
    for user, number, birth in zip(same, ["001090000111", "001090000222", "001090000333", "001090000444"],
                                   [born, born, date(1991, 1, 1), born]):
        user.citizen_id, user.birth_date = number, birth
    db.session.commit()
    for user in same[:3]:
        sit(user, world.round, now, seconds=100, correct=3)
    [group] = near_duplicate_identities(world.round.id)
    assert group.birth_date == born and [account.user_id for account in group.accounts] == [same[0].id, same[1].id]
    assert [account.citizen_id for account in group.accounts] == ["•••••••••111", "•••••••••222"]
    assert group.accounts[0].email == "an•••@example.vn"


def test_masks():
    assert mask_ip("2001:db8:85a3::8a2e:370:7334") == "2001:db8:*"
    assert mask_ip("") == "" and mask_device("") == "" and mask_device("short") == "sh…"
    assert mask_citizen_id(None) == "" and mask_citizen_id("012345678901") == "•" * 9 + "901"
    assert mask_email("x@y.vn") == "x•••@y.vn"


def test_signals_cost_a_fixed_number_of_queries(app, world, people, now):
    round_ = fixed_round(now)
    sit(people[0], round_, now, seconds=5, correct=5, device_id=DEVICE, client_ip="10.0.0.1")
    sit(people[1], round_, now, seconds=90, choose=_same_wrong_answer, device_id=DEVICE, client_ip="10.0.0.1")
    sit(people[2], round_, now, seconds=90, choose=_same_wrong_answer, client_ip="10.0.0.1")
    db.session.commit()
    few = count_statements(app, lambda: integrity_report(round_.id))
    for user in people[3:]:
        sit(user, round_, now, seconds=5, choose=_same_wrong_answer, device_id=DEVICE, client_ip="10.0.0.1")
    db.session.commit()
    report = integrity_report(round_.id)
    assert len(report.shared_devices[0].accounts) == 7 and len(report.identical_papers[0].papers) == 7
    db.session.commit()
    assert count_statements(app, lambda: integrity_report(round_.id)) == few


def test_integrity_page_shows_evidence_masked(client, auth, world, people, now):
    for user in people[:5]:
        sit(user, world.round, now, seconds=4, correct=5, device_id=DEVICE, client_ip="198.51.100.23")
    factories.make_user("gk@example.vn", world.province, Role.JUDGE, name="Giám khảo")
    db.session.commit()
    auth.login("gk@example.vn")
    page = client.get(f"/judging/rounds/{world.round.id}/integrity").get_data(as_text=True)
    assert "Người dự thi 0" in page and "Zq8x…5e" in page and "198.51.*.*" in page
    assert DEVICE not in page and "198.51.100.23" not in page
    assert (now + timedelta(hours=7)).strftime("%d/%m/%Y %H:%M") in page
    assert "không tự loại bài" in page


def test_integrity_page_is_closed_to_contestants(client, auth, world):
    auth.login("thisinh@example.vn")
    assert client.get(f"/judging/rounds/{world.round.id}/integrity").status_code == 403

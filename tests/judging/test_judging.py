"""The judges' agency table, checked against a recount from the raw attempts."""
import re
from datetime import timedelta

import sqlalchemy as sa

from contest.accounts.models import Role
from contest.attempts.models import Attempt
from contest.extensions import db
from contest.judging.queries import agency_table
from tests import factories
from tests.leaderboards.test_boards import take


def test_agency_table_matches_a_recount_from_attempts(world, now):
    people = [factories.make_user(f"p{n}@example.vn", agency) for n, agency in
              enumerate([world.department, world.commune, world.commune, world.district])]
    db.session.commit()
    for person, correct in zip(people, [5, 4, 2, 3]):
        take(person, world.round, now, correct=correct, seconds=60)
    take(people[1], world.round, now + timedelta(minutes=30), correct=1, seconds=30)  # worse retry
    rows = {row.agency.code: row for row in agency_table(world.round.id)}
    # Recount: best score per person from the attempts themselves.
    best = dict(db.session.execute(sa.select(Attempt.user_id, sa.func.max(Attempt.score))
                                   .group_by(Attempt.user_id)).all())
    assert best == {people[0].id: 5, people[1].id: 4, people[2].id: 2, people[3].id: 3}
    assert (rows["H1X1"].entrants, rows["H1X1"].headcount) == (2, 5)
    assert rows["H1X1"].average_score == (4 + 2) / 2
    assert (rows["H1"].entrants, rows["H1"].headcount) == (3, 20)  # district includes its commune
    assert rows["H1"].participation_rate == 3 / 20
    assert (rows["T"].entrants, rows["T"].headcount) == (4, 50)
    assert rows["T"].average_score == sum(best.values()) / 4
    assert rows["STP"].entrants == 1 and rows["STP"].average_score == 5


def test_agency_page_for_judges(client, world, now, auth):
    take(world.contestant, world.round, now, correct=4, seconds=60)
    factories.make_user("gk@example.vn", world.province, Role.JUDGE, name="Giám khảo")
    db.session.commit()
    auth.login("gk@example.vn")
    page = client.get(f"/judging/rounds/{world.round.id}/agencies").get_data(as_text=True)
    assert "Sở Tư pháp" in page and "5,0%" in page and "4,00/5" in page
    board = client.get(f"/judging/rounds/{world.round.id}/leaderboard?agency={world.district.id}")
    assert board.status_code == 200 and "Nguyễn Văn Thí" not in board.get_data(as_text=True)


def test_agency_page_is_kept_for_a_minute_and_links_each_agency_board(client, world, now, auth):
    take(world.contestant, world.round, now, correct=4, seconds=60)
    factories.make_user("gk@example.vn", world.province, Role.JUDGE, name="Giám khảo")
    other = factories.make_user("xa@example.vn", world.commune, name="Người xã")
    db.session.commit()
    auth.login("gk@example.vn")
    def table():  # the page less its form token, which is signed with the second it was issued
        page = client.get(f"/judging/rounds/{world.round.id}/agencies").get_data(as_text=True)
        return re.sub(r'name="csrf_token"[^>]*>', "", page)

    first = table()
    assert f'href="/judging/rounds/{world.round.id}/leaderboard?agency={world.district.id}"' in first
    take(other, world.round, now, correct=2, seconds=60)
    # Served from the cache (at most REPORT_TTL_SECONDS old): the new paper is not counted yet.
    assert table() == first

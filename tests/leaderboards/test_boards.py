"""Standings and boards: best attempt kept, ties broken by time then submission, agency subtrees."""
import re
from datetime import timedelta

import sqlalchemy as sa

from contest.attempts.services import save_answer, start_attempt, submit_attempt
from contest.extensions import db
from contest.leaderboards.models import Standing
from contest.leaderboards.queries import (entrant_count, entrants_and_rank, live_country_figures, rank_of, standing_of,
                                          top_standings)
from tests import factories


def take(user, round_, started_at, correct: int, seconds: float):
    """A paper with `correct` right answers, submitted after `seconds`."""
    attempt = start_attempt(user, round_, started_at)
    for item in attempt.items[:correct]:
        save_answer(attempt, item.position, [item.choice_order.index(item.question.correct[0])], started_at)
    submit_attempt(attempt, started_at + timedelta(seconds=seconds))
    db.session.commit()
    return attempt


def test_the_standing_keeps_the_best_attempt(world, now):
    take(world.contestant, world.round, now, correct=3, seconds=100)
    second = take(world.contestant, world.round, now + timedelta(minutes=20), correct=4, seconds=200)
    standing = standing_of(world.round.id, world.contestant.id)
    assert (standing.score, standing.attempt_id) == (4, second.id)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Standing)) == 1


def test_a_worse_later_attempt_does_not_replace_the_best(world, now):
    round_ = factories.make_round(now, attempts_allowed=3)
    first = take(world.contestant, round_, now, correct=4, seconds=100)
    take(world.contestant, round_, now + timedelta(minutes=20), correct=4, seconds=150)
    take(world.contestant, round_, now + timedelta(minutes=40), correct=2, seconds=50)
    assert standing_of(round_.id, world.contestant.id).attempt_id == first.id


def test_ranking_is_score_then_time_then_submission(world, now):
    people = {name: factories.make_user(f"{n}@example.vn", world.commune, name=name)
              for n, name in enumerate(["Ánh", "Bảo", "Cường", "Dũng", "Giang"])}
    db.session.commit()
    take(people["Ánh"], world.round, now, correct=4, seconds=120)
    take(people["Bảo"], world.round, now, correct=5, seconds=300)
    take(people["Cường"], world.round, now, correct=4, seconds=90)
    take(people["Dũng"], world.round, now + timedelta(seconds=5), correct=4, seconds=90)  # same time, later
    take(people["Giang"], world.round, now, correct=4, seconds=90)  # identical to Cường: shares rank
    rows = top_standings(world.round.id)
    names = [row.standing.user.full_name for row in rows]
    assert names[0] == "Bảo" and names[-1] == "Ánh" and names[3] == "Dũng"
    assert set(names[1:3]) == {"Cường", "Giang"}
    assert [row.rank for row in rows] == [1, 2, 2, 4, 5]
    assert rank_of(standing_of(world.round.id, people["Dũng"].id)) == 4
    assert rank_of(standing_of(world.round.id, people["Giang"].id)) == 2


def test_an_agency_board_covers_its_subtree_only(world, now):
    district_person = factories.make_user("huyen@example.vn", world.district, name="Người huyện")
    commune_person = factories.make_user("xa@example.vn", world.commune, name="Người xã")
    db.session.commit()
    take(world.contestant, world.round, now, correct=5, seconds=60)  # Sở Tư pháp
    take(district_person, world.round, now, correct=3, seconds=60)
    take(commune_person, world.round, now, correct=4, seconds=60)
    district_rows = top_standings(world.round.id, world.district)
    assert [row.standing.user.full_name for row in district_rows] == ["Người xã", "Người huyện"]
    assert [row.rank for row in district_rows] == [1, 2]
    assert entrant_count(world.round.id, world.district) == 2
    assert entrant_count(world.round.id, world.province) == 3
    assert rank_of(standing_of(world.round.id, commune_person.id), world.district) == 1
    assert rank_of(standing_of(world.round.id, commune_person.id)) == 2


def test_board_page_shows_own_agency_tab_and_own_rank(client, world, now, auth):
    take(world.contestant, world.round, now, correct=2, seconds=60)
    other = factories.make_user("xa@example.vn", world.commune, name="Người xã")
    db.session.commit()
    take(other, world.round, now, correct=5, seconds=60)
    auth.login("thisinh@example.vn")
    page = client.get(f"/rounds/{world.round.id}/leaderboard").get_data(as_text=True)
    assert "Bạn xếp hạng <strong>2</strong> / 2" in page
    # The breadcrumb leads from the whole contest down the contestant's own line of agencies.
    assert page.index(f"agency={world.province.id}") < page.index(f"agency={world.department.id}")
    mine = client.get(f"/rounds/{world.round.id}/leaderboard?agency={world.department.id}").get_data(as_text=True)
    assert "Bạn xếp hạng <strong>1</strong> / 1" in mine and "Người xã" not in mine


def test_the_national_live_rank_from_counts_matches_the_exact_rank(world, now):
    # Equal scores fall in different seconds of time used and in the same one: both paths of the count.
    results = [(4, 50), (4, 70), (4, 65), (4, 130), (3, 20), (5, 200), (4, 50)]
    people = [factories.make_user(f"n{n}@example.vn", world.commune, name=f"Người {n}") for n in range(len(results))]
    db.session.commit()
    for person, (correct, seconds) in zip(people, results):
        take(person, world.round, now, correct=correct, seconds=seconds)
    for person in people:
        standing = standing_of(world.round.id, person.id)  # its bucket's count read with it
        assert live_country_figures(world.round, standing) == (len(people), rank_of(standing))
        counted_apart = db.session.get(Standing, (world.round.id, person.id))
        assert live_country_figures(world.round, counted_apart) == (len(people), rank_of(standing))
    assert live_country_figures(world.round, None) == (len(people), None)


def test_the_national_live_counts_lag_by_at_most_their_age(app, world, now):
    app.config["LIVE_COUNTS_MAX_AGE"] = 30
    try:
        take(world.contestant, world.round, now, correct=2, seconds=60)
        assert live_country_figures(world.round, None)[0] == 1
        other = factories.make_user("xa@example.vn", world.commune, name="Người xã")
        db.session.commit()
        take(other, world.round, now, correct=5, seconds=60)
        assert live_country_figures(world.round, None)[0] == 1  # still the count of the last half minute
        app.config["LIVE_COUNTS_MAX_AGE"] = 0
        assert live_country_figures(world.round, None)[0] == 2
    finally:
        app.config.pop("LIVE_COUNTS_MAX_AGE")


def test_only_the_national_live_board_says_its_counts_may_lag(client, world, now, auth):
    take(world.contestant, world.round, now, correct=2, seconds=60)
    auth.login("thisinh@example.vn")
    national = client.get(f"/rounds/{world.round.id}/leaderboard").get_data(as_text=True)
    assert "Bạn xếp hạng <strong>1</strong> / 1" in national and "có thể chậm tối đa 30 giây" in national
    agency = client.get(f"/rounds/{world.round.id}/leaderboard?agency={world.province.id}").get_data(as_text=True)
    assert "Bạn xếp hạng <strong>1</strong> / 1" in agency and "có thể chậm" not in agency


def test_entrants_and_rank_in_one_pass_match_the_separate_counts(world, now):
    results = [(4, 90), (5, 60), (4, 90), (4, 80), (2, 30)]
    people = [factories.make_user(f"d{n}@example.vn", world.commune, name=f"Người {n}") for n in range(len(results))]
    db.session.commit()
    for person, (correct, seconds) in zip(people, results):
        take(person, world.round, now, correct=correct, seconds=seconds)
    for agency in (world.district, world.province):
        for person in people:
            standing = standing_of(world.round.id, person.id)
            assert entrants_and_rank(world.round.id, standing, agency, "live") == (
                entrant_count(world.round.id, agency), rank_of(standing, agency))
        assert entrants_and_rank(world.round.id, None, agency, "live") == (len(people), None)


def test_entrants_and_rank_on_the_final_board_match_the_separate_counts(world, now):
    # After the close the prediction's distance breaks ties before time: the last two 4s swap places.
    results = [(4, 90, 3), (5, 60, 0), (4, 90, 1), (4, 80, 7), (2, 30, 0)]
    people = [factories.make_user(f"f{n}@example.vn", world.commune, name=f"Người {n}") for n in range(len(results))]
    db.session.commit()
    for person, (correct, seconds, error) in zip(people, results):
        take(person, world.round, now, correct=correct, seconds=seconds)
        db.session.execute(sa.update(Standing).where(Standing.round_id == world.round.id, Standing.user_id == person.id)
                           .values(prediction_error=error))
    db.session.commit()
    for agency in (world.district, world.province):
        ranks = []
        for person in people:
            standing = standing_of(world.round.id, person.id)
            entrants, rank = entrants_and_rank(world.round.id, standing, agency, "final")
            assert (entrants, rank) == (len(people), rank_of(standing, agency, "final"))
            ranks.append(rank)
        assert ranks == [3, 1, 2, 4, 5]


def test_see_my_position_opens_the_page_around_the_contestants_row(app, client, world, now, auth):
    people = [factories.make_user(f"p{n}@example.vn", world.commune, name=f"Người {n:02d}") for n in range(12)]
    db.session.commit()
    for n, person in enumerate(people):
        take(person, world.round, now, correct=5 if n < 6 else 3, seconds=60 + n)
    take(world.contestant, world.round, now, correct=3, seconds=69.5)  # between Người 09 and Người 10: rank 11
    app.config["LEADERBOARD_PAGE_SIZE"] = 5
    try:
        auth.login("thisinh@example.vn")
        top = client.get(f"/rounds/{world.round.id}/leaderboard").get_data(as_text=True)
        assert "Bạn xếp hạng <strong>11</strong> / 13" in top, re.findall(r"Bạn xếp hạng.{0,60}", top)
        assert 'id="me"' not in top
        assert f"/rounds/{world.round.id}/leaderboard?around=me#me" in top
        around = client.get(f"/rounds/{world.round.id}/leaderboard?around=me").get_data(as_text=True)
        # Two rows above the contestant's (half a page), then theirs, highlighted and anchored.
        assert re.findall(r'<td class="rank">(\d+)</td>', around) == ["9", "10", "11", "12", "13"]
        assert '<tr class="me" id="me">\n      <td class="rank">11</td>' in around and "↑ Về đầu bảng" in around
    finally:
        app.config["LEADERBOARD_PAGE_SIZE"] = 50

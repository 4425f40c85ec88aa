"""Agency tables per round and per contest, score bands and the collective ranking by group."""
import itertools
from dataclasses import dataclass, field
from datetime import timedelta
from fractions import Fraction

import pytest
import sqlalchemy as sa

from contest.accounts.models import Role, User
from contest.agencies.models import Agency
from contest.agencies.services import add_agency
from contest.attempts.models import Attempt
from contest.database import utcnow
from contest.extensions import db
from contest.judging import queries
from contest.judging.queries import (BAND_KEYS, agency_table, collective_ranking, contest_agency_table,
                                     round_agency_report)
from contest.leaderboards.models import ContestStanding
from tests import factories
from tests.conftest import Auth
from tests.leaderboards.test_boards import take

SERIAL = itertools.count(1)


@dataclass
class Recount:
    """An agency's figures counted again from the attempts, in plain Python."""

    entrants: int = 0
    score_total: int = 0
    max_total: int = 0
    bands: dict = field(default_factory=lambda: dict.fromkeys(BAND_KEYS, 0))


def band_of(score: int, maximum: int) -> str:
    """The band of a paper, from the exact fraction of the maximum."""
    share = Fraction(score, maximum)
    if share == 1:
        return "full"
    if share >= Fraction(3, 4):
        return "high"
    if share >= Fraction(1, 4):
        return "middle"
    return "low" if score > 0 else "zero"


def best_scores(round_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per user: (Σ best score, Σ max score) over the rounds, straight from the submitted attempts."""
    rows = db.session.execute(
        sa.select(Attempt.user_id, sa.func.max(Attempt.score), sa.func.max(Attempt.max_score))
        .where(Attempt.round_id.in_(round_ids), Attempt.submitted_at.is_not(None))
        .group_by(Attempt.round_id, Attempt.user_id)).all()
    totals: dict[int, tuple[int, int]] = {}
    for user_id, score, maximum in rows:
        old = totals.get(user_id, (0, 0))
        totals[user_id] = (old[0] + score, old[1] + maximum)
    return totals


def recount(totals: dict[int, tuple[int, int]]) -> dict[str, Recount]:
    """Every agency's subtree figures: a user counts for each agency whose path prefixes theirs."""
    agencies = db.session.scalars(sa.select(Agency)).all()
    result = {agency.code: Recount() for agency in agencies}
    for user_id, (score, maximum) in totals.items():
        user_path = db.session.get(User, user_id).agency.path
        for agency in agencies:
            if user_path.startswith(agency.path):
                figures = result[agency.code]
                figures.entrants += 1
                figures.score_total += score
                figures.max_total += maximum
                figures.bands[band_of(score, maximum)] += 1
    return result


def assert_matches(rows, expected: dict[str, Recount]) -> None:
    assert {row.agency.code for row in rows} == set(expected)
    for row in rows:
        want = expected[row.agency.code]
        assert (row.entrants, row.score_total, row.max_total, row.band_counts) == \
            (want.entrants, want.score_total, want.max_total, want.bands), row.agency.code
        assert row.fully_correct == want.bands["full"]
        assert sum(count for _label, count in row.bands) == row.entrants


def people(count: int, agency: Agency, prefix: str) -> list[User]:
    users = [factories.make_user(f"{prefix}{n}@example.vn", agency, name=f"Người {prefix} {n}")
             for n in range(count)]
    db.session.commit()
    return users


def test_round_table_matches_a_recount_from_attempts(world, now):
    round_ = factories.make_round(now, question_count=8, attempts_allowed=3)
    db.session.commit()
    scores = {world.department: [8, 6, 3], world.district: [7, 0], world.commune: [8, 2, 1, 5]}
    for agency, marks in scores.items():
        for person, correct in zip(people(len(marks), agency, agency.code), marks):
            take(person, round_, now, correct=correct, seconds=60 + correct)
            if correct < 8:  # a worse retry must not count
                take(person, round_, now + timedelta(minutes=20), correct=max(correct - 2, 0), seconds=30)
    rows = agency_table(round_.id)
    assert_matches(rows, recount(best_scores([round_.id])))
    province = next(row for row in rows if row.agency.code == "T")
    assert (province.entrants, province.headcount, province.fully_correct) == (9, 50, 2)
    assert province.participation_rate == 9 / 50 and province.average_score == 40 / 9
    assert province.score_ratio == 40 / 72


def test_bands_at_their_boundaries(world, now):
    round_ = factories.make_round(now, question_count=8)
    db.session.commit()
    marks = [8, 7, 6, 5, 2, 1, 0]  # 100%, 87,5%, 75%, 62,5%, 25%, 12,5%, 0%
    for person, correct in zip(people(len(marks), world.commune, "b"), marks):
        take(person, round_, now, correct=correct, seconds=60)
    commune = next(row for row in agency_table(round_.id) if row.agency.code == "H1X1")
    assert commune.band_counts == {"full": 1, "high": 2, "middle": 2, "low": 1, "zero": 1}
    assert commune.bands == [("100%", 1), ("Từ 75% đến dưới 100%", 2), ("Từ 25% đến dưới 75%", 2),
                             ("Dưới 25% (có câu đúng)", 1), ("Không câu nào đúng", 1)]
    assert commune.fully_correct == 1


def test_contest_table_sums_the_rounds_from_the_overall_standings(world, now):
    second = factories.make_round(now, question_count=8)
    db.session.commit()
    department = people(2, world.department, "s")
    commune = people(2, world.commune, "x")
    for person, first_score, second_score in zip(department + commune, [5, 4, 5, 0], [8, 6, None, 2]):
        take(person, world.round, now, correct=first_score, seconds=60)
        if second_score is not None:
            take(person, second, now, correct=second_score, seconds=60)
    totals = best_scores([world.round.id, second.id])
    # The overall standings as the contest's "sum of rounds" rule makes them (written here, so this
    # test depends only on the table; merge keeps whatever submitting already stored consistent).
    for user_id, (score, maximum) in totals.items():
        user = db.session.get(User, user_id)
        db.session.merge(ContestStanding(contest_id=world.round.contest_id, user_id=user_id,
                                         agency_id=user.agency_id, agency_path=user.agency.path, score=score,
                                         max_score=maximum, duration_ms=120_000, submitted_at=now))
    db.session.commit()
    rows = contest_agency_table(world.round.contest)
    assert_matches(rows, recount(totals))
    by_code = {row.agency.code: row for row in rows}
    assert by_code["STP"].score_total == 5 + 8 + 4 + 6 and by_code["STP"].fully_correct == 1
    assert by_code["H1"].entrants == 2 and by_code["H1"].band_counts["zero"] == 0  # 0 + 2 of 13 is "low"


def build_groups(world) -> dict[str, Agency]:
    """Two groups: departments (Sở, ngành) and districts (Huyện), with small headcounts."""
    world.department.group_name = "Sở, ngành"
    world.district.group_name = "Huyện, thị xã"
    health = add_agency(code="SYT", name="Sở Y tế", parent=world.province, headcount=4, group_name="Sở, ngành")
    home = add_agency(code="SNV", name="Sở Nội vụ", parent=world.province, headcount=8, group_name="Sở, ngành")
    other = add_agency(code="H2", name="UBND huyện Hai", parent=world.province, headcount=2,
                       group_name="Huyện, thị xã")
    world.department.headcount, world.district.headcount, world.commune.headcount = 4, 2, 2
    db.session.commit()
    return {"STP": world.department, "SYT": health, "SNV": home, "H1": world.district, "H1X1": world.commune,
            "H2": other}


def overall(contest_id: int, agency: Agency, scores: list[int], maximum: int = 8) -> None:
    """Overall standings for new contestants of `agency` with these scores."""
    for score in scores:
        user = factories.make_user(f"u{next(SERIAL)}@example.vn", agency)
        db.session.add(ContestStanding(contest_id=contest_id, user_id=user.id, agency_id=agency.id,
                                       agency_path=agency.path, score=score, max_score=maximum,
                                       duration_ms=60_000, submitted_at=utcnow()))
    db.session.commit()


@pytest.fixture
def ranked(world):
    """A contest with two groups of agencies and overall standings, min rate 50%, weight 0.6."""
    agencies = build_groups(world)
    contest = world.round.contest
    contest.agency_min_rate, contest.agency_rate_weight, contest.agency_formula = 0.5, 0.6, "rate_and_score"
    overall(contest.id, agencies["STP"], [8, 8, 4])  # 3/4 take part, 20/24 of the points
    overall(contest.id, agencies["SYT"], [8, 8])  # exactly the minimum rate: 2/4
    overall(contest.id, agencies["SNV"], [8, 8])  # 2/8 = 25%: below the minimum
    overall(contest.id, agencies["H1"], [4])  # with its commune: 2 of 2 + 2
    overall(contest.id, agencies["H1X1"], [4])
    overall(contest.id, agencies["H2"], [4])  # 1/2, half the points: ties with H1
    return contest, agencies


def groups_of(contest) -> dict[str, list]:
    ranking = collective_ranking(contest_agency_table(contest), contest)
    return {group.name: [(entry.row.agency.code, entry.rank, entry.value, entry.reason) for entry in group.entries]
            for group in ranking}


def test_rate_and_score_ranks_each_group_separately_and_skips_low_participation(ranked):
    contest, _agencies = ranked
    weight = Fraction(6, 10)
    groups = groups_of(contest)
    assert list(groups) == ["Huyện, thị xã", "Sở, ngành"]  # Vietnamese order; agencies without a group: none
    assert groups["Sở, ngành"] == [
        ("STP", 1, weight * Fraction(3, 4) + (1 - weight) * Fraction(20, 24), ""),
        ("SYT", 2, weight * Fraction(1, 2) + (1 - weight) * 1, ""),
        ("SNV", None, None, "tỷ lệ tham gia dưới mức tối thiểu 50%"),
    ]
    # Ranked within their own group from 1, whatever the departments scored; equal values share a rank.
    half = weight * Fraction(1, 2) + (1 - weight) * Fraction(1, 2)
    assert groups["Huyện, thị xã"] == [("H2", 1, half, ""), ("H1", 1, half, "")]  # tied: by name, "Hai" < "Một"


def test_rate_plus_points_adds_prize_points_of_the_subtree(ranked, monkeypatch):
    contest, agencies = ranked
    contest.agency_formula = "rate_plus_points"
    agencies["SNV"].headcount = 1  # 2 entrants for 1 post: the rate counts as 100% at most
    db.session.commit()
    points = {agencies["H1X1"].id: 10, agencies["SYT"].id: 8}
    monkeypatch.setattr(queries, "prize_points_by_agency",
                        lambda round_id: points if round_id == contest.rounds[0].id else {})
    groups = groups_of(contest)
    assert groups["Sở, ngành"] == [("SNV", 1, 100, ""), ("STP", 2, 75, ""), ("SYT", 3, 58, "")]
    assert groups["Huyện, thị xã"] == [("H1", 1, 60, ""), ("H2", 2, 50, "")]  # the commune's prize counts for H1


def test_the_prize_points_hook_is_empty_until_prizes_fill_it(world):
    assert queries.prize_points_by_agency(world.round.id) == {}


def test_agencies_without_headcount_or_entrants_are_listed_not_ranked(world):
    agencies = build_groups(world)
    agencies["SYT"].headcount = 0
    db.session.commit()
    overall(world.round.contest_id, agencies["SYT"], [8])
    groups = groups_of(world.round.contest)
    assert ("SYT", None, None, "chưa có số biên chế") in groups["Sở, ngành"]
    assert ("STP", None, None, "không có thí sinh") in groups["Sở, ngành"]


def test_the_round_ranking_uses_the_round_standings(world, now):
    build_groups(world)
    world.round.contest.agency_min_rate = 0.5
    db.session.commit()
    stp = people(2, world.department, "r")
    take(stp[0], world.round, now, correct=5, seconds=60)
    take(stp[1], world.round, now, correct=3, seconds=60)
    report = round_agency_report(world.round)
    departments = next(group for group in report.groups if group.name == "Sở, ngành")
    assert [(e.row.agency.code, e.rank) for e in departments.entries] == [("STP", 1), ("SNV", None), ("SYT", None)]
    assert departments.entries[0].value == Fraction(1, 2) * Fraction(2, 4) + Fraction(1, 2) * Fraction(8, 10)


def test_agency_pages_for_judges_and_organizers_only(client, auth, ranked, now):
    contest, agencies = ranked
    take(factories.make_user("thi@example.vn", agencies["SYT"]), contest.rounds[0], now, correct=5, seconds=60)
    factories.make_user("gk@example.vn", None, Role.JUDGE, name="Giám khảo")
    db.session.commit()
    round_url = f"/judging/rounds/{contest.rounds[0].id}/agencies"
    contest_url = f"/judging/contests/{contest.id}/agencies"
    assert client.get(contest_url).status_code == 302  # to the login page
    contestant = client.application.test_client()
    Auth(contestant).login("thi@example.vn")
    assert contestant.get(contest_url).status_code == 403 and contestant.get(round_url).status_code == 403
    auth.login("gk@example.vn")
    page = client.get(round_url).get_data(as_text=True)
    assert "Xếp hạng tập thể" in page and "Khối: Sở, ngành" in page and "Khối: Huyện, thị xã" in page
    assert "Đúng tất cả (100%)" in page and "Bảng đơn vị cả cuộc thi" in page
    overall_page = client.get(contest_url)
    assert overall_page.status_code == 200
    text = overall_page.get_data(as_text=True)
    assert "Tham gia theo đơn vị: cả cuộc thi" in text
    assert "Không xét" in text and "tỷ lệ tham gia dưới mức tối thiểu 50%" in text
    # STP: 0,6 × 75% + 0,4 × 20/24 = 0,78333…, shown on a scale of 100.
    assert "78,33" in text and "Sở Nội vụ" in text
    assert client.get("/judging/contests/9999/agencies").status_code == 404

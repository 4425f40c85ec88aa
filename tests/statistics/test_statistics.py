"""Round statistics: days in Vietnam time, best paper per person, top-level agencies, item analysis."""
from datetime import timedelta

import pytest

from contest.accounts.models import Role
from contest.extensions import db
from contest.statistics.charts import bar_chart, column_chart
from contest.statistics.queries import (ITEM_FLAG_MESSAGE, NO_AGENCY, SCORE_BANDS, band_of, entries_per_day,
                                        item_analysis, participation_by_agency, score_bands, score_distribution)
from tests import factories
from tests.statistics.papers import count_statements, fixed_round, number_of, sit


@pytest.fixture
def people(world):
    """Twelve contestants in the commune."""
    users = [factories.make_user(f"tk{n}@example.vn", world.commune, name=f"Thí sinh {n}") for n in range(12)]
    db.session.commit()
    return users


def test_entries_are_counted_per_day_in_vietnam_time(world, people, now):
    round_ = factories.make_round(now, opens_in=timedelta(days=-4), lasts=timedelta(days=10))
    evening = (now - timedelta(days=2)).replace(hour=16, minute=30, second=0, microsecond=0)  # 23:30 in Hà Nội
    sit(people[0], round_, evening, seconds=60, correct=3)
    sit(people[1], round_, evening + timedelta(hours=7), seconds=60, correct=3)  # 06:30 the next day there
    sit(people[2], round_, evening + timedelta(hours=7, minutes=5), seconds=60, correct=3)
    days = {day.day: day.papers for day in entries_per_day(round_, now)}
    local_day = (evening + timedelta(hours=7)).date()  # 16:30 UTC is the same day in Việt Nam (UTC+7)
    assert days[local_day] == 1
    assert days[local_day + timedelta(days=1)] == 2
    # Every day from the opening to today is listed, the empty ones with zero.
    opening = (round_.opens_at + timedelta(hours=7)).date()
    assert min(days) == opening and max(days) == (now + timedelta(hours=7)).date()
    assert sum(days.values()) == 3


def test_score_distribution_counts_each_persons_best_paper_once(world, people, now):
    round_ = factories.make_round(now, attempts_allowed=3)
    sit(people[0], round_, now, seconds=60, correct=2)
    sit(people[0], round_, now + timedelta(minutes=15), seconds=60, correct=4)
    sit(people[1], round_, now, seconds=60, correct=4)
    sit(people[2], round_, now, seconds=60, correct=5)
    sit(people[3], round_, now, seconds=60, correct=0)
    distribution = {bucket.correct: bucket.papers for bucket in score_distribution(round_)}
    assert distribution == {0: 1, 1: 0, 2: 0, 3: 0, 4: 2, 5: 1}
    bands = {band.label: band.papers for band in score_bands(score_distribution(round_), 5)}
    assert bands == {"100%": 1, "Từ 75% đến dưới 100%": 2, "Từ 25% đến dưới 75%": 0,
                     "Dưới 25% (có câu đúng)": 0, "Không câu nào đúng": 1}


def test_participation_is_by_top_level_agency_below_a_lone_province(world, now):
    in_department = factories.make_user("so@example.vn", world.department)
    in_district = factories.make_user("huyen@example.vn", world.district)
    in_commune = factories.make_user("xa@example.vn", world.commune)
    at_province = factories.make_user("tinh@example.vn", world.province)
    without = factories.make_user("khong@example.vn", None)
    db.session.commit()
    for user, correct in [(in_department, 5), (in_district, 3), (in_commune, 4), (at_province, 2), (without, 1)]:
        sit(user, world.round, now, seconds=60, correct=correct)
    lines = {line.name: line for line in participation_by_agency(world.round)}
    # The province is the only root, so its departments and districts are compared.
    assert set(lines) == {"Sở Tư pháp", "UBND huyện Một", "UBND tỉnh Thử (trực tiếp)", NO_AGENCY}
    district = lines["UBND huyện Một"]
    assert (district.entrants, district.headcount) == (2, 20)  # the commune counts with its district
    assert district.participation_rate == 2 / 20 and district.average_score == 3.5
    assert (lines["Sở Tư pháp"].entrants, lines["Sở Tư pháp"].headcount) == (1, 20)
    assert lines["UBND tỉnh Thử (trực tiếp)"].entrants == 1
    assert lines[NO_AGENCY].entrants == 1 and lines[NO_AGENCY].participation_rate is None


def _graded_answers(ability: int):
    """Question 1 right for the 9 best, 2 for 6, 3 for 4, 4 for all, 5 for nobody (its key looks wrong)."""
    def choose(item):
        number = number_of(item)
        if number == 5:
            return 2 if ability < 8 else 1  # most pick C, the rest B; nobody picks A, the key
        right = {1: ability < 9, 2: ability < 6, 3: ability < 4, 4: True}[number]
        return 0 if right else 3
    return choose


def test_item_analysis_share_discrimination_flags_and_top_wrong_option(world, people, now):
    round_ = fixed_round(now)
    for ability, user in enumerate(people):
        sit(user, round_, now, seconds=60 + ability, choose=_graded_answers(ability))
    items = {int(stat.text.split("số ")[1].split(":")[0]): stat for stat in item_analysis(round_)}
    assert all(stat.shown == 12 for stat in items.values())
    assert [round(items[n].share_correct, 2) for n in (1, 2, 3, 4, 5)] == [0.75, 0.5, 0.33, 1.0, 0.0]
    # 27% of 12 papers: the 3 best (all 4 right, fastest first) and the 3 worst (1 right).
    assert (items[1].upper_shown, items[1].lower_shown) == (3, 3)
    assert items[1].discrimination == 1.0 and items[3].discrimination == 1.0
    assert items[4].discrimination == 0.0 and items[5].discrimination == 0.0
    assert not any(items[n].is_flagged for n in (1, 2, 3))
    assert items[5].is_flagged and items[5].flag_reasons[0].startswith("tỷ lệ đúng dưới 20%")
    assert items[4].is_flagged and items[4].flag_reasons == ["độ phân biệt dưới 0,1"]
    # Options are reported in the question's stored order, whatever each paper's shuffle showed.
    assert items[5].top_wrong == ("C", 8) and items[5].correct_letters == "A"
    assert items[2].top_wrong == ("D", 6) and items[4].top_wrong is None
    order = [int(stat.text.split("số ")[1].split(":")[0]) for stat in item_analysis(round_)]
    assert order == [5, 4, 3, 2, 1]  # flagged first, then the hardest


def test_rarely_shown_questions_are_not_judged(world, people, now):
    round_ = fixed_round(now)
    sit(people[0], round_, now, seconds=60, correct=0)
    stats = item_analysis(round_)
    assert stats and all(stat.share_correct == 0 and not stat.is_flagged and not stat.is_judged for stat in stats)


def test_statistics_cost_a_fixed_number_of_queries(app, world, people, now):
    round_ = fixed_round(now)

    def read_everything():
        entries_per_day(round_, now)
        score_distribution(round_)
        participation_by_agency(round_)
        item_analysis(round_)

    sit(people[0], round_, now, seconds=60, choose=_graded_answers(0))
    db.session.commit()
    few = count_statements(app, read_everything)
    for ability, user in enumerate(people[1:], start=1):
        sit(user, round_, now, seconds=60, choose=_graded_answers(ability))
    db.session.commit()
    assert count_statements(app, read_everything) == few


def test_charts_scale_bars_and_turn_crowded_labels():
    chart = column_chart("Số bài", [("01/12/2025", 2), ("02/12/2025", 4), ("03/12/2025", 0)])
    heights = [bar.height for bar in chart.bars]
    assert heights[1] == 2 * heights[0] and heights[2] == 0 and not chart.is_label_turned
    crowded = column_chart("Số bài", [(f"{day:02d}/12/2025", day) for day in range(1, 31)])
    assert crowded.is_label_turned and crowded.height > chart.height
    bars = bar_chart("Đơn vị", [("Ủy ban nhân dân huyện có một cái tên rất dài không vừa nhãn", 3), ("Sở", 6)])
    assert bars.bars[0].label.endswith("…") and bars.bars[1].width == 2 * bars.bars[0].width
    assert column_chart("Trống", []).bars == []


def test_statistics_page_for_judges(client, auth, world, people, now):
    round_ = fixed_round(now)
    for ability, user in enumerate(people):
        sit(user, round_, now, seconds=60 + ability, choose=_graded_answers(ability))
    factories.make_user("gk@example.vn", world.province, Role.JUDGE, name="Giám khảo")
    db.session.commit()
    auth.login("gk@example.vn")
    response = client.get(f"/judging/rounds/{round_.id}/statistics")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count('<svg') == 3 and page.count('role="img"') == 3 and 'aria-label="Biểu đồ cột' in page
    assert "<script" not in page
    assert (now + timedelta(hours=7)).strftime("%d/%m/%Y") in page
    assert ITEM_FLAG_MESSAGE in page and "C (8 lượt)" in page
    assert "UBND huyện Một" in page  # the commune's people, under their district


def test_statistics_page_is_for_judges_and_organizers_only(client, auth, world):
    url = f"/judging/rounds/{world.round.id}/statistics"
    assert client.get(url).status_code == 302  # to the login page
    auth.login("thisinh@example.vn")
    assert client.get(url).status_code == 403
    assert client.get("/judging/rounds/999999/statistics").status_code == 403


def test_organizers_see_the_page_with_links_to_the_questions(client, auth, world, now):
    factories.make_user("btc@example.vn", world.province, Role.ORGANIZER, name="Ban tổ chức")
    db.session.commit()
    auth.login("btc@example.vn")
    page = client.get(f"/judging/rounds/{world.round.id}/statistics").get_data(as_text=True)
    assert "Chưa có bài nộp nào." in page and "Thống kê vòng thi" in page
    attempt = sit(world.contestant, world.round, now, seconds=60, correct=2)
    page = client.get(f"/judging/rounds/{world.round.id}/statistics").get_data(as_text=True)
    assert f'href="/organizer/bank/questions/{attempt.items[0].question_id}"' in page
    assert "chưa đủ dữ liệu" in page
    assert client.get("/judging/rounds/999999/statistics").status_code == 404


def test_score_bands_boundaries():
    assert [SCORE_BANDS[band_of(correct, 20)] for correct in (20, 15, 14, 5, 4, 0)] == [
        "100%", "Từ 75% đến dưới 100%", "Từ 25% đến dưới 75%", "Từ 25% đến dưới 75%", "Dưới 25% (có câu đúng)",
        "Không câu nào đúng"]

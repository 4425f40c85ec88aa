"""The segments' rules, pure."""
from hypothesis import given, strategies as st

from contest.live.rules import SegmentRules, buzzer_mark, mark_question, rank_totals, speed_points_for

RULES = SegmentRules()


def test_all_answer_gives_the_points_to_right_answers_only():
    marks = mark_question("all_answer", RULES, 10, [1], [(1, 1), (2, 0), (3, 1)])
    assert {team: mark.points for team, mark in marks.items()} == {1: 10, 2: 0, 3: 10}
    assert marks[2].is_correct is False


def test_speed_pays_by_the_order_right_answers_reached_the_server():
    answers = [(5, 0), (1, 2), (2, 2), (3, 2), (4, 2), (6, 2)]  # team 5 was first but wrong
    marks = mark_question("speed", RULES, 10, [2], answers)
    assert [marks[team].points for team in (1, 2, 3, 4, 6)] == [40, 30, 20, 10, 10]
    assert marks[5].points == 0 and marks[1].note == "đúng thứ 1"


def test_a_star_doubles_a_right_answer_and_costs_the_points_of_a_wrong_or_silent_one():
    marks = mark_question("star", RULES, 20, [3], [(1, 3), (2, 0), (3, 3)], stakes=[1, 2, 4])
    assert {team: mark.points for team, mark in marks.items()} == {1: 40, 2: -20, 3: 20, 4: -20}
    lenient = SegmentRules(star_wrong_deducts=False)
    assert mark_question("star", lenient, 20, [3], [(2, 0)], stakes=[2])[2].points == 0


def test_stakes_count_only_in_star_segments():
    assert mark_question("all_answer", RULES, 10, [0], [(1, 0)], stakes=[1])[1].points == 10


def test_the_buzzer_penalty_is_a_setting():
    assert buzzer_mark(RULES, 30, True).points == 30
    assert buzzer_mark(RULES, 30, False).points == 0
    assert buzzer_mark(SegmentRules(buzzer_wrong_penalty=10), 30, False).points == -10


def test_settings_round_trip_and_describe_the_rule_in_vietnamese():
    rules = SegmentRules(speed_points=(50, 25), buzzer_wrong_passes=False, buzzer_wrong_penalty=5,
                         stars_per_team=2, star_wrong_deducts=False)
    assert SegmentRules.from_settings(rules.as_settings()) == rules
    assert SegmentRules.from_settings({}) == SegmentRules()
    assert "50, 25" in rules.describe("speed", 10)
    assert "trừ 5 điểm" in rules.describe("buzzer", 10) and "câu hỏi kết thúc" in rules.describe("buzzer", 10)
    assert "2 ngôi sao" in rules.describe("star", 10)


def test_equal_totals_and_right_answers_share_a_rank():
    ranked = rank_totals([(1, 30, 3), (2, 50, 5), (3, 30, 3), (4, 30, 2)])
    assert [(row.team_id, row.rank) for row in ranked] == [(2, 1), (1, 2), (3, 2), (4, 4)]


@given(st.lists(st.tuples(st.integers(1, 40), st.integers(0, 3)), unique_by=lambda answer: answer[0]),
       st.sets(st.integers(0, 3), min_size=1))
def test_speed_never_pays_a_wrong_answer_and_pays_earlier_right_answers_at_least_as_much(answers, correct):
    marks = mark_question("speed", RULES, 10, correct, answers)
    paid = [marks[team].points for team, choice in answers if choice in correct]
    assert all(marks[team].points == 0 for team, choice in answers if choice not in correct)
    assert paid == sorted(paid, reverse=True)
    assert paid[:4] == [speed_points_for(RULES, order) for order in range(min(4, len(paid)))]

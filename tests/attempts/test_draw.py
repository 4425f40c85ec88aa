"""The draw: quotas by topic and difficulty, distinct questions, a clear refusal when short."""
import random

import pytest

from contest.attempts.draw import DrawError, Drawable, draw_paper, shuffled_order

POOL = [Drawable(n, "Chung" if n < 20 else "Một cửa", ["easy", "medium", "hard"][n % 3], 4) for n in range(30)]


def test_quotas_are_met_and_the_rest_drawn_freely():
    for seed in range(50):
        paper = draw_paper(POOL, 10, [{"topic": "Một cửa", "difficulty": "", "count": 4},
                                      {"topic": "", "difficulty": "hard", "count": 3}], random.Random(seed))
        assert len(paper) == 10 and len({q.id for q in paper}) == 10
        assert sum(q.topic == "Một cửa" for q in paper) >= 4
        assert sum(q.difficulty == "hard" for q in paper) >= 3


def test_a_quota_the_bank_cannot_meet_is_refused():
    with pytest.raises(DrawError, match="cần 11"):
        draw_paper(POOL, 12, [{"topic": "Một cửa", "difficulty": "", "count": 11}], random.Random(1))
    with pytest.raises(DrawError, match="chỉ có 30"):
        draw_paper(POOL, 31, [], random.Random(1))


def test_the_same_seed_draws_the_same_paper():
    assert draw_paper(POOL, 8, [], random.Random(42)) == draw_paper(POOL, 8, [], random.Random(42))
    assert sorted(shuffled_order(4, random.Random(3))) == [0, 1, 2, 3]

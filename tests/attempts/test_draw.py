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


# -- properties: flags and families ------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from contest.attempts.draw import drawable_questions  # noqa: E402


@st.composite
def banks(draw):
    """A bank of 1–60 questions in two topics, some flagged, some in families of two to four."""
    size = draw(st.integers(1, 60))
    questions = []
    for n in range(size):
        family = draw(st.one_of(st.none(), st.integers(0, max(size // 3, 1))))
        questions.append(Drawable(n, draw(st.sampled_from(["Chung", "Một cửa"])),
                                  draw(st.sampled_from(["easy", "medium", "hard"])), 4,
                                  family=family, is_flagged=draw(st.booleans())))
    return questions


def _units(questions) -> int:
    """How many questions can stand on one paper: one a family."""
    return len({("family", q.family) if q.family is not None else ("id", q.id) for q in questions})


@settings(max_examples=150, deadline=None)
@given(banks(), st.integers(1, 25), st.integers(0, 2**32), st.booleans())
def test_a_paper_never_holds_two_of_a_family_nor_a_flagged_question(bank, count, seed, excluding_flagged):
    pool = drawable_questions(bank, excluding_flagged)
    possible = _units(pool) >= count
    try:
        paper = draw_paper(pool, count, [], random.Random(seed))
    except DrawError:
        assert not possible, "refused although one question a family would fill the paper"
        return
    assert possible and len(paper) == count and len({q.id for q in paper}) == count
    families = [q.family for q in paper if q.family is not None]
    assert len(families) == len(set(families))
    if excluding_flagged:
        assert not any(q.is_flagged for q in paper)
    assert draw_paper(pool, count, [], random.Random(seed)) == paper


@settings(max_examples=100, deadline=None)
@given(banks(), st.integers(0, 4), st.integers(0, 4), st.integers(0, 2**32))
def test_quotas_hold_with_families(bank, topic_count, hard_count, seed):
    quotas = [{"topic": "Một cửa", "difficulty": "", "count": topic_count},
              {"topic": "", "difficulty": "hard", "count": hard_count}]
    count = topic_count + hard_count + 2
    try:
        paper = draw_paper(bank, count, quotas, random.Random(seed))
    except DrawError:
        return
    assert len({q.id for q in paper}) == count
    assert sum(q.topic == "Một cửa" for q in paper) >= topic_count
    assert sum(q.difficulty == "hard" for q in paper) >= hard_count
    families = [q.family for q in paper if q.family is not None]
    assert len(families) == len(set(families))


def test_a_bank_without_families_or_flags_draws_as_before():
    # The first sample is the plain one: seeds recorded before families existed draw the same paper.
    plain = [Drawable(n, "Chung", "easy", 4) for n in range(30)]
    rng = random.Random(7)
    expected = rng.sample(plain, 8)
    rng.shuffle(expected)
    assert draw_paper(plain, 8, [], random.Random(7)) == expected

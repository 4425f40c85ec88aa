"""Drawing a paper: pure rules, no Flask, no database."""
import random
from collections.abc import Sequence
from dataclasses import dataclass


class DrawError(ValueError):
    """The bank cannot fill the paper the round asks for."""


@dataclass(frozen=True)
class Drawable:
    """What the draw needs of an approved question."""

    id: int
    topic: str
    difficulty: str
    choice_count: int
    # Related questions (near-duplicates that give each other away) share a family; None: alone.
    family: int | None = None
    # Flagged "cần rà soát": its article changed after it was written, or an organizer asked.
    is_flagged: bool = False


def drawable_questions(questions: Sequence[Drawable], excluding_flagged: bool) -> list[Drawable]:
    """The questions a round may draw: flagged ones left out when the round excludes them."""
    return [q for q in questions if not q.is_flagged] if excluding_flagged else list(questions)


def draw_paper(pool: Sequence[Drawable], count: int, quotas: list[dict], rng: random.Random) -> list[Drawable]:
    """Draw `count` distinct questions: first each quota's share of its topic and difficulty, then the
    rest from what remains; the order is shuffled so quotas do not show as blocks.

    Never two questions of one family. The pool is what the round may draw (drawable_questions).
    A quota is {"topic": str, "difficulty": str, "count": int}; an empty topic or difficulty matches any.
    """
    chosen: list[Drawable] = []
    taken: set[int] = set()
    families: set[int] = set()
    for quota in quotas:
        matching = [q for q in pool if q.id not in taken
                    and (not quota.get("topic") or q.topic == quota["topic"])
                    and (not quota.get("difficulty") or q.difficulty == quota["difficulty"])]
        need = int(quota.get("count", 0))
        picked = _pick(matching, need, rng, families)
        if picked is None:
            raise DrawError(f"chỉ có {_distinct(matching, families)} câu cho định mức "
                            f"“{quota.get('topic') or 'mọi chủ đề'} / {quota.get('difficulty') or 'mọi mức độ'}”"
                            f", cần {need}")
        chosen.extend(picked)
        taken.update(q.id for q in picked)
    rest = count - len(chosen)
    if rest < 0:
        raise DrawError("tổng định mức lớn hơn số câu của đề")
    remaining = [q for q in pool if q.id not in taken]
    picked = _pick(remaining, rest, rng, families)
    if picked is None:
        raise DrawError(f"ngân hàng chỉ có {_distinct(pool, set())} câu đã duyệt dùng được "
                        f"(mỗi nhóm câu liên quan tính một), cần {count}")
    chosen.extend(picked)
    rng.shuffle(chosen)
    return chosen


def _pick(candidates: list[Drawable], need: int, rng: random.Random, families: set[int]) -> list[Drawable] | None:
    """`need` of the candidates at random, none of a family already used (`families` is updated).

    The first sample is the plain one, so a bank without families draws as it always has; a sample
    that holds two of one family keeps the first and samples again from what is left."""
    picked: list[Drawable] = []
    eligible = candidates
    while len(picked) < need:
        if families:
            eligible = [q for q in eligible if q.family is None or q.family not in families]
        if len(eligible) < need - len(picked):
            return None
        batch = rng.sample(eligible, need - len(picked))
        seen = {q.id for q in batch}
        for question in batch:
            if question.family is not None:
                if question.family in families:
                    continue
                families.add(question.family)
            picked.append(question)
        eligible = [q for q in eligible if q.id not in seen]
    return picked


def _distinct(candidates: Sequence[Drawable], families: set[int]) -> int:
    """How many questions could stand on one paper: one per family, none of a family already used."""
    return len({("family", q.family) if q.family is not None else ("id", q.id) for q in candidates
                if q.family is None or q.family not in families})


def shuffled_order(choice_count: int, rng: random.Random) -> list[int]:
    """A random permutation of a question's options: position shown → index stored."""
    order = list(range(choice_count))
    rng.shuffle(order)
    return order


def _matches(quota: dict, topic: str, difficulty: str) -> bool:
    return (not quota.get("topic") or quota["topic"] == topic) \
        and (not quota.get("difficulty") or quota["difficulty"] == difficulty)


def _overlap(first: dict, second: dict) -> bool:
    """True when some question could meet both quotas."""
    return all(not first.get(key) or not second.get(key) or first[key] == second[key]
               for key in ("topic", "difficulty"))


def shortfalls(cells: dict[tuple[str, str], int], count: int, quotas: list[dict],
               difficulty_labels: dict[str, str]) -> list[str]:
    """Why a bank cannot always fill the paper: one message per quota that can fall short, and one
    if the bank is smaller than a paper; empty when every draw succeeds.

    `cells` counts drawable questions by (topic, difficulty). A quota is checked against the worst
    case of draw_paper, whose earlier quotas may take questions it could also have used: it needs its
    own count plus the counts of the earlier quotas it overlaps.
    """
    problems = []
    topics = {topic for topic, _difficulty in cells}
    for index, quota in enumerate(quotas):
        topic, difficulty, need = quota.get("topic") or "", quota.get("difficulty") or "", int(quota.get("count", 0))
        label = f"“{topic or 'mọi chủ đề'} / {difficulty_labels.get(difficulty, 'mọi mức độ')}”"
        if topic and topic not in topics:
            problems.append(f"Định mức {label}: ngân hàng không có câu đã duyệt nào thuộc chủ đề “{topic}”.")
            continue
        available = sum(n for (cell_topic, cell_difficulty), n in cells.items()
                        if _matches(quota, cell_topic, cell_difficulty))
        taken_before = sum(int(other.get("count", 0)) for other in quotas[:index] if _overlap(quota, other))
        if available < need + taken_before:
            before = f" (cộng {taken_before} câu các định mức trước có thể đã lấy)" if taken_before else ""
            problems.append(f"Định mức {label} cần {need} câu{before} nhưng ngân hàng chỉ có {available} câu phù hợp.")
    total = sum(cells.values())
    if total < count:
        problems.append(f"Mỗi lượt thi rút {count} câu nhưng ngân hàng chỉ có {total} câu đã duyệt.")
    return problems

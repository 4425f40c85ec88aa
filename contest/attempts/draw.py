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


def draw_paper(pool: Sequence[Drawable], count: int, quotas: list[dict], rng: random.Random) -> list[Drawable]:
    """Draw `count` distinct questions: first each quota's share of its topic and difficulty, then the
    rest from what remains; the order is shuffled so quotas do not show as blocks.

    A quota is {"topic": str, "difficulty": str, "count": int}; an empty topic or difficulty matches any.
    """
    chosen: list[Drawable] = []
    taken: set[int] = set()
    for quota in quotas:
        matching = [q for q in pool if q.id not in taken
                    and (not quota.get("topic") or q.topic == quota["topic"])
                    and (not quota.get("difficulty") or q.difficulty == quota["difficulty"])]
        need = int(quota.get("count", 0))
        if len(matching) < need:
            raise DrawError(f"chỉ có {len(matching)} câu cho định mức “{quota.get('topic') or 'mọi chủ đề'}"
                            f" / {quota.get('difficulty') or 'mọi mức độ'}”, cần {need}")
        picked = rng.sample(matching, need)
        chosen.extend(picked)
        taken.update(q.id for q in picked)
    rest = count - len(chosen)
    if rest < 0:
        raise DrawError("tổng định mức lớn hơn số câu của đề")
    remaining = [q for q in pool if q.id not in taken]
    if len(remaining) < rest:
        raise DrawError(f"ngân hàng chỉ có {len(pool)} câu đã duyệt, cần {count}")
    chosen.extend(rng.sample(remaining, rest))
    rng.shuffle(chosen)
    return chosen


def shuffled_order(choice_count: int, rng: random.Random) -> list[int]:
    """A random permutation of a question's options: position shown → index stored."""
    order = list(range(choice_count))
    rng.shuffle(order)
    return order

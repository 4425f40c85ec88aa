"""How an answer is marked and how two results compare."""
from datetime import datetime


def is_answer_correct(selected_shown: list[int] | None, choice_order: list[int],
                      correct: list[int]) -> bool:
    """True when the options chosen (as shown) are exactly the question's correct options."""
    if not selected_shown:
        return False
    chosen = {choice_order[position] for position in selected_shown}
    return chosen == set(correct)


def rank_key(score: int, duration_ms: int, submitted_at: datetime) -> tuple:
    """Sort key, smaller is better: higher score, then shorter time, then earlier submission."""
    return (-score, duration_ms, submitted_at)


def is_better(candidate: tuple, incumbent: tuple) -> bool:
    """True if the candidate result outranks the incumbent (a tie keeps the incumbent)."""
    return candidate < incumbent

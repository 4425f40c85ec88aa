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


# A paper without a prediction ranks after every paper with one, at equal score.
MISSING_PREDICTION_ERROR = 2**62


def prediction_error(prediction: int | None, truth: int) -> int:
    """How far a prediction fell from the true figure; a missing one is as far as can be."""
    return MISSING_PREDICTION_ERROR if prediction is None else abs(prediction - truth)


def final_rank_key(score: int, error: int, duration_ms: int, submitted_at: datetime) -> tuple:
    """Sort key after the close, smaller is better: score, prediction's distance, time, submission."""
    return (-score, error, duration_ms, submitted_at)


def mask_name(full_name: str, mode: str) -> str:
    """A name as a public board shows it: "full"; "initials" (Nguyễn Văn An → Nguyễn V. A);
    "given" (Nguyễn Văn An → N. V. An)."""
    words = full_name.split()
    if mode == "full" or len(words) < 2:
        return full_name
    if mode == "given":
        return " ".join([*(f"{word[0]}." for word in words[:-1]), words[-1]])
    return " ".join([words[0], *(f"{word[0]}." for word in words[1:-1]), words[-1][0]])


class ParticipationFigures:
    """Participation and mean score of a group with `entrants`, `headcount` and `score_total`."""

    entrants: int
    headcount: int
    score_total: int

    @property
    def participation_rate(self) -> float | None:
        """Entrants ÷ headcount, or None when the headcount is unknown."""
        return self.entrants / self.headcount if self.headcount else None

    @property
    def average_score(self) -> float | None:
        """Mean counted score of the entrants, or None with no entrant."""
        return self.score_total / self.entrants if self.entrants else None

"""The rules of a live event's segments, pure: no Flask, no database.

- all answer (cùng trả lời): every team answers on its device; a right answer earns the question's points;
- speed (tốc độ): right answers earn points by the order they reached the server (40, 30, 20, then 10 each);
- buzzer (giành quyền): the first team to press answers aloud and the host marks it; a wrong answer costs the
  segment's penalty and, if the segment says so, passes the question to the next team that pressed;
- star (ngôi sao hy vọng): every team answers; a team that staked the question earns double if right, and
  loses the question's points (or nothing, as the segment says) if wrong or silent.
"""
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

KIND_LABELS = {"all_answer": "Cùng trả lời", "speed": "Tốc độ", "buzzer": "Giành quyền trả lời",
               "star": "Ngôi sao hy vọng"}
ANSWERED_ON_DEVICE = ("all_answer", "speed", "star")
LETTERS = "ABCDEF"


def letter(index: int) -> str:
    """The option letter shown for an option index (0 → A)."""
    return LETTERS[index] if 0 <= index < len(LETTERS) else str(index + 1)


@dataclass(frozen=True)
class SegmentRules:
    """A segment's own settings, with the defaults an organizer starts from."""

    speed_points: tuple[int, ...] = (40, 30, 20, 10)
    buzzer_wrong_passes: bool = True
    buzzer_wrong_penalty: int = 0
    stars_per_team: int = 1
    star_wrong_deducts: bool = True

    @classmethod
    def from_settings(cls, settings: dict | None) -> "SegmentRules":
        """The rules stored in a segment's settings (missing keys take the defaults)."""
        settings = settings or {}
        known = {key: settings[key] for key in cls.__dataclass_fields__ if key in settings}
        if "speed_points" in known:
            known["speed_points"] = tuple(int(value) for value in known["speed_points"])
        return cls(**known)

    def as_settings(self) -> dict:
        """The rules as stored (JSON)."""
        stored = asdict(self)
        stored["speed_points"] = list(self.speed_points)
        return stored

    def describe(self, kind: str, points: int) -> str:
        """The segment's rule in one Vietnamese sentence, for the organizer, the host and the screens."""
        if kind == "all_answer":
            return f"Mọi đội trả lời trên thiết bị; đúng được {points} điểm."
        if kind == "speed":
            order = ", ".join(str(value) for value in self.speed_points)
            return f"Đúng được điểm theo thứ tự đến máy chủ: {order}; các đội đúng sau đó {self.speed_points[-1]}."
        if kind == "buzzer":
            rule = "câu hỏi chuyển cho đội bấm chuông tiếp theo" if self.buzzer_wrong_passes else "câu hỏi kết thúc"
            penalty = f", bị trừ {self.buzzer_wrong_penalty} điểm" if self.buzzer_wrong_penalty else ""
            return f"Đội bấm chuông trước trả lời miệng; đúng được {points} điểm; sai{penalty} và {rule}."
        wrong = f"bị trừ {points} điểm" if self.star_wrong_deducts else "không được điểm"
        return (f"Mọi đội trả lời; đúng được {points} điểm. Mỗi đội có {self.stars_per_team} ngôi sao: "
                f"câu đặt ngôi sao đúng được gấp đôi, sai hoặc không trả lời {wrong}.")


@dataclass(frozen=True)
class Mark:
    """What a team earned on a question."""

    points: int
    is_correct: bool | None
    note: str = ""


def speed_points_for(rules: SegmentRules, order: int) -> int:
    """Points for the `order`-th right answer (0 first); after the list, its last value."""
    table = rules.speed_points or (0,)
    return table[order] if order < len(table) else table[-1]


def mark_question(kind: str, rules: SegmentRules, points: int, correct: Iterable[int],
                  answers: Sequence[tuple[int, int]], stakes: Iterable[int] = ()) -> dict[int, Mark]:
    """The server's marks at the lock for a question answered on devices.

    `answers` are (team, option index) in the order they reached the server; `stakes` the teams that put
    their star on it. Every team that answered or staked gets a mark (0 points included), so the ledger
    shows every decision.
    """
    if kind not in ANSWERED_ON_DEVICE:
        raise ValueError(f"{kind} questions are marked by the host")
    right = set(correct)
    staked = set(stakes) if kind == "star" else set()
    marks: dict[int, Mark] = {}
    right_so_far = 0
    for team, choice in answers:
        is_correct = choice in right
        if kind == "speed" and is_correct:
            earned = speed_points_for(rules, right_so_far)
            note = f"đúng thứ {right_so_far + 1}"
            right_so_far += 1
        elif team in staked:
            earned = 2 * points if is_correct else (-points if rules.star_wrong_deducts else 0)
            note = "ngôi sao hy vọng"
        else:
            earned, note = (points if is_correct else 0), ""
        marks[team] = Mark(earned, is_correct, note)
    for team in staked - marks.keys():
        marks[team] = Mark(-points if rules.star_wrong_deducts else 0, False, "ngôi sao hy vọng, không trả lời")
    return marks


def buzzer_mark(rules: SegmentRules, points: int, is_correct: bool) -> Mark:
    """The host's mark of a spoken answer on a buzzer question."""
    if is_correct:
        return Mark(points, True, "trả lời miệng")
    return Mark(-rules.buzzer_wrong_penalty, False, "trả lời miệng")


@dataclass(frozen=True)
class Ranked:
    """A row of a ranking: equal totals share a rank."""

    rank: int
    team_id: int
    total: int
    correct: int = 0
    extra: dict = field(default_factory=dict)


def rank_totals(rows: Sequence[tuple[int, int, int]]) -> list[Ranked]:
    """(team, total, right answers) in the given tie order → ranks: total first, then right answers;
    teams equal on both share a rank."""
    ordered = sorted(enumerate(rows), key=lambda item: (-item[1][1], -item[1][2], item[0]))
    ranked: list[Ranked] = []
    previous, rank = None, 0
    for position, (_, (team, total, correct)) in enumerate(ordered, start=1):
        if (total, correct) != previous:
            rank, previous = position, (total, correct)
        ranked.append(Ranked(rank, team, total, correct))
    return ranked

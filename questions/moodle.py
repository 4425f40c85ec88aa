"""Conventions shared by the GIFT and Moodle XML formats, so both carry the same record fields.

Moodle has a place for the question, its options and key, a category and a general feedback,
and free tags. A record maps onto them so that Moodle shows something sensible and our reader
gets the record back exactly:

* topic -> the category "$course$/top/<topic>" ("/" inside a name doubled, as Moodle does);
* difficulty, audience, status -> tags "Mức độ: Dễ", "Đối tượng: CBCCVC", "Trạng thái: Đã duyệt"
  (Moodle cuts tags at 50 characters, which these labels never reach);
* citation and explanation -> the general feedback, which Moodle shows after an answer: a first
  line "Căn cứ: <citation>", then the explanation. The citation is not a tag because citations
  often pass 50 characters. The "Căn cứ:" line is also written, empty, when there is no citation
  but the explanation itself starts with "Căn cứ:", so the reader never mistakes one for the other.
* true/false questions become the two choices "Đúng" / "Sai"; such a record is written back as
  true/false.
"""
import html
import re

from questions.records import DIFFICULTY_LABELS, STATUS_LABELS, parse_difficulty, parse_status
from questions.text import clean, fold

TRUE_FALSE_CHOICES = ["Đúng", "Sai"]
CITATION_PREFIX = "Căn cứ:"
_CITATION_LINE = re.compile(r"^(?:can cu(?: phap ly)?|nguon)\s*:", re.IGNORECASE)
_TAG_KINDS = {"muc do": "difficulty", "do kho": "difficulty", "doi tuong": "audience",
              "trang thai": "status"}
_CONTEXT = re.compile(r"^\$\w+\$$")


def is_true_false(choices: list[str], correct: list[int]) -> bool:
    """True when a record is a Moodle true/false question: choices "Đúng", "Sai" and one key."""
    return list(choices) == TRUE_FALSE_CHOICES and len(correct) == 1


def category_path(topic: str) -> str:
    """The Moodle category path for a topic ("" -> the course's top category)."""
    return "$course$/top" + (f"/{topic.replace('/', '//')}" if topic else "")


def topic_from_category(path: str) -> str:
    """The topic a Moodle category path names: its last level, with "//" read back as "/"."""
    # Read from the right: our writer puts slashes only in the last level, so a run of slashes
    # next to the separator (a topic starting with "/") splits correctly only this way round.
    reversed_path = clean(path)[::-1]
    segments, current, index = [], [], 0
    while index < len(reversed_path):
        if reversed_path.startswith("//", index):
            current.append("/")
            index += 2
        elif reversed_path[index] == "/":
            segments.append("".join(current)[::-1])
            current = []
            index += 1
        else:
            current.append(reversed_path[index])
            index += 1
    segments.append("".join(current)[::-1])
    segments.reverse()
    if segments and _CONTEXT.match(segments[0].strip()):
        segments = segments[1:]
        if segments and segments[0].strip() == "top":
            segments = segments[1:]
    return clean(segments[-1]) if segments else ""


def metadata_tags(difficulty: str, audience: str, status: str | None) -> list[str]:
    """The tags that carry a record's difficulty, audience and status."""
    tags = [f"Mức độ: {DIFFICULTY_LABELS.get(difficulty, DIFFICULTY_LABELS['medium'])}"]
    if audience:
        tags.append(f"Đối tượng: {audience}")
    if status:
        tags.append(f"Trạng thái: {STATUS_LABELS[status]}")
    return tags


def read_tags(tags: list[str]) -> tuple[dict[str, str | None], list[str]]:
    """Difficulty, audience and status from tags (others are ignored), and faults found."""
    values: dict[str, str | None] = {"difficulty": "medium", "audience": "", "status": None}
    faults = []
    for tag in tags:
        label, colon, value = clean(tag).partition(":")
        kind = _TAG_KINDS.get(fold(label)) if colon else None
        value = clean(value)
        if kind == "difficulty":
            difficulty = parse_difficulty(value)
            if difficulty is None:
                faults.append(f"thẻ “{clean(tag)}”: mức độ phải là Dễ, Trung bình hoặc Khó")
            else:
                values["difficulty"] = difficulty
        elif kind == "status":
            status = parse_status(value)
            if status is None:
                faults.append(f"thẻ “{clean(tag)}”: trạng thái phải là Nháp, Đã duyệt hoặc Ngừng dùng")
            else:
                values["status"] = status or None
        elif kind == "audience":
            values["audience"] = value
    return values, faults


def feedback_lines(citation: str, explanation: str) -> list[str]:
    """General feedback as lines: "Căn cứ: …" when needed, then the explanation."""
    lines = []
    if citation or _CITATION_LINE.match(fold(explanation)):
        lines.append(f"{CITATION_PREFIX} {citation}".strip())
    if explanation:
        lines.append(explanation)
    return lines


def split_feedback(text: str) -> tuple[str, str]:
    """(citation, explanation) from general feedback text whose lines are split by newlines."""
    lines = [line for line in (clean(line) for line in text.split("\n")) if line]
    citation = ""
    if lines and _CITATION_LINE.match(fold(lines[0])):
        citation = clean(lines[0].partition(":")[2])
        lines = lines[1:]
    return citation, clean(" ".join(lines))


_BREAKS = re.compile(r"<\s*br\s*/?\s*>|<\s*/\s*(?:p|div|li|h\d)\s*>", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]*>")


def html_to_text(markup: str) -> str:
    """Plain text from Moodle HTML: paragraphs and breaks become newlines, entities are decoded."""
    return html.unescape(_TAGS.sub("", _BREAKS.sub("\n", markup)))


def text_to_html(text: str) -> str:
    """One paragraph of HTML for plain text."""
    return f"<p>{html.escape(text, quote=False)}</p>"

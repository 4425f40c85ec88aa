"""Moodle GIFT text files: multiple choice (one or several keys) and true/false, import and export.

Other GIFT question types (short answer, numerical, matching, essay) are refused by name, since a
contest draws only multiple-choice questions. Faults are located by the line where a question
starts. Record fields beyond the question map onto GIFT as described in questions.moodle; tags go
in a comment line "// [tag:Mức độ: Dễ]", the form Moodle itself reads. Texts containing "<", "&"
or "->" are written in GIFT's [html] form, escaped, so Moodle neither renders them as markup nor
mistakes them for a matching question.
"""
import html
import re
from pathlib import Path

from questions.moodle import (TRUE_FALSE_CHOICES, category_path, feedback_lines, html_to_text,
                              is_true_false, metadata_tags, read_tags, split_feedback,
                              topic_from_category)
from questions.records import ImportFailed, ImportIssue, QuestionRecord, choice_faults, cleaned
from questions.safety import MAX_FILE_BYTES, read_text, refuse
from questions.text import clean

# Escaped characters become private-use placeholders while the structure is parsed, as Moodle does.
_ESCAPES = {"\\\\": "\ue000", "\\~": "\ue001", "\\=": "\ue002", "\\#": "\ue003", "\\{": "\ue004",
            "\\}": "\ue005", "\\:": "\ue006", "\\n": "\ue007"}
_RESTORE = {"\ue000": "\\", "\ue001": "~", "\ue002": "=", "\ue003": "#", "\ue004": "{", "\ue005": "}",
            "\ue006": ":", "\ue007": "\n"}
_FORMAT = re.compile(r"^\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_WEIGHT = re.compile(r"^%(-?\d+(?:[.,]\d+)?)%")
_TAG = re.compile(r"\[tag:((?:\\]|[^\]\x00-\x1f])+)\]")
_TRUE_FALSE = {"t": True, "true": True, "f": False, "false": False}


def _protect(text: str) -> str:
    for escaped, placeholder in _ESCAPES.items():
        text = text.replace(escaped, placeholder)
    return text


def _restore(text: str, is_html: bool) -> str:
    text = "".join(_RESTORE.get(ch, ch) for ch in text)
    return html_to_text(text) if is_html else text


def _escape(text: str) -> str:
    """GIFT-escape the characters that carry structure, as Moodle's exporter does."""
    for ch in ("\\", "~", "=", "#", "{", "}", ":"):
        text = text.replace(ch, "\\" + ch)
    return text.replace("\n", "\\n")


def _blocks(text: str):
    """(first line number, lines) of each question block; blocks are separated by blank lines."""
    block, start = [], 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            if not block:
                start = number
            block.append(line)
        elif block:
            yield start, block
            block = []
    if block:
        yield start, block


def _split_answers(body: str) -> list[tuple[str, str]]:
    """The (mark, text) answers of a multiple-choice block: mark is "=" or "~"."""
    answers = []
    for match in re.finditer(r"([~=])([^~=]*)", body):
        answers.append((match.group(1), match.group(2)))
    return answers


def _parse_question(source: str, topic: str, tags: list[str], line: int,
                    issues: list[ImportIssue]) -> QuestionRecord | None:
    """One GIFT question (escapes already protected) as a record, or None with issues added."""
    def fault(message: str) -> None:
        issues.append(ImportIssue(line, "", message))

    source = source.strip()
    if source.startswith("::"):
        end = source.find("::", 2)
        if end < 0:
            fault("tên câu hỏi mở bằng “::” nhưng không có “::” đóng")
            return None
        source = source[end + 2:].strip()
    match = _FORMAT.match(source)
    is_html = bool(match) and match.group(1).lower() == "html"
    if match:
        source = source[match.end():]
    opening = source.find("{")
    closing = source.rfind("}")
    if opening < 0 or closing < opening:
        fault("thiếu phần phương án trong ngoặc { … }")
        return None
    before, body, after = source[:opening], source[opening + 1:closing], source[closing + 1:]
    # Missing-word questions put the blank where the braces stand.
    text = clean(_restore(before, is_html))
    if clean(after):
        text = clean(f"{text} _____ {_restore(after, is_html)}")
    body, _, general = body.partition("####")
    citation, explanation = split_feedback(_restore(general, is_html))
    values, tag_faults = read_tags(tags)
    for message in tag_faults:
        fault(message)
    stripped = body.strip()
    key = _TRUE_FALSE.get(stripped.split("#", 1)[0].strip().lower())
    if key is not None:
        choices, correct = list(TRUE_FALSE_CHOICES), [0 if key else 1]
    elif not stripped:
        fault("câu hỏi tự luận (không có phương án) không được hỗ trợ")
        return None
    elif stripped.startswith("#"):
        fault("câu hỏi dạng số không được hỗ trợ, chỉ nhận trắc nghiệm hoặc đúng/sai")
        return None
    elif "->" in stripped and "=" in stripped:
        fault("câu hỏi ghép đôi không được hỗ trợ, chỉ nhận trắc nghiệm hoặc đúng/sai")
        return None
    elif "~" not in stripped:
        fault("câu hỏi trả lời ngắn không được hỗ trợ, chỉ nhận trắc nghiệm hoặc đúng/sai")
        return None
    else:
        if stripped[0] not in "~=":
            fault(f"phần phương án phải bắt đầu bằng “~” hoặc “=”, không phải “{_restore(stripped[0], False)}”")
            return None
        choices, correct = [], []
        for index, (mark, answer) in enumerate(_split_answers(stripped)):
            answer = answer.split("#", 1)[0].strip()  # per-answer feedback is not kept
            weight = _WEIGHT.match(answer)
            fraction = 100.0 if mark == "=" else 0.0
            if weight:
                fraction = float(weight.group(1).replace(",", "."))
                answer = answer[weight.end():]
            choices.append(clean(_restore(answer, is_html)))
            if fraction > 0:
                correct.append(index)
    faults = choice_faults(text, choices, correct)
    for _part, message in faults:
        fault(message)
    if faults or tag_faults:
        return None
    return QuestionRecord(text=text, choices=choices, correct=correct, topic=topic,
                          difficulty=values["difficulty"], citation=citation, explanation=explanation,
                          audience=values["audience"], status=values["status"], source_row=line)


def parse_gift(text: str) -> list[QuestionRecord]:
    """Records from GIFT text, or ImportFailed naming the line of every faulty question."""
    issues: list[ImportIssue] = []
    records: list[QuestionRecord] = []
    topic = ""
    for start, lines in _blocks(text.lstrip("\ufeff")):
        comments, question, question_line = [], [], 0
        for offset, line in enumerate(lines):
            stripped = line.strip()
            if stripped.startswith("//"):
                comments.append(stripped)
            elif stripped.startswith("$CATEGORY:"):
                topic = topic_from_category(stripped[len("$CATEGORY:"):])
            else:
                if not question:
                    question_line = start + offset
                question.append(line)
        if not question:
            continue
        tags = [tag.replace("\\]", "]") for comment in comments for tag in _TAG.findall(comment)]
        record = _parse_question(_protect("\n".join(question)), topic, tags, question_line, issues)
        if record:
            records.append(record)
    if issues:
        raise ImportFailed(issues)
    if not records:
        raise refuse("tệp GIFT không có câu hỏi nào")
    return records


def read_gift(path: str | Path, max_bytes: int = MAX_FILE_BYTES) -> list[QuestionRecord]:
    """Read a GIFT file (UTF-8)."""
    return parse_gift(read_text(path, "GIFT", max_bytes))


def _weight(count: int) -> str:
    return f"{100 / count:.5f}".rstrip("0").rstrip(".")


def format_gift(records: list[QuestionRecord]) -> str:
    """GIFT text for records, one block per question, categories written when the topic changes."""
    out = []
    topic = ""
    for record in map(cleaned, records):
        if record.topic != topic:
            out.append(f"$CATEGORY: {category_path(record.topic)}\n")
            topic = record.topic
        texts = [record.text, *record.choices, record.citation, record.explanation]
        is_html = any("<" in t or "&" in t or "->" in t for t in texts)

        def encode(text: str) -> str:
            return _escape(html.escape(text, quote=False) if is_html else text)

        tags = " ".join(f"[tag:{tag.replace(']', chr(92) + ']')}]"
                        for tag in metadata_tags(record.difficulty, record.audience, record.status))
        lines = [f"// {tags}"]
        prefix = "[html]" if is_html else "[moodle]" if record.text.startswith(("//", "[")) else ""
        lines.append(f"{prefix}{encode(record.text)} {{")
        if is_true_false(record.choices, record.correct):
            lines.append("\tTRUE" if record.correct == [0] else "\tFALSE")
        else:
            several = len(record.correct) > 1
            for index, choice in enumerate(record.choices):
                is_correct = index in record.correct
                if several:
                    mark = f"~%{_weight(len(record.correct))}%" if is_correct else "~%-100%"
                elif choice.startswith("%"):
                    # An explicit weight stops a leading "%50%" in the text being read as one.
                    mark = "~%100%" if is_correct else "~%0%"
                else:
                    mark = "=" if is_correct else "~"
                lines.append(f"\t{mark}{encode(choice)}")
        feedback = feedback_lines(record.citation, record.explanation)
        if feedback:
            lines.append("\t####" + "\\n".join(encode(line) for line in feedback))
        lines.append("}")
        out.append("\n".join(lines) + "\n")
    return "\n".join(out)


def write_gift(records: list[QuestionRecord], path: str | Path) -> None:
    """Export records to a GIFT file (UTF-8)."""
    Path(path).write_text(format_gift(records), encoding="utf-8")

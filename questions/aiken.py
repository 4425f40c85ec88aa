"""Moodle Aiken text files: a question line, options "A." or "A)", then "ANSWER: B".

Aiken carries only the question, its options and one key: topic, difficulty, citation,
explanation, audience and status are not written, and a question with several keys cannot be
written at all (write_aiken raises ValueError naming them). Faults are located by line.
"""
import re
from pathlib import Path

from questions.records import (OPTION_LETTERS, ImportFailed, ImportIssue, QuestionRecord,
                               choice_faults, cleaned)
from questions.safety import MAX_FILE_BYTES, read_text, refuse
from questions.text import clean, fold

_OPTION = re.compile(r"^([A-Z])\s*[.)]\s+(.*)$")
_ANSWER = re.compile(r"^(?:answer|dap an)\s*:")


def looks_like_aiken(text: str) -> bool:
    """True when text has an "ANSWER: X" (or "Đáp án: X") line, the mark of Aiken; GIFT has none."""
    return any(re.match(r"^(?:answer|dap an)\s*:\s*[a-z]\s*$", fold(line)) for line in text.splitlines())


def parse_aiken(text: str) -> list[QuestionRecord]:
    """Records from Aiken text, or ImportFailed naming the line of every fault."""
    issues: list[ImportIssue] = []
    records: list[QuestionRecord] = []
    question: list[str] = []
    options: list[tuple[str, str]] = []
    start = 0

    def finish(line_number: int, answer: str) -> None:
        letters = [letter for letter, _ in options]
        if letters != [chr(ord("A") + index) for index in range(len(letters))]:
            issues.append(ImportIssue(start, "", f"phương án phải theo thứ tự A, B, C…, tệp ghi {', '.join(letters)}"))
            return
        key = answer.strip().upper()
        if not re.fullmatch(r"[A-Z]", key):
            issues.append(ImportIssue(line_number, "", f"“{answer.strip()}” không phải một chữ cái đáp án"))
            return
        choices = [clean(option) for _, option in options]
        correct = [ord(key) - ord("A")]
        faults = choice_faults(clean(" ".join(question)), choices, correct)
        for part, message in faults:
            issues.append(ImportIssue(line_number if part == "correct" else start, "", message))
        if not faults:
            records.append(QuestionRecord(text=clean(" ".join(question)), choices=choices,
                                          correct=correct, source_row=start))

    for number, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        # "Đáp án: B" is accepted as well as "ANSWER: B"; the key is read from the original line.
        answer = line.partition(":")[2] if _ANSWER.match(fold(line)) else None
        if not question:
            if answer is not None:
                issues.append(ImportIssue(number, "", "dòng đáp án không thuộc câu hỏi nào"))
                continue
            question, options, start = [line], [], number
            continue
        option = _OPTION.match(line)
        if answer is not None:
            finish(number, answer)
            question, options = [], []
        elif option:
            options.append((option.group(1), option.group(2)))
        elif options:
            # The previous question lost its answer line; this line starts the next question.
            issues.append(ImportIssue(start, "", "câu hỏi thiếu dòng “ANSWER: …” sau các phương án"))
            question, options, start = [line], [], number
        else:
            question.append(line)  # a question may run over several lines before its options
    if question:
        issues.append(ImportIssue(start, "", "câu hỏi thiếu dòng “ANSWER: …”"))
    if issues:
        raise ImportFailed(issues)
    if not records:
        raise refuse("tệp Aiken không có câu hỏi nào")
    return records


def read_aiken(path: str | Path, max_bytes: int = MAX_FILE_BYTES) -> list[QuestionRecord]:
    """Read an Aiken file (UTF-8)."""
    return parse_aiken(read_text(path, "Aiken", max_bytes))


def format_aiken(records: list[QuestionRecord]) -> str:
    """Aiken text for records with one key each; ValueError names any with several keys."""
    records = [cleaned(record) for record in records]
    several = [n for n, record in enumerate(records, start=1) if len(record.correct) != 1]
    if several:
        raise ValueError(f"định dạng Aiken chỉ ghi được câu có đúng một đáp án; "
                         f"câu {', '.join(map(str, several))} không thoả")
    too_many = [n for n, record in enumerate(records, start=1) if len(record.choices) > len(OPTION_LETTERS)]
    if too_many:
        raise ValueError(f"câu {', '.join(map(str, too_many))} có hơn {len(OPTION_LETTERS)} phương án")
    blocks = []
    for record in records:
        lines = [record.text]
        lines += [f"{OPTION_LETTERS[index]}. {choice}" for index, choice in enumerate(record.choices)]
        lines.append(f"ANSWER: {OPTION_LETTERS[record.correct[0]]}")
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


def write_aiken(records: list[QuestionRecord], path: str | Path) -> None:
    """Export records to an Aiken file (UTF-8); only text, options and the key survive."""
    Path(path).write_text(format_aiken(records), encoding="utf-8")

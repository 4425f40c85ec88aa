"""Question banks in spreadsheets (.xlsx): find the header row, map columns, read every row."""
import re
import string
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from questions.records import DIFFICULTY_BY_LABEL, ImportFailed, ImportIssue, QuestionRecord
from questions.text import clean, fold

MAX_OPTIONS = 6
OPTION_LETTERS = string.ascii_uppercase[:MAX_OPTIONS]
HEADER_SEARCH_ROWS = 20
MAX_FILE_BYTES = 20 * 1024 * 1024

# Folded header text -> field. Options are added below for A..F.
_HEADER_ALIASES = {
    "stt": "number", "so thu tu": "number", "tt": "number",
    "cau hoi": "text", "noi dung cau hoi": "text", "noi dung": "text",
    "dap an": "answer", "dap an dung": "answer", "phuong an dung": "answer",
    "chu de": "topic", "phan": "topic", "linh vuc": "topic",
    "muc do": "difficulty", "do kho": "difficulty",
    "can cu": "citation", "can cu phap ly": "citation", "nguon": "citation", "van ban": "citation",
    "giai thich": "explanation", "ghi chu": "explanation",
    "doi tuong": "audience",
}
for _letter in OPTION_LETTERS:
    for _prefix in ("", "phuong an ", "dap an ", "lua chon "):
        _HEADER_ALIASES[f"{_prefix}{_letter.lower()}"] = f"option_{_letter}"

COLUMN_LABELS = {"text": "Câu hỏi", "answer": "Đáp án", "difficulty": "Mức độ",
                 "citation": "Căn cứ", **{f"option_{x}": f"Phương án {x}" for x in OPTION_LETTERS}}


def header_field(value) -> str | None:
    """The field a header cell names, ignoring case, diacritics, spacing and notes in brackets."""
    text = fold(re.sub(r"\(.*?\)", " ", clean(value)))
    text = re.sub(r"[^a-z0-9/ ]", " ", text)
    text = " ".join(text.split())
    if text in _HEADER_ALIASES:
        return _HEADER_ALIASES[text]
    for part in text.split("/"):
        part = part.strip()
        if part in _HEADER_ALIASES:
            return _HEADER_ALIASES[part]
    return None


@dataclass
class _Layout:
    header_row: int
    columns: dict[str, int]


def _find_layout(rows: list[tuple]) -> _Layout | None:
    """Locate the header row among the first rows: it names the question, two options and the key."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        for col, cell in enumerate(row):
            name = header_field(cell)
            if name and name not in columns:
                columns[name] = col
        options = [name for name in columns if name.startswith("option_")]
        if "text" in columns and "answer" in columns and len(options) >= 2:
            return _Layout(header_row=index + 1, columns=columns)
    return None


def _cell_text(value) -> str:
    """Cell content as text: numbers lose a spurious ".0", text keeps leading zeros and formulas."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean(value)


def parse_answer(value: str, option_count: int) -> list[int] | str:
    """Answer key as option indices ("A", "A,C", "AC", "1"…"6"); a message if it cannot be read."""
    text = re.sub(r"ĐÁP ÁN|\bVÀ\b", " ", clean(value).upper()).strip()
    if not text:
        return "trống: cần chữ cái phương án đúng (A, B, …) hoặc số 1–6"
    tokens = re.findall(r"[A-Z]|\d+", text)
    if not tokens or re.sub(r"[\s,;/&+.\-]|[A-Z]|\d+", "", text):
        return f"“{value}” không phải đáp án hợp lệ (dùng chữ cái A–{OPTION_LETTERS[option_count - 1]} hoặc số)"
    indices = []
    for token in tokens:
        index = int(token) - 1 if token.isdigit() else ord(token) - ord("A")
        if not 0 <= index < option_count:
            return f"đáp án “{token}” không có phương án tương ứng (chỉ có {option_count} phương án)"
        if index not in indices:
            indices.append(index)
    return sorted(indices)


def read_rows(rows: list[tuple]) -> list[QuestionRecord]:
    """Turn sheet rows into records, or raise ImportFailed naming every faulty row and column."""
    layout = _find_layout(rows)
    if layout is None:
        raise ImportFailed([ImportIssue(0, "", "không tìm thấy dòng tiêu đề: cần các cột “Câu hỏi”, "
                                                 "ít nhất hai cột phương án (A, B…) và “Đáp án”")])
    cols = layout.columns
    issues: list[ImportIssue] = []
    records: list[QuestionRecord] = []
    option_fields = [f"option_{x}" for x in OPTION_LETTERS if f"option_{x}" in cols]

    def where(name: str) -> str:
        return f"{get_column_letter(cols[name] + 1)} ({COLUMN_LABELS.get(name, name)})"

    for offset, row in enumerate(rows[layout.header_row:], start=layout.header_row + 1):
        values = {name: _cell_text(row[col]) if col < len(row) else "" for name, col in cols.items()}
        if not any(values[name] for name in ["text", "answer", *option_fields]):
            continue  # blank rows and trailing notes without a question are skipped
        row_issues: list[ImportIssue] = []
        if not values["text"]:
            row_issues.append(ImportIssue(offset, where("text"), "thiếu nội dung câu hỏi"))
        choices = []
        seen_blank = None
        for name in option_fields:
            if values[name]:
                if seen_blank:
                    row_issues.append(ImportIssue(offset, where(seen_blank),
                                                  "phương án trống nằm giữa các phương án"))
                    seen_blank = None
                choices.append(values[name])
            elif seen_blank is None:
                seen_blank = name
        if len(choices) < 2:
            row_issues.append(ImportIssue(offset, where(option_fields[0]), "cần ít nhất hai phương án"))
        folded = [choice.casefold() for choice in choices]
        if len(set(folded)) != len(folded):
            row_issues.append(ImportIssue(offset, where(option_fields[0]), "có hai phương án trùng nhau"))
        answer = parse_answer(values["answer"], max(len(choices), 1))
        if isinstance(answer, str):
            row_issues.append(ImportIssue(offset, where("answer"), answer))
        difficulty = "medium"
        if values.get("difficulty"):
            difficulty = DIFFICULTY_BY_LABEL.get(fold(values["difficulty"]), "")
            if not difficulty:
                row_issues.append(ImportIssue(offset, where("difficulty"),
                                              f"“{values['difficulty']}” không phải Dễ, Trung bình hoặc Khó"))
        if row_issues:
            issues.extend(row_issues)
            continue
        records.append(QuestionRecord(
            text=values["text"], choices=choices, correct=answer,
            topic=values.get("topic", ""), difficulty=difficulty,
            citation=values.get("citation", ""), explanation=values.get("explanation", ""),
            audience=values.get("audience", ""), source_row=offset,
        ))
    if issues:
        raise ImportFailed(issues)
    if not records:
        raise ImportFailed([ImportIssue(0, "", "tệp không có câu hỏi nào dưới dòng tiêu đề")])
    return records


def read_xlsx(path: str | Path) -> list[QuestionRecord]:
    """Read the first sheet of an .xlsx bank; formulas are kept as their text, never evaluated."""
    path = Path(path)
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ImportFailed([ImportIssue(0, "", f"tệp lớn hơn {MAX_FILE_BYTES // (1024 * 1024)} MB")])
    try:
        workbook = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        raise ImportFailed([ImportIssue(0, "", f"không đọc được tệp .xlsx ({exc.__class__.__name__})")])
    try:
        sheet = workbook.worksheets[0]
        rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    return read_rows(rows)

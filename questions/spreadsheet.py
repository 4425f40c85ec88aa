"""Question banks in spreadsheets (.xlsx, .csv): find the header row, map columns, read every row.

Exports use the same Vietnamese headers, so an exported file imports again unchanged.
Formula injection: .xlsx exports store every text as a string cell (never a formula) and mark
text starting with = + - @ with Excel's quote prefix. .csv exports prefix such text with an
apostrophe, as OWASP advises; the reader drops that one apostrophe again, so a round trip keeps
the text exactly. Text that really starts with an apostrophe followed by one of = + - @ ' gets
a second apostrophe on export for the same reason.
"""
import csv
import re
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from questions.records import (DIFFICULTY_LABELS, MAX_OPTIONS, OPTION_LETTERS, STATUS_LABELS,
                               ImportFailed, ImportIssue, QuestionRecord, cleaned, letters, parse_difficulty,
                               parse_status)
from questions.safety import MAX_FILE_BYTES, refuse
from questions.sheets import FORMULA_STARTS, HEADER_SEARCH_ROWS, cell_text, csv_rows, xlsx_rows
from questions.text import clean, fingerprint, fold


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
    "trang thai": "status",
}
for _letter in OPTION_LETTERS:
    for _prefix in ("", "phuong an ", "dap an ", "lua chon "):
        _HEADER_ALIASES[f"{_prefix}{_letter.lower()}"] = f"option_{_letter}"
# Matching ignores spaces too, so "Phương ánA" and "Đáp  án" are recognised.
_HEADER_KEYS = {alias.replace(" ", ""): name for alias, name in _HEADER_ALIASES.items()}

COLUMN_LABELS = {"text": "Câu hỏi", "answer": "Đáp án", "difficulty": "Mức độ", "citation": "Căn cứ",
                 "topic": "Chủ đề", "explanation": "Giải thích", "audience": "Đối tượng",
                 "status": "Trạng thái", "number": "STT",
                 **{f"option_{x}": f"Phương án {x}" for x in OPTION_LETTERS}}


def header_field(value) -> str | None:
    """The field a header cell names, ignoring case, diacritics, spacing and notes in brackets."""
    text = fold(re.sub(r"\(.*?\)", " ", clean(value)))
    text = re.sub(r"[^a-z0-9/]", "", text)
    if text in _HEADER_KEYS:
        return _HEADER_KEYS[text]
    for part in text.split("/"):
        if part in _HEADER_KEYS:
            return _HEADER_KEYS[part]
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
        raise refuse("không tìm thấy dòng tiêu đề: cần các cột “Câu hỏi”, "
                     "ít nhất hai cột phương án (A, B…) và “Đáp án”")
    cols = layout.columns
    issues: list[ImportIssue] = []
    records: list[QuestionRecord] = []
    option_fields = [f"option_{x}" for x in OPTION_LETTERS if f"option_{x}" in cols]

    def where(name: str) -> str:
        return f"{get_column_letter(cols[name] + 1)} ({COLUMN_LABELS.get(name, name)})"

    examples = 0
    for offset, row in enumerate(rows[layout.header_row:], start=layout.header_row + 1):
        values = {name: cell_text(row[col]) if col < len(row) else "" for name, col in cols.items()}
        if not any(values[name] for name in ["text", "answer", *option_fields]):
            continue  # blank rows and trailing notes without a question are skipped
        if is_example(values.get("number", ""), values["text"], [values[name] for name in option_fields if values[name]]):
            examples += 1
            continue
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
        difficulty = parse_difficulty(values.get("difficulty", ""))
        if difficulty is None:
            row_issues.append(ImportIssue(offset, where("difficulty"),
                                          f"“{values['difficulty']}” không phải Dễ, Trung bình hoặc Khó"))
        status = parse_status(values.get("status", ""))
        if status is None:
            row_issues.append(ImportIssue(offset, where("status"),
                                          f"“{values['status']}” không phải Nháp, Đã duyệt hoặc Ngừng dùng"))
        if row_issues:
            issues.extend(row_issues)
            continue
        records.append(QuestionRecord(
            text=values["text"], choices=choices, correct=answer,
            topic=values.get("topic", ""), difficulty=difficulty,
            citation=values.get("citation", ""), explanation=values.get("explanation", ""),
            audience=values.get("audience", ""), status=status or None, source_row=offset,
        ))
    if issues:
        raise ImportFailed(issues)
    if not records:
        raise refuse("tệp chỉ có dòng ví dụ của tệp mẫu (cột STT ghi “Ví dụ”): hãy thêm câu hỏi vào các dòng dưới"
                     if examples else "tệp không có câu hỏi nào dưới dòng tiêu đề")
    return records


# The template's example rows say so in their STT cell; they are never imported.
EXAMPLE_MARK = "Ví dụ"


def is_example(number: str, text: str, choices: list[str]) -> bool:
    """True for a template's example row: "Ví dụ" in the STT column, or the template's example question
    itself (templates downloaded before the mark existed numbered it 1)."""
    return fold(number).replace(" ", "").startswith(("vidu", "vd")) \
        or fingerprint(text, choices) == fingerprint(TEMPLATE_EXAMPLE.text, TEMPLATE_EXAMPLE.choices)


def _layout_score(rows: list[tuple]) -> int:
    layout = _find_layout(rows)
    return len(layout.columns) if layout else 0


def read_xlsx(path: str | Path, max_bytes: int = MAX_FILE_BYTES) -> list[QuestionRecord]:
    """Read the sheet that holds the questions; formulas are kept as their text, never evaluated."""
    return read_rows(xlsx_rows(path, max_bytes, _layout_score, "câu hỏi", "một ngân hàng câu hỏi"))


def _guard(value: str) -> str:
    """Prefix text Excel would run as a formula (or an already guarded-looking text) with "'"."""
    if value.startswith(FORMULA_STARTS) or (value[:1] == "'" and value[1:2] in (*FORMULA_STARTS, "'")):
        return "'" + value
    return value


def read_csv(path: str | Path, max_bytes: int = MAX_FILE_BYTES) -> list[QuestionRecord]:
    """Read a .csv bank in UTF-8 (BOM optional) or UTF-16 with BOM; the delimiter , ; or tab is sniffed."""
    return read_rows(csv_rows(path, max_bytes, _layout_score, "một ngân hàng câu hỏi"))


def _headers(option_count: int) -> list[tuple[str, str]]:
    return [("number", "STT"), ("topic", "Chủ đề"), ("text", "Câu hỏi"),
            *[(f"option_{x}", f"Phương án {x}") for x in OPTION_LETTERS[:option_count]],
            ("answer", "Đáp án"), ("citation", "Căn cứ"), ("difficulty", "Mức độ"),
            ("explanation", "Giải thích"), ("audience", "Đối tượng"), ("status", "Trạng thái")]


def _option_count(records: list[QuestionRecord]) -> int:
    return min(MAX_OPTIONS, max([4, *(len(record.choices) for record in records)]))


def _row_values(number: int | str, record: QuestionRecord, option_count: int) -> list:
    record = cleaned(record)
    choices = record.choices + [""] * (option_count - len(record.choices))
    return [number, record.topic, record.text, *choices, letters(record.correct), record.citation,
            DIFFICULTY_LABELS.get(record.difficulty, ""), record.explanation, record.audience,
            STATUS_LABELS.get(record.status or "", "")]


_WIDTHS = {"number": 6, "topic": 22, "text": 60, "answer": 9, "citation": 36, "difficulty": 12,
           "explanation": 40, "audience": 12, "status": 12}


def _sheet_rows(records: list[QuestionRecord]) -> tuple[list[tuple[str, str]], list[list]]:
    too_many = [n for n, record in enumerate(records, start=1) if len(record.choices) > MAX_OPTIONS]
    if too_many:
        raise ValueError(f"câu {', '.join(map(str, too_many))} có hơn {MAX_OPTIONS} phương án")
    option_count = _option_count(records)
    headers = _headers(option_count)
    return headers, [_row_values(n, record, option_count) for n, record in enumerate(records, start=1)]


def _write_workbook(path: str | Path, headers: list[tuple[str, str]], rows: list[list],
                    with_lists: bool = False, example_rows: int = 0) -> None:
    """Write one sheet; every text is a string cell so nothing is ever evaluated as a formula."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Câu hỏi")
    sheet.freeze_panes = "A2"
    for col, (name, _label) in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = _WIDTHS.get(name, 28)
    if with_lists:
        last = 1000
        for name, values in (("difficulty", DIFFICULTY_LABELS.values()), ("status", STATUS_LABELS.values())):
            col = get_column_letter([n for n, _ in headers].index(name) + 1)
            validation = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True)
            validation.add(f"{col}2:{col}{last}")
            sheet.data_validations.append(validation)
    bold = Font(bold=True)

    def cell(value, font=None):
        written = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            written.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
            if value.startswith(FORMULA_STARTS):
                written.quotePrefix = True  # Excel keeps it text even when the cell is edited
        if font:
            written.font = font
        return written

    sheet.append([cell(label, bold) for _name, label in headers])
    example = Font(italic=True, color="777777")
    for index, row in enumerate(rows):
        sheet.append([cell(value, example if index < example_rows else None) for value in row])
    workbook.save(path)


def write_xlsx(records: list[QuestionRecord], path: str | Path) -> None:
    """Export records to .xlsx with the Vietnamese headers the importer reads."""
    headers, rows = _sheet_rows(records)
    _write_workbook(path, headers, rows)


def write_csv(records: list[QuestionRecord], path: str | Path) -> None:
    """Export records to .csv in UTF-8 with BOM (so Excel shows Vietnamese), comma separated."""
    headers, rows = _sheet_rows(records)
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([label for _name, label in headers])
        for row in rows:
            writer.writerow([_guard(value) if isinstance(value, str) else value for value in row])


TEMPLATE_EXAMPLE = QuestionRecord(
    text="Theo Nghị định 63/2010/NĐ-CP, “thủ tục hành chính” được hiểu là:",
    choices=["Trình tự, cách thức thực hiện, hồ sơ và yêu cầu, điều kiện do cơ quan nhà nước, người có "
             "thẩm quyền quy định để giải quyết một công việc cụ thể liên quan đến cá nhân, tổ chức",
             "Các loại phí, lệ phí mà cá nhân, tổ chức phải nộp khi đề nghị cơ quan nhà nước giải quyết công việc",
             "Quy chế làm việc do thủ trưởng cơ quan ban hành để phân công nhiệm vụ cho cán bộ, công chức",
             "Toàn bộ quy trình xử lý văn bản đến, văn bản đi trong nội bộ cơ quan hành chính nhà nước"],
    correct=[0], topic="Quy định chung", difficulty="easy",
    citation="Khoản 1 Điều 3 Nghị định 63/2010/NĐ-CP",
    explanation="Định nghĩa tại khoản 1 Điều 3 Nghị định 63/2010/NĐ-CP.", audience="CBCCVC",
    status="approved")


def blank_template_xlsx(path: str | Path) -> None:
    """Write the organisers' template: the header row, one example row (marked “Ví dụ” in the STT
    column, in grey italics: never imported), drop-down lists for labels."""
    headers = _headers(4)
    _write_workbook(path, headers, [_row_values(EXAMPLE_MARK, TEMPLATE_EXAMPLE, 4)], with_lists=True, example_rows=1)

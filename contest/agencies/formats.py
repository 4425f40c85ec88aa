"""Agency lists in spreadsheets (.xlsx, .csv): find the header row, map the columns, read every row.

Pure Python, no database: the rows come back as text with their row number and column letters, and
the rules (required values, unique codes, headcounts, parents, cycles) are checked by
`contest.agencies.services.import_agencies`, which sees the database too and so can report every
fault of a file in one list. Files go through the same guards as question banks (size, zip bombs,
encoding, formula prefixes).

Columns, matched without case, diacritics or spacing (notes in brackets are ignored):
Mã đơn vị (required) | Tên đơn vị (required) | Mã đơn vị cấp trên | Biên chế / Số biên chế | Khối.
"""
import re
from dataclasses import dataclass, field
from pathlib import Path

from questions.lazy import deferred
from questions.safety import MAX_FILE_BYTES, refuse
from questions.sheets import HEADER_SEARCH_ROWS, cell_text, csv_rows, xlsx_rows
from questions.text import clean, fold

# openpyxl loads on first use, not in every web worker (see questions.lazy).
get_column_letter = deferred("openpyxl.utils:get_column_letter")

REQUIRED_FIELDS = ("code", "name")
MAX_HEADCOUNT = 1_000_000
FIELD_LABELS = {"code": "Mã đơn vị", "name": "Tên đơn vị", "parent_code": "Mã đơn vị cấp trên",
                "headcount": "Biên chế", "group_name": "Khối"}
# Folded header text, without spaces -> field.
_HEADER_KEYS = {alias.replace(" ", ""): name for alias, name in {
    "ma don vi": "code", "ma dv": "code", "ma": "code", "ma co quan": "code",
    "ten don vi": "name", "ten dv": "name", "ten": "name", "ten co quan": "name", "don vi": "name",
    "ma don vi cap tren": "parent_code", "ma dv cap tren": "parent_code", "ma cap tren": "parent_code",
    "ma co quan cap tren": "parent_code",
    "bien che": "headcount", "so bien che": "headcount", "tong bien che": "headcount",
    "khoi": "group_name", "khoi thi dua": "group_name", "khoi xep hang": "group_name",
}.items()}
# "1.200" and "1 200" are how Vietnamese writes 1200; "12,5" is a decimal and refused.
_GROUPED_DIGITS = re.compile(r"\d{1,3}([., ])\d{3}(?:\1\d{3})*")


@dataclass(frozen=True)
class AgencyRow:
    """One agency as a file gives it: cleaned text, and where it was found.

    `parent_code` is None when the file has no parent column (parents stay as they are);
    `headcount` and `group_name` are "" when the cell is blank or the column absent (kept as they are).
    """

    code: str
    name: str
    parent_code: str | None = None
    headcount: str = ""
    group_name: str = ""
    row: int = 0
    # Field -> "C (Mã đơn vị cấp trên)", for messages; rows built by hand fall back to the label.
    columns: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def where(self, name: str) -> str:
        """The column a field came from, as messages name it."""
        return self.columns.get(name, FIELD_LABELS[name])


def header_field(value) -> str | None:
    """The field a header cell names, ignoring case, diacritics, spacing and notes in brackets."""
    text = re.sub(r"[^a-z0-9/]", "", fold(re.sub(r"\(.*?\)", " ", clean(value))))
    if text in _HEADER_KEYS:
        return _HEADER_KEYS[text]
    # "Biên chế / Số biên chế": either name will do.
    names = {_HEADER_KEYS[part] for part in text.split("/") if part in _HEADER_KEYS}
    return names.pop() if len(names) == 1 else None


def parse_headcount(text: str) -> int | None:
    """A headcount cell as a non-negative integer (None when blank); ValueError with a Vietnamese message."""
    text = clean(text)
    if not text:
        return None
    sign, digits = re.fullmatch(r"([+-]?)\s*(.*)", text).groups()
    if _GROUPED_DIGITS.fullmatch(digits):
        digits = re.sub(r"[., ]", "", digits)
    if not (digits.isascii() and digits.isdigit()):
        raise ValueError(f"“{text}” không phải số nguyên không âm")
    value = int(digits)
    if sign == "-" and value > 0:
        raise ValueError(f"“{text}” là số âm: biên chế không được âm")
    if value > MAX_HEADCOUNT:
        raise ValueError(f"“{text}” quá lớn cho biên chế của một đơn vị")
    return value


def _find_header(rows: list[tuple]) -> tuple[int, dict[str, int]] | None:
    """(row index, field -> column index) of the first row naming both the code and the name."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        for col, cell in enumerate(row):
            name = header_field(cell)
            if name and name not in columns:
                columns[name] = col
        if all(name in columns for name in REQUIRED_FIELDS):
            return index, columns
    return None


def read_rows(rows: list[tuple]) -> list[AgencyRow]:
    """Turn sheet rows into AgencyRows; ImportFailed only when the file has no usable header or no row."""
    found = _find_header(rows)
    if found is None:
        raise refuse("không tìm thấy dòng tiêu đề: cần ít nhất các cột “Mã đơn vị” và “Tên đơn vị”")
    header_index, columns = found
    where = {name: f"{get_column_letter(col + 1)} ({FIELD_LABELS[name]})" for name, col in columns.items()}
    agencies: list[AgencyRow] = []
    for number, row in enumerate(rows[header_index + 1:], start=header_index + 2):
        values = {name: cell_text(row[col]) if col < len(row) else "" for name, col in columns.items()}
        if not any(values.values()):
            continue  # blank rows between blocks of agencies
        agencies.append(AgencyRow(
            code=values["code"], name=values["name"],
            parent_code=values["parent_code"] if "parent_code" in columns else None,
            headcount=values.get("headcount", ""), group_name=values.get("group_name", ""),
            row=number, columns=where))
    if not agencies:
        raise refuse("tệp không có đơn vị nào dưới dòng tiêu đề")
    return agencies


def _header_score(rows: list[tuple]) -> int:
    found = _find_header(rows)
    return len(found[1]) if found else 0


def read_xlsx(path: str | Path, max_bytes: int = MAX_FILE_BYTES) -> list[AgencyRow]:
    """Read the sheet that lists the agencies; formulas are kept as their text, never evaluated."""
    return read_rows(xlsx_rows(path, max_bytes, _header_score, "danh sách đơn vị", "một danh sách đơn vị"))


def read_csv(path: str | Path, max_bytes: int = MAX_FILE_BYTES) -> list[AgencyRow]:
    """Read a .csv in UTF-8 (BOM optional) or UTF-16 with BOM; the delimiter , ; or tab is sniffed."""
    return read_rows(csv_rows(path, max_bytes, _header_score, "một danh sách đơn vị"))


READERS = {".xlsx": read_xlsx, ".csv": read_csv}


def read_agencies(path: str | Path, max_bytes: int = MAX_FILE_BYTES) -> list[AgencyRow]:
    """Read an agency list, the format chosen by the extension (.xlsx or .csv)."""
    reader = READERS.get(Path(path).suffix.lower())
    if reader is None:
        raise refuse(f"không nhận dạng được tệp “{Path(path).name}”: danh sách đơn vị cần là .xlsx hoặc .csv")
    return reader(path, max_bytes)

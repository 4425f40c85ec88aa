"""Rows from a spreadsheet or CSV file that holds one list under a header row, read safely.

Shared by every import that takes such a file (question banks, the agency tree): size and zip
checks, one sheet only, a row limit, the CSV delimiter chosen by which one reveals the most known
columns, and the export's formula guard undone.
"""
import csv
import io
from collections.abc import Callable
from pathlib import Path

from questions.lazy import deferred
from questions.records import ImportFailed
from questions.safety import check_zip, read_text, refuse, unreadable
from questions.text import clean

HEADER_SEARCH_ROWS = 20
MAX_ROWS = 100_000
# Far more than any layout has (a bank uses about 20 columns, an agency list fewer).
MAX_COLUMNS = 200
# What a header finder returns for some rows: how many known columns their header row names (0: none).
HeaderScore = Callable[[list[tuple]], int]
FORMULA_STARTS = ("=", "+", "-", "@")
# openpyxl loads when a workbook is first read, not in every web worker (see questions.lazy).
load_workbook = deferred("openpyxl:load_workbook")


def cell_text(value) -> str:
    """Cell content as text: numbers lose a spurious ".0", text keeps leading zeros and formulas."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean(value)


def unguard(value: str) -> str:
    """Undo the apostrophe the CSV export puts before text Excel would take as a formula."""
    value = value.strip()
    if value[:1] == "'" and value[1:2] in (*FORMULA_STARTS, "'"):
        return value[1:]
    return value


def _too_many_rows(container: str) -> ImportFailed:
    return refuse(f"tệp có hơn {MAX_ROWS:,} dòng".replace(",", ".") + f", quá lớn cho {container}")


def xlsx_rows(path: str | Path, max_bytes: int, header_score: HeaderScore, content: str,
              container: str) -> list[tuple]:
    """The rows of the one sheet whose header names known columns (or the first sheet); formulas stay text.

    content and container word the faults: "nhiều trang tính có {content}", "quá lớn cho {container}".
    """
    check_zip(path, ".xlsx", max_bytes)
    try:
        workbook = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        raise unreadable(exc, ".xlsx")
    try:
        for sheet in workbook.worksheets:
            # The sheet's declared dimension (A1:XFD1048576 in a hostile file) would pad every row to its
            # width: 16,384 cells a row, 126 kB. Rows are read as long as their last stored cell instead.
            sheet.reset_dimensions()
        sheets = [sheet for sheet in workbook.worksheets if header_score(
            [_trimmed(row, index) for index, row in enumerate(
                sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True), start=1)])]
        if len(sheets) > 1:
            names = ", ".join(f"“{sheet.title}”" for sheet in sheets)
            # Reading only one would silently drop the others' rows.
            raise refuse(f"nhiều trang tính có {content} ({names}): hãy gộp vào một trang tính")
        sheet = sheets[0] if sheets else workbook.worksheets[0]
        rows = []
        for index, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if len(rows) >= MAX_ROWS:
                raise _too_many_rows(container)
            rows.append(_trimmed(row, index))
    except ImportFailed:
        raise
    except Exception as exc:  # a damaged sheet only shows itself while rows are read
        raise unreadable(exc, ".xlsx")
    finally:
        workbook.close()
    return rows


def _trimmed(row: tuple, number: int) -> tuple:
    """The row without its trailing empty cells; refused if a value lies beyond MAX_COLUMNS (a stored cell far
    to the right would otherwise make every such row thousands of cells wide).

    A row padded out to a stored but empty cell in the last column (XFD) is 16,384 cells: what lies beyond
    MAX_COLUMNS is checked by C loops (count, set), not stepped through one cell at a time (3,000 such rows
    took 5 s of CPU so)."""
    end = len(row)
    if end > MAX_COLUMNS:
        tail = row[MAX_COLUMNS:]
        if tail.count(None) != len(tail) and not set(tail) <= {None, ""}:
            while row[end - 1] is None or row[end - 1] == "":
                end -= 1
            raise refuse(f"dòng {number} có dữ liệu ở cột {end}, quá {MAX_COLUMNS} cột: hãy xoá các cột thừa")
        end = MAX_COLUMNS
    while end and (row[end - 1] is None or row[end - 1] == ""):
        end -= 1
    return tuple(row[:end])


def csv_rows(path: str | Path, max_bytes: int, header_score: HeaderScore, container: str) -> list[tuple]:
    """The rows of a .csv in UTF-8 (BOM optional) or UTF-16 with BOM; the delimiter , ; or tab is the
    one whose header names the most known columns."""
    text = read_text(path, ".csv", max_bytes)
    best: tuple[int, list[tuple]] | None = None
    broken_at = 0
    for delimiter in (",", ";", "\t"):
        rows = []
        try:
            for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
                if len(rows) >= MAX_ROWS:
                    raise _too_many_rows(container)
                rows.append(_trimmed(tuple(unguard(cell) for cell in row), len(rows) + 1))
        except csv.Error:
            broken_at = broken_at or len(rows) + 1
            continue  # another delimiter may still read the file
        score = header_score(rows)
        if best is None or score > best[0]:
            best = (score, rows)
    if best is None:
        raise refuse(f"không đọc được tệp .csv ở dòng {broken_at} (dấu ngoặc kép lệch hoặc ô quá dài)")
    return best[1]

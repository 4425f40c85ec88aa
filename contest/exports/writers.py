"""Writing a table of typed columns as .csv (UTF-8 with BOM, for Excel) or .xlsx."""
import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from contest.clock import display_zone

from contest.exports.cells import csv_safe
from questions.lazy import deferred

# "seconds": a duration in seconds with its milliseconds (95.5 → 95,500), a number a spreadsheet sorts;
# "datetime": a moment, written as a real date cell in the display zone (dd/mm/yyyy hh:mm:ss).
KINDS = ("text", "integer", "decimal", "percent", "seconds", "datetime")
NUMBER_FORMATS = {"decimal": "0.00", "percent": "0.0%", "seconds": "0.000", "datetime": "dd/mm/yyyy hh:mm:ss"}
NOTES_SHEET = "Thông tin"
SHEET_NAME_LIMIT = 31
FORMATS = {".xlsx": "xlsx", ".csv": "csv"}
MIMETYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "csv": "text/csv; charset=utf-8"}
# The .xlsx side (openpyxl) lives in contest.exports.workbook and loads on the first export, not
# in every web worker (see questions.lazy).
xlsx_bytes = deferred("contest.exports.workbook:xlsx_bytes")
text_cell = deferred("contest.exports.workbook:text_cell")


@dataclass(frozen=True)
class Column:
    """A column: its Vietnamese header, what its values are, and its width in characters."""

    header: str
    kind: str = "text"
    width: float = 16

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


@dataclass
class Table:
    """Rows of values under typed columns; `name` becomes the sheet's name.

    notes: what the table is, as (label, value) lines — the view, the moment it reflects, the
    signatures; a value may be a datetime (a date cell in .xlsx). In .csv they come first, then a
    blank line, then the header; in .xlsx they fill a second sheet, "Thông tin".
    """

    name: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    notes: list[tuple[str, object]] = field(default_factory=list)


def local_moment(value: datetime) -> datetime:
    """A UTC instant as a naive datetime in the display zone: what a spreadsheet's date cell holds."""
    return value.astimezone(display_zone()).replace(tzinfo=None)


def _csv_value(value, kind: str) -> str:
    """A value as CSV text, numbers written the Vietnamese way (decimal comma)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return local_moment(value).strftime("%d/%m/%Y %H:%M:%S")
    if kind == "seconds":
        return f"{value:.3f}".replace(".", ",")
    if kind == "percent":
        return f"{value * 100:.1f}".replace(".", ",") + "%"
    if kind == "decimal":
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, str):
        return csv_safe(value)
    return str(value)


def csv_bytes(table: Table) -> bytes:
    """The table as CSV in UTF-8 with a BOM, so Excel reads the diacritics right."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    if table.notes:
        for label, value in table.notes:
            writer.writerow([csv_safe(label), _csv_value(value, "text")])
        writer.writerow([])
    writer.writerow([csv_safe(column.header) for column in table.columns])
    for row in table.rows:
        writer.writerow([_csv_value(value, column.kind) for value, column in zip(row, table.columns, strict=True)])
    return buffer.getvalue().encode("utf-8-sig")


def sheet_name(name: str) -> str:
    """A name Excel accepts for a sheet: no []:*?/\\ and at most 31 characters."""
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in name).strip() or "Trang tính"
    return cleaned[:SHEET_NAME_LIMIT]


def format_for(path: str | Path) -> str:
    """"xlsx" or "csv" from a file name's extension; ValueError for anything else."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"chỉ xuất được tệp .xlsx hoặc .csv, không phải “{suffix or Path(path).name}”")
    return FORMATS[suffix]


def table_bytes(table: Table, file_format: str) -> bytes:
    """The table encoded as "xlsx" or "csv"."""
    return xlsx_bytes(table) if file_format == "xlsx" else csv_bytes(table)

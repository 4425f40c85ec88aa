"""Writing a table of typed columns as .csv (UTF-8 with BOM, for Excel) or .xlsx."""
import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from contest.exports.cells import csv_safe, is_formula_like

KINDS = ("text", "integer", "decimal", "percent")
NUMBER_FORMATS = {"decimal": "0.00", "percent": "0.0%"}
SHEET_NAME_LIMIT = 31
FORMATS = {".xlsx": "xlsx", ".csv": "csv"}
MIMETYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "csv": "text/csv; charset=utf-8"}


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
    """Rows of values under typed columns; `name` becomes the sheet's name."""

    name: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)


def _csv_value(value, kind: str) -> str:
    """A value as CSV text, numbers written the Vietnamese way (decimal comma)."""
    if value is None:
        return ""
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
    writer.writerow([csv_safe(column.header) for column in table.columns])
    for row in table.rows:
        writer.writerow([_csv_value(value, column.kind) for value, column in zip(row, table.columns, strict=True)])
    return buffer.getvalue().encode("utf-8-sig")


def text_cell(sheet, value: str) -> WriteOnlyCell:
    """A string cell that is never a formula; formula-like text also gets Excel's quote prefix."""
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
    if is_formula_like(value):
        cell.quotePrefix = True  # Excel keeps it text even when the cell is edited
    return cell


def sheet_name(name: str) -> str:
    """A name Excel accepts for a sheet: no []:*?/\\ and at most 31 characters."""
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in name).strip() or "Trang tính"
    return cleaned[:SHEET_NAME_LIMIT]


def xlsx_bytes(table: Table) -> bytes:
    """The table as a one-sheet workbook: bold frozen header, typed numbers, text never a formula."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name(table.name))
    sheet.freeze_panes = "A2"
    for index, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    bold = Font(bold=True)
    header = []
    for column in table.columns:
        cell = text_cell(sheet, column.header)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        cells = []
        for value, column in zip(row, table.columns, strict=True):
            if isinstance(value, str):
                cells.append(text_cell(sheet, value))
                continue
            cell = WriteOnlyCell(sheet, value=value)
            if column.kind in NUMBER_FORMATS:
                cell.number_format = NUMBER_FORMATS[column.kind]
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def format_for(path: str | Path) -> str:
    """"xlsx" or "csv" from a file name's extension; ValueError for anything else."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"chỉ xuất được tệp .xlsx hoặc .csv, không phải “{suffix or Path(path).name}”")
    return FORMATS[suffix]


def table_bytes(table: Table, file_format: str) -> bytes:
    """The table encoded as "xlsx" or "csv"."""
    return xlsx_bytes(table) if file_format == "xlsx" else csv_bytes(table)

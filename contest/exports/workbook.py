"""Writing a table as .xlsx, for contest.exports.writers (which loads this module on the first
.xlsx export: openpyxl is heavy)."""
import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from contest.exports.cells import is_formula_like
from datetime import datetime

from contest.exports.writers import NOTES_SHEET, NUMBER_FORMATS, Table, local_moment, sheet_name


def text_cell(sheet, value: str) -> WriteOnlyCell:
    """A string cell that is never a formula; formula-like text also gets Excel's quote prefix."""
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
    if is_formula_like(value):
        cell.quotePrefix = True  # Excel keeps it text even when the cell is edited
    return cell


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
            cell = WriteOnlyCell(sheet, value=local_moment(value) if isinstance(value, datetime) else value)
            if column.kind in NUMBER_FORMATS:
                cell.number_format = NUMBER_FORMATS[column.kind]
            cells.append(cell)
        sheet.append(cells)
    if table.notes:
        notes = workbook.create_sheet(NOTES_SHEET)
        notes.column_dimensions["A"].width, notes.column_dimensions["B"].width = 34, 80
        for label, value in table.notes:
            if isinstance(value, datetime):
                cell = WriteOnlyCell(notes, value=local_moment(value))
                cell.number_format = NUMBER_FORMATS["datetime"]
            else:
                cell = text_cell(notes, "" if value is None else str(value)) if not isinstance(value, (int, float)) \
                    else WriteOnlyCell(notes, value=value)
            notes.append([text_cell(notes, label), cell])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

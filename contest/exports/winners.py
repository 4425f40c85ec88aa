"""The winners list (Danh sách đạt giải) as a workbook ready to print and sign."""
import io
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from contest.clock import duration_labels, format_datetime
from contest.exports.cells import is_formula_like

SHEET_TITLE = "Danh sách đạt giải"
HEADER_ROW = 2
WINNER_COLUMNS = [("STT", 6), ("Giải", 14), ("Hạng", 7), ("Họ và tên", 28), ("Đơn vị", 44), ("Điểm", 9),
                  ("Thời gian làm bài", 18), ("Nộp lúc", 17)]
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _when(value) -> str:
    """dd/mm/yyyy HH:MM in the display zone, from a datetime or the ISO text of a snapshot."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if value.tzinfo is None:
        return value.strftime("%d/%m/%Y %H:%M")  # a naive value is taken as already local
    return format_datetime(value)


def _score(row: dict) -> str:
    score, max_score = row.get("score"), row.get("max_score")
    if score is None:
        return ""
    return f"{score}/{max_score}" if max_score is not None else str(score)


def _set(cell, value) -> None:
    """Put a value in a cell; text is always a string cell, quote-prefixed if formula-like."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if is_formula_like(value):
            cell.quotePrefix = True


def winners_workbook(rows: list[dict], title: str) -> Workbook:
    """The winners as a print-ready sheet: title row, bordered table, landscape A4, header on every page.

    `rows` are dicts with prize, rank, full_name, agency, score, max_score, duration_ms and
    submitted_at (a datetime or ISO text); missing keys leave the cell empty.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    last_column = get_column_letter(len(WINNER_COLUMNS))

    _set(sheet.cell(row=1, column=1), title)
    sheet.merge_cells(f"A1:{last_column}1")
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.row_dimensions[1].height = 36

    header_fill = PatternFill("solid", fgColor="E7E6E6")
    for index, (label, width) in enumerate(WINNER_COLUMNS, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=index)
        _set(cell, label)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(index)].width = width

    times = duration_labels(row.get("duration_ms") for row in rows)
    for number, row in enumerate(rows, start=1):
        values = [number, row.get("prize") or "", row.get("rank"), row.get("full_name") or "",
                  row.get("agency") or "", _score(row), times[number - 1],
                  _when(row.get("submitted_at"))]
        for index, value in enumerate(values, start=1):
            cell = sheet.cell(row=HEADER_ROW + number, column=index)
            _set(cell, value)
            cell.border = _BORDER
            is_long = WINNER_COLUMNS[index - 1][0] in ("Họ và tên", "Đơn vị")
            cell.alignment = Alignment(horizontal="left" if is_long else "center", vertical="center",
                                       wrap_text=is_long)

    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=1)
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.print_area = f"A1:{last_column}{HEADER_ROW + max(len(rows), 1)}"
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.oddFooter.center.text = "Trang &P/&N"
    return workbook


def workbook_bytes(workbook: Workbook) -> bytes:
    """A workbook saved to bytes, for a download or a file."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

"""Spreadsheet cell safety: text a spreadsheet would run as a formula stays text.

OWASP's advice for CSV injection: a cell starting with = + - @ (or a tab or carriage return,
which some spreadsheets skip before reading a formula) is written with a leading apostrophe in
CSV, and as a string cell with Excel's quote prefix in .xlsx, so opening the file runs nothing.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: object) -> bool:
    """True for text a spreadsheet could take as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_safe(value: str) -> str:
    """Text for a CSV cell: an apostrophe before anything formula-like."""
    return "'" + value if is_formula_like(value) else value

"""Text of a Word (.docx) legal document, for questions.legal_readers (which loads this module on
first use: python-docx and lxml are heavy)."""
import io
import zipfile

from docx import Document
from docx.table import Table

from questions.legal_readers import (MAX_COMPRESSION_RATIO, MAX_UNZIPPED_BYTES, UnreadableLegalText,
                                     normal_text)


def docx_text(data: bytes) -> str:
    """Paragraphs and table rows of a Word document in document order, one paragraph a line."""
    _check_zip(data)
    try:
        document = Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises several unrelated types for a damaged file
        raise UnreadableLegalText("Tệp .docx bị hỏng hoặc không phải tài liệu Word.") from error
    blocks = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            blocks.extend(_table_rows(block))
        elif block.text.strip():
            blocks.append(block.text)
    # A blank line between paragraphs, as in Markdown, tells the parser where paragraphs end.
    return normal_text("\n\n".join(blocks))


def _table_rows(table) -> list[str]:
    """Each row as "| cell | cell |", merged cells once, a cell's paragraphs joined by spaces."""
    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            # A merged cell is returned once for every grid column it spans.
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(cell.text.replace("|", "/").split()))
        if any(cells):
            rows.append("| " + " | ".join(cells) + " |")
    return rows


def _check_zip(data: bytes) -> None:
    """Refuse a .docx whose parts would inflate beyond the limits before anything unzips it.

    The declared sizes can be trusted as a bound: zipfile never inflates an entry past them."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except zipfile.BadZipFile as error:
        raise UnreadableLegalText("Tệp .docx bị hỏng hoặc không phải tài liệu Word.") from error
    unzipped = sum(entry.file_size for entry in entries)
    zipped = sum(entry.compress_size for entry in entries)
    if unzipped > MAX_UNZIPPED_BYTES or unzipped > MAX_COMPRESSION_RATIO * max(zipped, 1):
        raise UnreadableLegalText("Tệp .docx có nội dung nén bất thường (giải nén quá lớn) nên "
                                  "không được mở.")

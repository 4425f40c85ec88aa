"""Text of a legal document from the files organisers have: Word (.docx), plain text or Markdown,
and PDF with a text layer. Every reader returns NFC text ready for questions.legal."""
import io
import unicodedata
import zipfile
from pathlib import Path

from docx import Document
from docx.table import Table
from pypdf import PdfReader
from pypdf.errors import PdfReadError

MAX_FILE_BYTES = 20 * 1024 * 1024
# A .docx is a zip: refuse archives that would inflate past these limits (a "zip bomb").
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
# Fewer letters than this in a whole PDF means there is no usable text layer.
MIN_PDF_LETTERS = 20

SUFFIXES = (".docx", ".txt", ".md", ".pdf")


class UnreadableLegalText(ValueError):
    """A legal-text file that cannot be read; the message is Vietnamese, for the uploader."""


def read_legal_file(path: str | Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read a .docx, .txt, .md or .pdf file into NFC text, refusing files over max_bytes."""
    path = Path(path)
    size = path.stat().st_size
    _check_size(size, max_bytes)
    return read_legal_bytes(path.read_bytes(), path.name, max_bytes)


def read_legal_bytes(data: bytes, filename: str, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read an uploaded file's bytes, choosing the reader by the file name's extension."""
    _check_size(len(data), max_bytes)
    suffix = Path(filename).suffix.lower()
    if suffix == ".docx":
        return docx_text(data)
    if suffix in (".txt", ".md"):
        return plain_text(data)
    if suffix == ".pdf":
        return pdf_text(data)
    if suffix == ".doc":
        raise UnreadableLegalText("Tệp .doc (Word 97–2003) chưa được hỗ trợ: hãy mở bằng Word và "
                                  "lưu lại dưới dạng .docx.")
    raise UnreadableLegalText(f"Không đọc được tệp “{filename}”: chỉ nhận .docx, .txt, .md hoặc .pdf.")


def plain_text(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM) or UTF-16 with a BOM; anything else is refused."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise UnreadableLegalText(
                "Tệp văn bản không ở mã UTF-8 (có thể là TCVN3/VNI hoặc Windows-1258): hãy lưu lại "
                "với mã hóa UTF-8 rồi tải lên lại.") from error
    return _normal(text)


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
    return _normal("\n\n".join(blocks))


def pdf_text(data: bytes) -> str:
    """The text layer of a PDF, page after page; a scanned PDF (no text layer) is refused."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            # Many official PDFs are "encrypted" with an empty password only to block editing.
            reader.decrypt("")
        pages = [page.extract_text() or "" for page in reader.pages]
    except PdfReadError as error:
        raise UnreadableLegalText("Tệp PDF bị hỏng hoặc được bảo vệ bằng mật khẩu.") from error
    except Exception as error:  # a malformed PDF can surface as almost any error inside pypdf
        raise UnreadableLegalText("Tệp PDF bị hỏng, không đọc được.") from error
    text = _normal("\n".join(pages))
    if sum(ch.isalpha() for ch in text) < MIN_PDF_LETTERS:
        raise UnreadableLegalText(
            "Tệp PDF không có lớp chữ (có thể là bản scan): hãy dùng tệp .docx hoặc PDF có thể "
            "chọn và sao chép chữ, hoặc nhận dạng chữ (OCR) trước khi tải lên.")
    return text


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


def _check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise UnreadableLegalText(f"Tệp quá lớn ({size / 1024 / 1024:.1f} MB); giới hạn là "
                                  f"{max_bytes / 1024 / 1024:.0f} MB.")


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


def _normal(text: str) -> str:
    """NFC, one kind of line ending, no byte-order mark or NUL characters."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\ufeff", "").replace("\x00", "")

"""Text of a legal document from the files organisers have: Word (.docx), plain text or Markdown,
and PDF with a text layer. Every reader returns NFC text ready for questions.legal."""
import unicodedata
from pathlib import Path

from questions.lazy import deferred

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
    return normal_text(text)


# python-docx (with lxml) and pypdf load when a Word or PDF file is first read, not in every web
# worker (see questions.lazy); those readers live in questions.legal_docx and questions.legal_pdf.
docx_text = deferred("questions.legal_docx:docx_text")
pdf_text = deferred("questions.legal_pdf:pdf_text")


def _check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise UnreadableLegalText(f"Tệp quá lớn ({size / 1024 / 1024:.1f} MB); giới hạn là "
                                  f"{max_bytes / 1024 / 1024:.0f} MB.")


def normal_text(text: str) -> str:
    """NFC, one kind of line ending, no byte-order mark or NUL characters."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\ufeff", "").replace("\x00", "")

"""Text of a PDF legal document with a text layer, for questions.legal_readers (which loads this
module on first use: pypdf is heavy)."""
import io

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from questions.legal_readers import MIN_PDF_LETTERS, UnreadableLegalText, normal_text


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
    text = normal_text("\n".join(pages))
    if sum(ch.isalpha() for ch in text) < MIN_PDF_LETTERS:
        raise UnreadableLegalText(
            "Tệp PDF không có lớp chữ (có thể là bản scan): hãy dùng tệp .docx hoặc PDF có thể "
            "chọn và sao chép chữ, hoặc nhận dạng chữ (OCR) trước khi tải lên.")
    return text

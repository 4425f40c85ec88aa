"""A certificate as a PDF page: fpdf2 with DejaVu Sans (Debian's fonts-dejavu-core), a vector QR code.

fpdf2 is pure Python and embeds only the glyphs used (a subset of the TTF), so a page is ~20 kB, every
Vietnamese letter renders from the font, and the text stays extractable (its ToUnicode map).
"""
from pathlib import Path

import segno
from fpdf import FPDF

from contest.certificates.page import DEFAULT_FONT_DIR, CertificatePage, FontMissing

FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
RED = (165, 14, 14)
INK = (27, 31, 36)


def _document(font_dir: str) -> FPDF:
    """An empty A4 landscape document with the certificate fonts registered."""
    directory = Path(font_dir or DEFAULT_FONT_DIR)
    missing = [name for name in FONT_FILES.values() if not (directory / name).is_file()]
    if missing:
        raise FontMissing(f"Thiếu phông chữ {', '.join(missing)} trong {directory}: cài gói fonts-dejavu-core "
                          "(apt-get install fonts-dejavu-core) hoặc đặt CERTIFICATE_FONT_DIR.")
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_creator("contest")
    for style, name in FONT_FILES.items():
        pdf.add_font("DejaVu", style, str(directory / name))
    return pdf


def _qr(pdf: FPDF, text: str, x: float, y: float, size: float) -> None:
    """The QR code of `text` drawn as filled squares (vector: sharp at any print size)."""
    qr = segno.make(text, error="m", micro=False)
    matrix = [row for row in qr.matrix]
    module = size / len(matrix)
    pdf.set_fill_color(0, 0, 0)
    for row_index, row in enumerate(matrix):
        start = None
        for column_index, dark in enumerate([*row, 0]):
            if dark and start is None:
                start = column_index
            elif not dark and start is not None:  # a run of dark modules is one rectangle
                pdf.rect(x + start * module, y + row_index * module, (column_index - start) * module, module, style="F")
                start = None


def _centered(pdf: FPDF, text: str, size: float, style: str = "", color=INK, height: float | None = None) -> None:
    pdf.set_font("DejaVu", style, size)
    pdf.set_text_color(*color)
    pdf.multi_cell(0, height or size * 0.5, text, align="C", new_x="LMARGIN", new_y="NEXT")


def add_page(pdf: FPDF, page: CertificatePage) -> None:
    """One certificate on a new page of `pdf`."""
    pdf.add_page()
    width, height = pdf.w, pdf.h
    pdf.set_draw_color(*RED)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, width - 16, height - 16)
    pdf.set_line_width(0.3)
    pdf.rect(11, 11, width - 22, height - 22)
    pdf.set_margins(24, 20, 24)
    pdf.set_xy(24, 26)
    _centered(pdf, page.organizer.upper(), 12, "B")
    pdf.ln(12)
    _centered(pdf, "GIẤY CHỨNG NHẬN", 30, "B", RED, 14)
    pdf.ln(8)
    _centered(pdf, "Chứng nhận", 13)
    pdf.ln(1)
    _centered(pdf, page.full_name, 24, "B", INK, 12)
    if page.agency:
        _centered(pdf, page.agency, 13)
    pdf.ln(6)
    _centered(pdf, page.achievement, 16, "B", RED, 9)
    _centered(pdf, f"Cuộc thi “{page.contest_title}” — {page.round_name}", 13, "", INK, 7)
    pdf.ln(6)
    _centered(pdf, f"Ngày {page.date}", 12)
    if page.judges:
        _centered(pdf, "Kết quả đã được Ban giám khảo ký duyệt: " + ", ".join(page.judges), 10, "", INK, 6)
    qr_size = 32
    qr_y = height - 20 - qr_size
    _qr(pdf, page.verify_url, 24, qr_y, qr_size)
    pdf.set_xy(24 + qr_size + 5, qr_y + 6)
    pdf.set_font("DejaVu", "", 10)
    pdf.set_text_color(*INK)
    pdf.cell(0, 6, "Mã xác thực:", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(24 + qr_size + 5)
    pdf.set_font("DejaVu", "B", 14)
    pdf.cell(0, 8, page.code, new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(24 + qr_size + 5)
    pdf.set_font("DejaVu", "", 9)
    pdf.cell(0, 5, f"Quét mã QR hoặc nhập mã tại {page.verify_url.rsplit('/c/', 1)[0]}/verify", new_x="LMARGIN",
             new_y="NEXT")


def certificates_pdf(pages: list[CertificatePage], font_dir: str = "") -> bytes:
    """The pages as one PDF document."""
    pdf = _document(font_dir)
    for page in pages:
        add_page(pdf, page)
    return bytes(pdf.output())


class CertificateWriter:
    """A multi-page certificate PDF built page by page, for batches."""

    def __init__(self, font_dir: str = ""):
        self.pdf = _document(font_dir)
        self.pages = 0

    def add(self, page: CertificatePage) -> None:
        """Append one certificate."""
        add_page(self.pdf, page)
        self.pages += 1

    def save(self, path: Path) -> None:
        """Write the document to `path`."""
        self.pdf.output(str(path))

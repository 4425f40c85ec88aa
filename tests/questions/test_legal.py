"""Legal-text readers and parser: the real Nghị định 63/2010/NĐ-CP and small synthetic texts."""
import io
import unicodedata
import zipfile
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfWriter

from questions.legal import display_heading, issuer_name, parse_legal_text
from questions.legal_readers import (
    UnreadableLegalText,
    plain_text,
    read_legal_bytes,
    read_legal_file,
)

DECREE_63 = Path("/work/shared/reference/legal-texts/nghi-dinh-63-2010-ND-CP.md")

# Synthetic documents: numbers from the future so that nobody takes them for real law.
AMENDING = """CHÍNH PHỦ
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Số: 12/2030/NĐ-CP
Hà Nội, ngày 14 tháng 5 năm 2030

NGHỊ ĐỊNH
SỬA ĐỔI, BỔ SUNG MỘT SỐ ĐIỀU CỦA NGHỊ ĐỊNH SỐ 63/2010/NĐ-CP

Căn cứ Luật Tổ chức Chính phủ;

Điều 1. Sửa đổi, bổ sung một số điều của Nghị định số 63/2010/NĐ-CP

1. Điều 8 được sửa đổi như sau:

{open}Điều 8. Yêu cầu của việc quy định thủ tục hành chính

1. Thủ tục hành chính phải được quy định rõ ràng.

2. Thủ tục hành chính gồm các bộ phận sau đây:

a) Tên thủ tục hành chính;

b) Trình tự thực hiện.

Nghị định này có hiệu lực thi hành kể từ ngày 01 tháng 01 năm 2000.{close}

2. Bổ sung Điều 35a như sau: {open}Điều 35a. Kiểm tra

1. Kiểm tra định kỳ mỗi năm một lần.

2. Kiểm tra đột xuất khi cần thiết.{close}

Điều 2. Hiệu lực thi hành

Nghị định này có hiệu lực thi hành kể từ ngày 01 tháng 7 năm 2030.

Điều 3. Trách nhiệm thi hành

Các Bộ trưởng chịu trách nhiệm thi hành Nghị định này./.

Nơi nhận:
- Như Điều 3;
- Lưu: VT.
TM. CHÍNH PHỦ
THỦ TƯỚNG
"""

WITH_ANNEX = """THỦ TƯỚNG CHÍNH PHỦ
Số: 7/2030/QĐ-TTg
Hà Nội, ngày 02 tháng 01 năm 2030

QUYẾT ĐỊNH
VỀ VIỆC BAN HÀNH MẪU BÁO CÁO

Điều 1. Ban hành mẫu báo cáo
Ban hành kèm theo Quyết định này mẫu báo cáo tại Phụ lục I.

Điều 2. Hiệu lực thi hành
Quyết định này có hiệu lực thi hành kể từ ngày ký.
PHỤ LỤC I
MẪU BÁO CÁO (Ban hành kèm theo Quyết định số 7/2030/QĐ-TTg)

| STT | Nội dung | Ghi chú |
|---|---|---|
| 1 | Điều 3. Không phải một điều | |
| 2 | Số thủ tục được công bố | Chương II |

PHỤ LỤC II: DANH MỤC VIẾT TẮT
TTHC: thủ tục hành chính
"""

LAW = """QUỐC HỘI
Luật số: 99/2030/QH15
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM

LUẬT
THỬ NGHIỆM PHẠM VI ÁP DỤNG

Căn cứ Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam;

Phần thứ nhất
NHỮNG QUY ĐỊNH CHUNG

Chương I
PHẠM VI VÀ ĐỐI TƯỢNG

Mục 1. PHẠM VI

Điều 1. Phạm vi điều chỉnh
Luật này quy định việc thử nghiệm.

Mục 2
ĐỐI TƯỢNG

Điều 2. Đối tượng áp dụng
Luật này áp dụng đối với mọi người.

Chương II. THỦ TỤC

Mục 1. ĐĂNG KÝ

Điều 3. Đăng ký
1. Người đăng ký nộp hồ sơ.
2. Hồ sơ gồm:
a) Đơn;
b) Bản sao giấy tờ;
d) Ảnh (điểm c bị bỏ sót trong bản gốc).

Phần thứ hai
ĐIỀU KHOẢN THI HÀNH

Chương III
HIỆU LỰC

Điều 4. Hiệu lực thi hành
Luật này có hiệu lực thi hành kể từ ngày ký.
"""

# Text as a PDF's text layer gives it: lines cut anywhere, a page number, no blank lines.
PDF_LAYOUT = """BỘ TƯ PHÁP CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Số: 05/2031/TT-BTP Hà Nội, ngày 3 tháng 2 năm 2031
THÔNG TƯ
HƯỚNG DẪN THỬ NGHIỆM
Căn cứ Nghị định số 63/2010/NĐ-CP ngày 08 tháng 6 năm 2010 của Chính phủ về kiểm soát thủ tục
hành chính;
Chương 1
QUY ĐỊNH CHUNG
Điều 1. Phạm vi điều chỉnh và đối
tượng áp dụng
1. Thông tư này hướng dẫn việc tiếp nhận hồ sơ trong thời hạn
05 ngày làm việc kể từ ngày 15 tháng 3 năm
2031. Cơ quan tiếp nhận phải thông báo theo quy định tại
Điều 5 của Thông tư này.
2. Hồ sơ được gửi theo quy định tại
12
Điều 1. Việc gửi được thực hiện trực tuyến.
Chương 2
TỔ CHỨC THỰC HIỆN
Điều 2. Hiệu lực thi hành
Thông tư này có hiệu lực thi hành kể từ ngày 20 tháng 3 năm 2031./.
"""


@pytest.fixture(scope="module")
def decree():
    """Nghị định 63/2010/NĐ-CP as published (Markdown with a table heading)."""
    return parse_legal_text(read_legal_file(DECREE_63))


# -- the real decree --------------------------------------------------------------------------


def test_decree_metadata(decree):
    meta = decree.meta
    assert meta.number == "63/2010/NĐ-CP"
    assert meta.kind == "Nghị định"
    assert meta.issuer == "Chính phủ"
    assert meta.issued_on == date(2010, 6, 8)
    assert meta.title == "Về kiểm soát thủ tục hành chính"
    assert meta.effective_on == date(2010, 10, 14)
    assert not meta.is_effective_on_signing
    assert decree.preamble.startswith("Căn cứ Luật Tổ chức Chính phủ")


def test_decree_has_its_37_articles_in_7_chapters(decree):
    assert [article.number for article in decree.articles] == [str(n) for n in range(1, 38)]
    assert [(chapter.number, chapter.title) for chapter in decree.chapters] == [
        ("1", "Những quy định chung"), ("2", "Quy định thủ tục hành chính"),
        ("3", "Thực hiện thủ tục hành chính"), ("4", "Cơ sở dữ liệu quốc gia về thủ tục hành chính"),
        ("5", "Rà soát, đánh giá thủ tục hành chính"),
        ("6", "Khen thưởng, kinh phí thực hiện, thông tin, báo cáo"), ("7", "Điều khoản thi hành")]
    chapter_of = {article.number: article.chapter.number for article in decree.articles}
    assert (chapter_of["6"], chapter_of["7"], chapter_of["22"], chapter_of["23"], chapter_of["37"]) == \
        ("1", "2", "3", "4", "7")
    assert decree.parts == [] and decree.sections == []
    assert decree.article("9").title == ("Lấy ý kiến đối với quy định về thủ tục hành chính trong dự án, "
                                         "dự thảo văn bản quy phạm pháp luật")


def test_decree_clauses_and_points(decree):
    assert decree.article("3").clause("1").text == (
        "“Thủ tục hành chính” là trình tự, cách thức thực hiện, hồ sơ và yêu cầu, điều kiện do cơ quan "
        "nhà nước, người có thẩm quyền quy định để giải quyết một công việc cụ thể liên quan đến cá nhân, "
        "tổ chức.")
    assert decree.article("3").intro == "Trong Nghị định này, các từ ngữ dưới đây được hiểu như sau:"
    point_d = decree.article("6").clause("1").points[3]
    assert point_d.letter == "d"
    assert point_d.text.startswith("Nhận tiền hoặc quà biếu dưới bất cứ hình thức nào")
    assert point_d.text.endswith("ngoài phí, lệ phí thực hiện thủ tục hành chính đã được quy định và "
                                 "công bố công khai;")
    assert [point.letter for point in decree.article("8").clause("2").points] == list("abcdđeghi")
    assert [clause.number for clause in decree.article("18").clauses] == [str(n) for n in range(1, 13)]
    # A clause's second paragraph stays in the clause; its points follow.
    clause_9_3 = decree.article("9").clause("3")
    assert clause_9_3.text.split("\n")[1].startswith("Thời hạn góp ý kiến")
    assert [point.letter for point in clause_9_3.points] == ["a", "b"]
    assert decree.article("24").clauses == [] and "05 (năm) ngày làm việc" in decree.article("24").intro
    assert "quá hai lần" in decree.article("20").clause("4").text


def test_decree_annexes_and_closing_are_not_articles(decree):
    assert [annex.label for annex in decree.annexes] == ["Phụ lục I", "Phụ lục II", "Phụ lục III"]
    assert decree.annexes[0].title.startswith("BIỂU MẪU ĐÁNH GIÁ THỦ TỤC HÀNH CHÍNH")
    assert decree.annexes[0].text.startswith("| I. Về sự cần thiết của thủ tục hành chính")
    assert decree.closing.startswith("| Nơi nhận:")
    last = decree.article("37")
    assert last.text.endswith("có hiệu lực thi hành./.")
    assert all("Nơi nhận" not in article.text and "PHỤ LỤC" not in article.text
               for article in decree.articles)


# -- synthetic texts --------------------------------------------------------------------------


@pytest.mark.parametrize("opening, closing", [("“", "”"), ('"', '"')])
def test_amending_decree_keeps_quoted_articles_in_its_clauses(opening, closing):
    legal = parse_legal_text(AMENDING.format(open=opening, close=closing))
    assert [article.number for article in legal.articles] == ["1", "2", "3"]
    amending = legal.article("1")
    assert [clause.number for clause in amending.clauses] == ["1", "2"]
    first = amending.clause("1")
    assert first.points == []
    assert f"{opening}Điều 8. Yêu cầu của việc quy định thủ tục hành chính" in first.text
    assert "\na) Tên thủ tục hành chính;\nb) Trình tự thực hiện." in first.text
    assert amending.clause("2").text.startswith(f"Bổ sung Điều 35a như sau: {opening}Điều 35a. Kiểm tra")
    assert "2. Kiểm tra đột xuất khi cần thiết." in amending.clause("2").text
    # The quoted "có hiệu lực … năm 2000" belongs to the amended text, not to this decree.
    assert legal.meta.effective_on == date(2030, 7, 1)
    assert legal.meta.title == "Sửa đổi, bổ sung một số điều của Nghị định số 63/2010/NĐ-CP"
    assert legal.closing.startswith("Nơi nhận:") and "TM. CHÍNH PHỦ" in legal.closing


def test_a_stray_quote_mark_does_not_swallow_the_articles():
    text = AMENDING.format(open="“", close="”").replace(
        "Các Bộ trưởng chịu trách nhiệm", "Các Bộ trưởng (“người đứng đầu) chịu trách nhiệm")
    text = text.replace("Điều 1. Sửa đổi", "Điều 1. “Sửa đổi")
    assert [article.number for article in parse_legal_text(text).articles] == ["1", "2", "3"]


def test_annex_with_a_table_after_the_last_article():
    legal = parse_legal_text(WITH_ANNEX)
    assert [article.number for article in legal.articles] == ["1", "2"]
    assert legal.meta.issuer == "Thủ tướng Chính phủ"
    assert legal.meta.kind == "Quyết định"
    assert legal.meta.title == "Về việc ban hành mẫu báo cáo"
    assert legal.meta.is_effective_on_signing and legal.meta.effective_on == date(2030, 1, 2)
    first, second = legal.annexes
    assert (first.label, first.title) == ("Phụ lục I", "MẪU BÁO CÁO (Ban hành kèm theo Quyết định số 7/2030/QĐ-TTg)")
    assert first.text.split("\n") == ["| STT | Nội dung | Ghi chú |", "| 1 | Điều 3. Không phải một điều |",
                                      "| 2 | Số thủ tục được công bố | Chương II |"]
    assert (second.label, second.title, second.text) == ("Phụ lục II", "DANH MỤC VIẾT TẮT",
                                                         "TTHC: thủ tục hành chính")
    assert legal.chapters == []
    assert "PHỤ LỤC" not in legal.article("2").text


def test_parts_roman_chapters_and_sections():
    legal = parse_legal_text(LAW)
    assert (legal.meta.number, legal.meta.kind, legal.meta.issuer) == ("99/2030/QH15", "Luật", "Quốc hội")
    assert legal.meta.title == "Thử nghiệm phạm vi áp dụng"
    assert legal.meta.is_effective_on_signing and legal.meta.effective_on is None
    assert [(part.label, part.ordinal, part.title) for part in legal.parts] == [
        ("Phần thứ nhất", 1, "Những quy định chung"), ("Phần thứ hai", 2, "Điều khoản thi hành")]
    assert [(chapter.label, chapter.ordinal, chapter.title) for chapter in legal.chapters] == [
        ("Chương I", 1, "Phạm vi và đối tượng"), ("Chương II", 2, "Thủ tục"), ("Chương III", 3, "Hiệu lực")]
    assert [(section.label, section.title) for section in legal.sections] == [
        ("Mục 1", "Phạm vi"), ("Mục 2", "Đối tượng"), ("Mục 1", "Đăng ký")]
    paths = {article.number: [division.label for division in article.divisions] for article in legal.articles}
    assert paths == {"1": ["Phần thứ nhất", "Chương I", "Mục 1"], "2": ["Phần thứ nhất", "Chương I", "Mục 2"],
                     "3": ["Phần thứ nhất", "Chương II", "Mục 1"], "4": ["Phần thứ hai", "Chương III"]}
    assert legal.article("3").section is legal.sections[2]
    assert legal.article("4").section is None and legal.article("4").part is legal.parts[1]
    # A skipped letter (c) is the source's slip; the list goes on.
    assert [point.letter for point in legal.article("3").clause("2").points] == ["a", "b", "d"]


def test_wrapped_lines_from_a_pdf_are_joined():
    legal = parse_legal_text(PDF_LAYOUT)
    meta = legal.meta
    assert (meta.number, meta.kind, meta.issuer, meta.issued_on, meta.title) == (
        "05/2031/TT-BTP", "Thông tư", "Bộ Tư pháp", date(2031, 2, 3), "Hướng dẫn thử nghiệm")
    assert meta.effective_on == date(2031, 3, 20)
    assert legal.preamble == ("Căn cứ Nghị định số 63/2010/NĐ-CP ngày 08 tháng 6 năm 2010 của Chính phủ "
                              "về kiểm soát thủ tục hành chính;")
    assert [article.number for article in legal.articles] == ["1", "2"]
    first = legal.article("1")
    assert first.title == "Phạm vi điều chỉnh và đối tượng áp dụng"
    # "2031." and "Điều 5 của …" start lines but are not a clause or an article; "12" is a page.
    assert [clause.number for clause in first.clauses] == ["1", "2"]
    assert first.clause("1").text == (
        "Thông tư này hướng dẫn việc tiếp nhận hồ sơ trong thời hạn 05 ngày làm việc kể từ ngày 15 tháng 3 "
        "năm 2031. Cơ quan tiếp nhận phải thông báo theo quy định tại Điều 5 của Thông tư này.")
    assert first.clause("2").text == ("Hồ sơ được gửi theo quy định tại Điều 1. Việc gửi được thực hiện "
                                      "trực tuyến.")
    assert [chapter.title for chapter in legal.chapters] == ["Quy định chung", "Tổ chức thực hiện"]


@pytest.mark.parametrize("heading, name", [
    ("CHÍNH PHỦ", "Chính phủ"),
    ("THỦ TƯỚNG CHÍNH PHỦ", "Thủ tướng Chính phủ"),
    ("BỘ TƯ PHÁP", "Bộ Tư pháp"),
    ("BỘ CÔNG THƯƠNG", "Bộ Công Thương"),
    ("BỘ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", "Bộ Lao động - Thương binh và Xã hội"),
    ("BỘ VĂN HÓA, THỂ THAO VÀ DU LỊCH", "Bộ Văn hóa, Thể thao và Du lịch"),
    ("ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI", "Ủy ban nhân dân tỉnh Quảng Ngãi"),
    ("ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI", "Ủy ban nhân dân thành phố Hà Nội"),
    ("VĂN PHÒNG CHÍNH PHỦ -------", "Văn phòng Chính phủ"),
])
def test_issuer_names_as_written_in_running_text(heading, name):
    assert issuer_name(heading) == name


def test_display_heading_keeps_names_and_numbers():
    assert display_heading("CƠ SỞ DỮ LIỆU QUỐC GIA VỀ THỦ TỤC HÀNH CHÍNH") == \
        "Cơ sở dữ liệu quốc gia về thủ tục hành chính"
    assert display_heading("SỬA ĐỔI NGHỊ ĐỊNH SỐ 63/2010/NĐ-CP CỦA CHÍNH PHỦ") == \
        "Sửa đổi Nghị định số 63/2010/NĐ-CP của Chính phủ"
    assert display_heading("Những quy định chung") == "Những quy định chung"


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["Điều 1. A", "Điều 2. B", "Điều 1. C", "1. x", "2. y", "a) z", "b) w",
                                 "Chương I", "QUY ĐỊNH", "Mục 1", "PHỤ LỤC", "“Điều 9. q", "kết”.", "./.",
                                 "| a | b |", "", "Nơi nhận:", "văn bản"]), max_size=25))
def test_parser_never_fails_and_article_numbers_only_go_up(lines):
    legal = parse_legal_text("\n".join(lines))
    numbers = [int(article.number) for article in legal.articles]
    assert numbers == sorted(set(numbers))


# -- readers ----------------------------------------------------------------------------------


def _docx_bytes() -> bytes:
    document = Document()
    heading = document.add_table(rows=2, cols=2)
    heading.cell(0, 0).text = "CHÍNH PHỦ\n-------"
    heading.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
    heading.cell(1, 0).text = "Số: 12/2030/NĐ-CP"
    heading.cell(1, 1).text = "Hà Nội, ngày 14 tháng 5 năm 2030"
    for paragraph in ["NGHỊ ĐỊNH", "VỀ THỬ NGHIỆM ĐỌC TỆP", "Căn cứ Luật Tổ chức Chính phủ;",
                      "Chương I", "QUY ĐỊNH CHUNG", "Điều 1. Phạm vi điều chỉnh",
                      "Nghị định này quy định việc thử nghiệm.", "Điều 2. Hiệu lực thi hành",
                      "Nghị định này có hiệu lực thi hành kể từ ngày ký./.", "PHỤ LỤC", "MẪU SỐ 01"]:
        document.add_paragraph(paragraph)
    form = document.add_table(rows=2, cols=2)
    form.cell(0, 0).text, form.cell(0, 1).text = "STT", "Nội dung"
    form.cell(1, 0).text, form.cell(1, 1).text = "1", "Tên thủ tục"
    document.add_paragraph("Ghi chú sau bảng.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_paragraphs_and_tables_in_document_order():
    text = read_legal_bytes(_docx_bytes(), "nghi-dinh.docx")
    lines = [line for line in text.split("\n") if line]
    assert lines[:3] == ["| CHÍNH PHỦ ------- | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc |",
                         "| Số: 12/2030/NĐ-CP | Hà Nội, ngày 14 tháng 5 năm 2030 |", "NGHỊ ĐỊNH"]
    assert lines[-4:] == ["MẪU SỐ 01", "| STT | Nội dung |", "| 1 | Tên thủ tục |", "Ghi chú sau bảng."]
    legal = parse_legal_text(text)
    assert (legal.meta.number, legal.meta.issuer, legal.meta.issued_on) == \
        ("12/2030/NĐ-CP", "Chính phủ", date(2030, 5, 14))
    assert legal.meta.title == "Về thử nghiệm đọc tệp"
    assert [article.title for article in legal.articles] == ["Phạm vi điều chỉnh", "Hiệu lực thi hành"]
    assert legal.annexes[0].title == "MẪU SỐ 01"
    assert legal.annexes[0].text == "| STT | Nội dung |\n| 1 | Tên thủ tục |\nGhi chú sau bảng."


def test_docx_zip_bomb_is_refused():
    buffer = io.BytesIO(_docx_bytes())
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/padding.xml", b"0" * (10 * 1024 * 1024))
    with pytest.raises(UnreadableLegalText, match="nén bất thường"):
        read_legal_bytes(buffer.getvalue(), "bomb.docx")


def test_damaged_docx_and_unknown_types_are_refused():
    with pytest.raises(UnreadableLegalText, match="bị hỏng"):
        read_legal_bytes(b"not a zip", "x.docx")
    with pytest.raises(UnreadableLegalText, match=r"\.docx"):
        read_legal_bytes(b"...", "x.doc")
    with pytest.raises(UnreadableLegalText, match="chỉ nhận"):
        read_legal_bytes(b"...", "x.odt")


def test_size_limit(tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes(b"a" * 2048)
    with pytest.raises(UnreadableLegalText, match="quá lớn"):
        read_legal_file(path, max_bytes=1024)
    assert read_legal_file(path, max_bytes=4096) == "a" * 2048


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_plain_text_encodings_give_nfc(encoding):
    decomposed = unicodedata.normalize("NFD", "Điều 1. Phạm vi điều chỉnh\r\nNội dung")
    text = plain_text(decomposed.encode(encoding))
    assert text == "Điều 1. Phạm vi điều chỉnh\nNội dung"
    assert unicodedata.is_normalized("NFC", text)


def test_plain_text_in_a_legacy_encoding_is_refused():
    with pytest.raises(UnreadableLegalText, match="UTF-8"):
        # "Điều 1" in Windows-1258: Đ, i, ê, a combining grave accent, u.
        plain_text(b"\xd0i\xea\xccu 1")


def _pdf_bytes(lines: list[str]) -> bytes:
    """A one-page PDF whose text layer holds lines (Type0 font with a ToUnicode map, no glyphs)."""
    chars = sorted({ch for line in lines for ch in line})
    cmap = ("/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
            "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
            f"{len(chars)} beginbfchar\n" + "".join(f"<{ord(c):04X}> <{ord(c):04X}>\n" for c in chars)
            + "endbfchar endcmap CMapName currentdict /CMap defineresource pop end end")
    content = "BT /F1 10 Tf 14 TL 40 800 Td\n" + "".join(
        "<" + "".join(f"{ord(c):04X}" for c in line) + "> Tj T*\n" for line in lines) + "ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        ("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
         "/Resources << /Font << /F1 5 0 R >> >> >>"),
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        ("<< /Type /Font /Subtype /Type0 /BaseFont /Arial /Encoding /Identity-H "
         "/DescendantFonts [6 0 R] /ToUnicode 7 0 R >>"),
        ("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Arial "
         "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 500 >>"),
        f"<< /Length {len(cmap)} >>\nstream\n{cmap}\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("ascii")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def test_pdf_with_a_text_layer(tmp_path):
    path = tmp_path / "thong-tu.pdf"
    path.write_bytes(_pdf_bytes(PDF_LAYOUT.splitlines()))
    text = read_legal_file(path)
    assert unicodedata.is_normalized("NFC", text)
    legal = parse_legal_text(text)
    assert legal.meta.number == "05/2031/TT-BTP"
    assert [article.title for article in legal.articles] == ["Phạm vi điều chỉnh và đối tượng áp dụng",
                                                             "Hiệu lực thi hành"]
    assert "05 ngày làm việc kể từ ngày 15 tháng 3 năm 2031." in legal.article("1").clause("1").text


def test_pdf_without_text_is_refused_as_a_scan():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(UnreadableLegalText) as error:
        read_legal_bytes(buffer.getvalue(), "scan.pdf")
    assert str(error.value).startswith("Tệp PDF không có lớp chữ (có thể là bản scan)")


def test_damaged_pdf_is_refused():
    with pytest.raises(UnreadableLegalText, match="PDF"):
        read_legal_bytes(b"%PDF-1.4 garbage", "x.pdf")

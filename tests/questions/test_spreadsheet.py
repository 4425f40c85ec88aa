"""Spreadsheet banks (.xlsx, .csv): header detection, synonyms, exact options, errors, exports."""
import codecs
import csv

import pytest
from openpyxl import Workbook, load_workbook

from questions.records import ImportFailed, QuestionRecord
from questions.spreadsheet import blank_template_xlsx, read_csv, read_xlsx, write_csv, write_xlsx
from tests.questions.samples import without_source

HEADER = ["STT", "Phần/Chủ đề", "Câu hỏi", "Phương án A", "Phương án B", "Phương án C",
          "Phương án D", "Đáp án", "Căn cứ (văn bản, Điều/Khoản)", "Mức độ", "Đối tượng",
          "Ghi chú / Giải thích"]


def write_book(path, rows, header=HEADER, above=()):
    book = Workbook()
    sheet = book.active
    for row in above:
        sheet.append(row)
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def good_row(n, answer="B", **overrides):
    row = [n, "Quy định chung", f"Câu hỏi số {n}?", "06", "05 ngày làm việc", "=SUM(A1:A2)",
           "Không quy định", answer, "Điều 24 Nghị định 63/2010/NĐ-CP", "Dễ", "CBCCVC", "Giải thích"]
    for index, value in overrides.items():
        row[int(index)] = value
    return row


def test_reads_a_bank_below_a_title_and_blank_rows(tmp_path):
    path = write_book(tmp_path / "bank.xlsx", [good_row(1), good_row(2, "a,c")],
                      above=[["NGÂN HÀNG CÂU HỎI CUỘC THI"], [], []])
    records = read_xlsx(path)
    assert [r.text for r in records] == ["Câu hỏi số 1?", "Câu hỏi số 2?"]
    first = records[0]
    # "06" stays "06"; a formula is kept as text, never evaluated.
    assert first.choices == ["06", "05 ngày làm việc", "=SUM(A1:A2)", "Không quy định"]
    assert first.correct == [1]
    assert records[1].correct == [0, 2]
    assert first.difficulty == "easy" and first.topic == "Quy định chung"
    assert first.citation == "Điều 24 Nghị định 63/2010/NĐ-CP" and first.audience == "CBCCVC"


def test_headers_match_without_case_diacritics_or_spacing(tmp_path):
    header = ["stt", "NOI DUNG CAU HOI", "a", "b", "Lựa chọn C", "dap an  D", "Đáp án đúng", "Độ khó"]
    path = write_book(tmp_path / "bank.xlsx", [[1, "Hỏi?", "x", "y", "z", "w", "4", "Khó"]], header=header)
    [record] = read_xlsx(path)
    assert record.choices == ["x", "y", "z", "w"] and record.correct == [3] and record.difficulty == "hard"


def test_every_fault_is_named_by_row_and_column(tmp_path):
    rows = [good_row(1), good_row(2, "E"), good_row(3, **{"2": ""}), good_row(4, **{"9": "Rất khó"})]
    path = write_book(tmp_path / "bank.xlsx", rows)
    with pytest.raises(ImportFailed) as failure:
        read_xlsx(path)
    messages = [str(issue) for issue in failure.value.issues]
    assert len(messages) == 3
    assert messages[0].startswith("Dòng 3, cột H (Đáp án)")
    assert messages[1].startswith("Dòng 4, cột C (Câu hỏi)")
    assert messages[2].startswith("Dòng 5, cột J (Mức độ)")


def test_a_sheet_without_the_needed_columns_is_refused(tmp_path):
    path = write_book(tmp_path / "bank.xlsx", [["x", "y"]], header=["Tên", "Ghi chú"])
    with pytest.raises(ImportFailed) as failure:
        read_xlsx(path)
    assert "không tìm thấy dòng tiêu đề" in str(failure.value)


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "bank.xlsx"
    path.write_text("không phải tệp Excel")
    with pytest.raises(ImportFailed) as failure:
        read_xlsx(path)
    assert "không đọc được" in str(failure.value)


# --- Status column, spacing in headers, several sheets, the template, exports ---------------------

def test_status_column_reads_vietnamese_labels(tmp_path):
    header = HEADER + ["Trạng thái"]
    rows = [good_row(1) + ["Nháp"], good_row(2) + ["Đã duyệt"], good_row(3) + ["ngừng dùng"], good_row(4) + [""]]
    records = read_xlsx(write_book(tmp_path / "bank.xlsx", rows, header=header))
    assert [r.status for r in records] == ["draft", "approved", "retired", None]


def test_unknown_status_is_named_by_row_and_column(tmp_path):
    header = HEADER + ["Trạng thái"]
    path = write_book(tmp_path / "bank.xlsx", [good_row(1) + ["Chờ"]], header=header)
    with pytest.raises(ImportFailed) as failure:
        read_xlsx(path)
    assert [str(i) for i in failure.value.issues] == [
        "Dòng 2, cột M (Trạng thái): “Chờ” không phải Nháp, Đã duyệt hoặc Ngừng dùng"]


def test_headers_match_without_spaces(tmp_path):
    header = ["Câuhỏi", "PhươngánA", "Phương  án  B", "ĐápÁn", "TRẠNG THÁI"]
    path = write_book(tmp_path / "bank.xlsx", [["Hỏi?", "x", "y", "B", "Đã duyệt"]], header=header)
    [record] = read_xlsx(path)
    assert record.choices == ["x", "y"] and record.correct == [1] and record.status == "approved"


def test_the_sheet_with_the_header_is_read_even_after_a_cover_sheet(tmp_path):
    book = Workbook()
    book.active.title = "Hướng dẫn"
    book.active.append(["Điền câu hỏi ở trang tính sau"])
    sheet = book.create_sheet("Câu hỏi")
    sheet.append(HEADER)
    sheet.append(good_row(1))
    book.save(tmp_path / "bank.xlsx")
    assert [r.text for r in read_xlsx(tmp_path / "bank.xlsx")] == ["Câu hỏi số 1?"]


def test_two_sheets_of_questions_are_refused_rather_than_half_read(tmp_path):
    book = Workbook()
    for title in ("Phần I", "Phần II"):
        sheet = book.create_sheet(title)
        sheet.append(HEADER)
        sheet.append(good_row(1))
    book.save(tmp_path / "bank.xlsx")
    with pytest.raises(ImportFailed) as failure:
        read_xlsx(tmp_path / "bank.xlsx")
    assert "“Phần I”, “Phần II”" in str(failure.value)


def test_the_templates_example_row_is_marked_and_never_imported(tmp_path):
    path = tmp_path / "mau.xlsx"
    blank_template_xlsx(path)
    workbook = load_workbook(path)
    sheet = workbook.active
    assert [cell.value for cell in sheet[1]][:4] == ["STT", "Chủ đề", "Câu hỏi", "Phương án A"]
    assert sheet.max_row == 2 and sheet["A2"].value == "Ví dụ" and sheet["C2"].font.italic
    with pytest.raises(ImportFailed) as failure:
        read_xlsx(path)
    assert "chỉ có dòng ví dụ" in str(failure.value)
    # The organizer's own questions below the example import; the example does not, nor does an
    # older template's example numbered 1.
    sheet.append([1, "Chủ đề", "Câu hỏi của tôi?", "Có", "Không", "", "", "A"])
    sheet.append([2, *[cell.value for cell in sheet[2]][1:]])
    workbook.save(path)
    [record] = read_xlsx(path)
    assert record.text == "Câu hỏi của tôi?" and record.source_row == 3


def test_xlsx_export_never_writes_a_formula(tmp_path):
    records = [QuestionRecord(text="=HYPERLINK(\"http://x\")", choices=["=SUM(A1)", "+1", "-1", "@x"],
                              correct=[0])]
    path = tmp_path / "out.xlsx"
    write_xlsx(records, path)
    sheet = load_workbook(path).active
    row = list(sheet[2])
    texts = [cell for cell in row if isinstance(cell.value, str) and cell.value[:1] in "=+-@"]
    assert [cell.value for cell in texts] == ["=HYPERLINK(\"http://x\")", "=SUM(A1)", "+1", "-1", "@x"]
    assert all(cell.data_type == "s" for cell in texts)
    assert without_source(read_xlsx(path)) == records


def test_csv_export_guards_formulas_and_imports_back_unchanged(tmp_path):
    records = [QuestionRecord(text="Kết quả?", choices=["=SUM(A1)", "'=x", "'bình thường", "-5"], correct=[1])]
    path = tmp_path / "out.csv"
    write_csv(records, path)
    raw = path.read_bytes()
    assert raw.startswith(codecs.BOM_UTF8)
    assert "'=SUM(A1),''=x,'bình thường,'-5" in raw.decode("utf-8-sig")
    assert without_source(read_csv(path)) == records


CSV_ROWS = [["NGÂN HÀNG CÂU HỎI THỦ TỤC HÀNH CHÍNH"], [],
            ["STT", "Nội dung câu hỏi", "A", "B", "C", "D", "Đáp án đúng", "Độ khó", "Căn cứ pháp lý"],
            ["1", "Cơ quan nào công bố thủ tục hành chính?", "Bộ, cơ quan ngang bộ", "Doanh nghiệp",
             "Tổ chức xã hội", "06", "A", "Dễ", "Khoản 1 Điều 15 Nghị định 63/2010/NĐ-CP"],
            ["2", "Thời hạn giải quyết, tính theo ngày làm việc?", "05", "06", "07", "Không quy định", "2", "Khó", ""]]


@pytest.mark.parametrize("encoding, delimiter", [
    ("utf-8", ","), ("utf-8-sig", ","), ("utf-8-sig", ";"), ("utf-8", "\t"), ("utf-16", ";")])
def test_csv_in_organisers_encodings_and_delimiters(tmp_path, encoding, delimiter):
    path = tmp_path / "bank.csv"
    with open(path, "w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(CSV_ROWS)
    records = read_csv(path)
    assert [r.source_row for r in records] == [4, 5]
    assert records[0].choices[3] == "06" and records[0].correct == [0] and records[0].difficulty == "easy"
    assert records[0].citation == "Khoản 1 Điều 15 Nghị định 63/2010/NĐ-CP"
    assert records[1].choices[:2] == ["05", "06"] and records[1].correct == [1]


def test_csv_in_a_legacy_encoding_is_refused_with_a_hint(tmp_path):
    path = tmp_path / "bank.csv"
    path.write_bytes("STT,Câu hỏi,A,B,Đáp án\n1,Hỏi?,x,y,A\n".encode("cp1258", errors="replace") + b"\xff\xfe\xfd")
    with pytest.raises(ImportFailed) as failure:
        read_csv(path)
    assert "UTF-8" in str(failure.value)


def test_csv_faults_name_row_and_column(tmp_path):
    path = tmp_path / "bank.csv"
    rows = CSV_ROWS[:4] + [["2", "Hỏi?", "x", "y", "", "", "C", "Rất khó", ""]]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    with pytest.raises(ImportFailed) as failure:
        read_csv(path)
    assert [str(i) for i in failure.value.issues] == [
        "Dòng 5, cột G (Đáp án): đáp án “C” không có phương án tương ứng (chỉ có 2 phương án)",
        "Dòng 5, cột H (Mức độ): “Rất khó” không phải Dễ, Trung bình hoặc Khó"]


@pytest.mark.parametrize("value", [0, "x", "0"])
def test_a_value_far_to_the_right_is_refused_by_row_and_column(tmp_path, value):
    # Even a zero: a value the organizer typed there, which reading only the bank's columns would drop unseen.
    path = write_book(tmp_path / "bank.xlsx", [good_row(1), good_row(2)])
    book = load_workbook(path)
    book.active.cell(3, 5000).value = value
    book.save(path)
    with pytest.raises(ImportFailed) as failure:
        read_xlsx(path)
    assert "dòng 3 có dữ liệu ở cột 5000, quá 200 cột" in str(failure.value)


def test_stored_but_empty_cells_far_to_the_right_are_read_past(tmp_path):
    # A format applied to a whole row stores empty cells out to column XFD: nothing there to refuse.
    path = write_book(tmp_path / "bank.xlsx", [good_row(1), good_row(2)])
    book = load_workbook(path)
    for row in (1, 2, 3):
        book.active.cell(row, 16384).number_format = "0.00"
        book.active.cell(row, 300).value = ""
    book.save(path)
    assert [record.text for record in read_xlsx(path)] == ["Câu hỏi số 1?", "Câu hỏi số 2?"]


def test_a_csv_value_far_to_the_right_is_refused_and_empty_fields_there_are_not(tmp_path):
    path = tmp_path / "bank.csv"

    def write(last: str) -> None:
        with open(path, "w", encoding="utf-8", newline="") as file:
            csv.writer(file).writerows([HEADER, [*good_row(1), *[""] * 399, last]])
    write("")
    assert [record.text for record in read_csv(path)] == ["Câu hỏi số 1?"]
    write("0")
    with pytest.raises(ImportFailed) as failure:
        read_csv(path)
    assert f"dòng 2 có dữ liệu ở cột {len(HEADER) + 400}, quá 200 cột" in str(failure.value)

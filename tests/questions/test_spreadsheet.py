"""Reading .xlsx banks: header detection, synonyms, exact options, errors by row and column."""
import pytest
from openpyxl import Workbook

from questions.records import ImportFailed
from questions.spreadsheet import read_xlsx

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

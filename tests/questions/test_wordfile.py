"""Word (.docx) question lists: every way organisers mark the key, parts as topics, faults by question."""
import docx
import pytest
from docx.enum.text import WD_COLOR_INDEX
from docx.shared import RGBColor

from questions.records import QUESTION, ImportFailed, ImportIssue
from questions.wordfile import read_docx

OPTIONS = ["Trình tự, cách thức thực hiện, hồ sơ và yêu cầu, điều kiện", "Các loại phí, lệ phí",
           "Quy chế làm việc của cơ quan", "06 ngày làm việc"]


def new_document(title="NGÂN HÀNG CÂU HỎI CUỘC THI TÌM HIỂU VỀ CẢI CÁCH THỦ TỤC HÀNH CHÍNH"):
    document = docx.Document()
    document.add_paragraph(title).runs[0].bold = True
    document.add_paragraph("(Ban hành kèm theo Kế hoạch số 12/KH-BTC ngày 01/3/2025)")
    return document


def add_question(document, label, text, options=OPTIONS, mark=None, key=None, bold_labels=False):
    """A question: a bold "Câu n:" label, its text, then one paragraph per option; key gets mark."""
    paragraph = document.add_paragraph()
    paragraph.add_run(label).bold = True
    paragraph.add_run(" " + text)
    for index, option in enumerate(options):
        letter = "ABCDEF"[index]
        paragraph = document.add_paragraph()
        star = "*" if mark == "star" and index == key else ""
        label_run = paragraph.add_run(f"{star}{letter}. ")
        label_run.bold = bold_labels
        run = paragraph.add_run(option)
        if index == key:
            if mark == "bold":
                run.bold = True
            elif mark == "underline":
                run.underline = True
            elif mark == "highlight":
                label_run.font.highlight_color = WD_COLOR_INDEX.YELLOW
                run.font.highlight_color = WD_COLOR_INDEX.YELLOW
            elif mark == "red":
                run.font.color.rgb = RGBColor(0xFF, 0, 0)


def save(document, tmp_path, name="bank.docx"):
    path = tmp_path / name
    document.save(path)
    return path


@pytest.mark.parametrize("mark", ["bold", "underline", "highlight", "star", "red"])
def test_the_marked_option_is_the_key(tmp_path, mark):
    document = new_document()
    add_question(document, "Câu 1:", "Thủ tục hành chính là gì?", mark=mark, key=0)
    add_question(document, "Câu 02.", "Thời hạn giải quyết là bao lâu?", mark=mark, key=3)
    records = read_docx(save(document, tmp_path))
    assert [r.correct for r in records] == [[0], [3]]
    assert records[0].text == "Thủ tục hành chính là gì?"
    assert records[1].choices == OPTIONS and records[1].source_row == 2


def test_marking_shared_by_every_option_is_styling_not_a_key(tmp_path):
    document = new_document()
    add_question(document, "Câu 1:", "Thủ tục hành chính là gì?", mark="underline", key=2, bold_labels=True)
    [record] = read_docx(save(document, tmp_path))
    assert record.correct == [2]


def test_several_marked_options_make_several_keys(tmp_path):
    document = new_document()
    add_question(document, "Câu 1:", "Hành vi nào bị nghiêm cấm?", mark="bold", key=1)
    document.paragraphs[-1].runs[1].bold = True  # D is bold too
    [record] = read_docx(save(document, tmp_path))
    assert record.correct == [1, 3]


def test_answer_list_line_at_the_end(tmp_path):
    document = new_document()
    for number in range(1, 4):
        add_question(document, f"Câu {number}:", f"Câu hỏi số {number} về một cửa?")
    document.add_paragraph("ĐÁP ÁN")
    document.add_paragraph("1-A, 2-C, 3-D")
    assert [r.correct for r in read_docx(save(document, tmp_path))] == [[0], [2], [3]]


def test_answer_list_line_without_a_heading(tmp_path):
    document = new_document()
    for number in range(1, 3):
        add_question(document, f"Câu {number}:", f"Câu hỏi số {number}?")
    document.add_paragraph("1.B; 2.C")
    assert [r.correct for r in read_docx(save(document, tmp_path))] == [[1], [2]]


def test_answer_table_at_the_end(tmp_path):
    document = new_document()
    for number in range(1, 4):
        add_question(document, f"Câu {number}:", f"Câu hỏi số {number}?")
    document.add_paragraph("BẢNG ĐÁP ÁN")
    table = document.add_table(rows=4, cols=2)
    for row, (number, letter) in zip(table.rows, [("Câu", "Đáp án"), ("1", "B"), ("2", "A"), ("Câu 3", "D")]):
        row.cells[0].text, row.cells[1].text = number, letter
    assert [r.correct for r in read_docx(save(document, tmp_path))] == [[1], [0], [3]]


def test_answer_table_laid_out_across(tmp_path):
    document = new_document()
    for number in range(1, 4):
        add_question(document, f"Câu {number}:", f"Câu hỏi số {number}?")
    table = document.add_table(rows=2, cols=4)
    for col, (number, letter) in enumerate([("Câu", "Đáp án"), ("1", "C"), ("2", "C"), ("3", "A")]):
        table.rows[0].cells[col].text, table.rows[1].cells[col].text = number, letter
    assert [r.correct for r in read_docx(save(document, tmp_path))] == [[2], [2], [0]]


def test_options_on_one_line_split_by_tabs_and_an_answer_line(tmp_path):
    document = new_document()
    document.add_paragraph("Câu 1: Ai công bố thủ tục hành chính?")
    paragraph = document.add_paragraph("A. Bộ trưởng\tB) Chủ tịch UBND tỉnh  C. Doanh nghiệp\t")
    paragraph.add_run("D. Cả A và B")
    document.add_paragraph("Đáp án: D")
    document.add_paragraph("Căn cứ: Khoản 1 Điều 15 Nghị định 63/2010/NĐ-CP")
    document.add_paragraph("Giải thích: Cả hai đều có thẩm quyền công bố.")
    document.add_paragraph("Mức độ: Khó")
    [record] = read_docx(save(document, tmp_path))
    assert record.choices == ["Bộ trưởng", "Chủ tịch UBND tỉnh", "Doanh nghiệp", "Cả A và B"]
    assert record.correct == [3] and record.difficulty == "hard"
    assert record.citation == "Khoản 1 Điều 15 Nghị định 63/2010/NĐ-CP"
    assert record.explanation == "Cả hai đều có thẩm quyền công bố."


def test_parts_become_topics_and_numbering_may_restart(tmp_path):
    document = new_document()
    document.add_paragraph("PHẦN I: NGHỊ ĐỊNH 63/2010/NĐ-CP")
    add_question(document, "Câu 1:", "Thủ tục hành chính là gì?", mark="bold", key=0)
    document.add_paragraph("Phần II")
    add_question(document, "Câu 1:", "Bộ phận Một cửa là gì?")
    add_question(document, "Câu 2:", "Ai đứng đầu Bộ phận Một cửa?")
    document.add_paragraph("ĐÁP ÁN PHẦN II")  # not a heading we know: ignored inside the answers
    document.add_paragraph("Câu 1: C, Câu 2: B")
    records = read_docx(save(document, tmp_path))
    assert [(r.topic, r.correct) for r in records] == [
        ("NGHỊ ĐỊNH 63/2010/NĐ-CP", [0]), ("Phần II", [2]), ("Phần II", [1])]


def test_faults_are_named_by_question_number(tmp_path):
    document = new_document()
    add_question(document, "Câu 1:", "Đủ và đúng?", mark="bold", key=0)
    add_question(document, "Câu 2:", "Không có đáp án?")
    add_question(document, "Câu 3:", "Chỉ một phương án?", options=["Duy nhất"], mark="bold", key=0)
    add_question(document, "Câu 4:", "Đánh dấu và bảng khác nhau?", mark="star", key=1)
    add_question(document, "Câu 5:", "", mark="bold", key=1)
    document.add_paragraph("ĐÁP ÁN")
    document.add_paragraph("4-C, 9-A")
    with pytest.raises(ImportFailed) as failure:
        read_docx(save(document, tmp_path))
    messages = [str(issue) for issue in failure.value.issues]
    assert messages == [
        "Câu 2: không xác định được đáp án đúng: hãy in đậm, gạch chân hoặc tô màu phương án đúng, "
        "thêm dấu * trước nó, hoặc ghi bảng đáp án cuối tệp",
        "Câu 3: cần ít nhất hai phương án",
        "Câu 4: đáp án không thống nhất: đánh dấu trong câu là B; bảng đáp án là C",
        "Câu 5: thiếu nội dung câu hỏi",
        "Câu 9, bảng đáp án: có đáp án nhưng tệp không có câu hỏi số này",
    ]
    assert failure.value.issues[0] == ImportIssue(2, "", failure.value.issues[0].message, unit=QUESTION)


def test_a_stray_line_after_the_options_is_reported_not_swallowed(tmp_path):
    document = new_document()
    add_question(document, "Câu 1:", "Hỏi?", mark="bold", key=0)
    document.add_paragraph("II. LUẬT TIẾP CẬN THÔNG TIN")
    with pytest.raises(ImportFailed) as failure:
        read_docx(save(document, tmp_path))
    assert str(failure.value).startswith("Câu 1: sau các phương án có dòng không nhận ra: “II. LUẬT")


def test_repeated_numbers_add_the_part_to_the_location(tmp_path):
    document = new_document()
    document.add_paragraph("PHẦN I: Nghị định 63/2010/NĐ-CP")
    add_question(document, "Câu 1:", "Hỏi?", mark="bold", key=0)
    document.add_paragraph("PHẦN II: Nghị định 61/2018/NĐ-CP")
    add_question(document, "Câu 1:", "Hỏi gì?")
    with pytest.raises(ImportFailed) as failure:
        read_docx(save(document, tmp_path))
    assert str(failure.value).startswith("Câu 1, Phần II: không xác định được đáp án đúng")


def test_a_document_without_questions_is_refused(tmp_path):
    document = new_document()
    document.add_paragraph("Chưa có câu hỏi.")
    with pytest.raises(ImportFailed) as failure:
        read_docx(save(document, tmp_path))
    assert "không tìm thấy câu hỏi nào" in str(failure.value)


def test_a_file_that_is_not_a_document_is_refused(tmp_path):
    path = tmp_path / "bank.docx"
    path.write_text("không phải tệp Word")
    with pytest.raises(ImportFailed) as failure:
        read_docx(path)
    assert "không đọc được tệp .docx" in str(failure.value)

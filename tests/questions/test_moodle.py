"""Moodle interchange: GIFT, Aiken and Moodle XML, read from hand-written samples and round-tripped."""
import pytest

from questions.aiken import format_aiken, parse_aiken, read_aiken, write_aiken
from questions.gift import parse_gift, read_gift, write_gift
from questions.moodle import category_path, topic_from_category
from questions.moodlexml import parse_moodle_xml, read_moodle_xml, write_moodle_xml
from questions.records import ImportFailed, QuestionRecord
from tests.questions.samples import question_only, sample_records, without_source

GIFT_SAMPLE = """// Ngân hàng câu hỏi tuần 1 — thủ tục hành chính
$CATEGORY: $course$/top/Cuộc thi/Kiểm soát thủ tục hành chính

// [tag:Mức độ: Dễ] [tag:Đối tượng: CBCCVC]
::Câu 1::Theo Nghị định 63/2010/NĐ-CP, thủ tục hành chính được công bố ở đâu?{
  =Cơ sở dữ liệu quốc gia về thủ tục hành chính#Đúng vậy
  ~Cổng thông tin của doanh nghiệp
  ~Bảng tin của thôn, tổ dân phố
  ####Căn cứ\\: Điều 15 Nghị định 63/2010/NĐ-CP\\nCông khai để người dân tra cứu.
}

Cán bộ được nhận quà của người đến làm thủ tục hành chính.{FALSE}

// Nhiều đáp án đúng
Những hành vi nào bị nghiêm cấm? {~%50%Nhũng nhiễu ~%50%Gây phiền hà ~%-100%Hướng dẫn tận tình}

Thời hạn giải quyết là {=05 ~06 ~07} ngày làm việc.
"""


def test_gift_sample_from_a_moodle_teacher():
    records = parse_gift(GIFT_SAMPLE)
    first, second, third, fourth = records
    assert first.text == "Theo Nghị định 63/2010/NĐ-CP, thủ tục hành chính được công bố ở đâu?"
    assert first.choices[0] == "Cơ sở dữ liệu quốc gia về thủ tục hành chính" and first.correct == [0]
    assert first.topic == "Kiểm soát thủ tục hành chính" and first.difficulty == "easy"
    assert first.audience == "CBCCVC" and first.source_row == 5
    assert first.citation == "Điều 15 Nghị định 63/2010/NĐ-CP"
    assert first.explanation == "Công khai để người dân tra cứu."
    assert (second.choices, second.correct) == (["Đúng", "Sai"], [1])
    assert third.correct == [0, 1]
    assert fourth.text == "Thời hạn giải quyết là _____ ngày làm việc."
    assert fourth.choices == ["05", "06", "07"]


def test_gift_faults_are_named_by_line():
    text = ("Câu hỏi tự luận?{}\n\n"
            "Trả lời ngắn?{=Hà Nội}\n\n"
            "Không có ngoặc\n\n"
            "// [tag:Mức độ: Rất khó]\nĐủ cả?{=Có ~Không}\n\n"
            "Trùng?{=Một ~một}\n")
    with pytest.raises(ImportFailed) as failure:
        parse_gift(text)
    assert [str(issue) for issue in failure.value.issues] == [
        "Dòng 1: câu hỏi tự luận (không có phương án) không được hỗ trợ",
        "Dòng 3: câu hỏi trả lời ngắn không được hỗ trợ, chỉ nhận trắc nghiệm hoặc đúng/sai",
        "Dòng 5: thiếu phần phương án trong ngoặc { … }",
        "Dòng 8: thẻ “Mức độ: Rất khó”: mức độ phải là Dễ, Trung bình hoặc Khó",
        "Dòng 10: có hai phương án trùng nhau",
    ]


def test_gift_round_trip_keeps_every_field(tmp_path):
    records = sample_records()
    write_gift(records, tmp_path / "bank.gift")
    assert without_source(read_gift(tmp_path / "bank.gift")) == without_source(records)


AIKEN_SAMPLE = """Cơ quan nào chủ trì kiểm soát thủ tục hành chính?
A. Văn phòng Chính phủ
B. Bộ Tài chính
C) Bộ Nội vụ
ANSWER: A

Thời hạn công bố thủ tục hành chính
trước khi có hiệu lực là bao nhiêu ngày?
A. 05 ngày
B. 20 ngày
Đáp án: B
"""


def test_aiken_sample():
    first, second = parse_aiken(AIKEN_SAMPLE)
    assert first.choices == ["Văn phòng Chính phủ", "Bộ Tài chính", "Bộ Nội vụ"] and first.correct == [0]
    assert second.text == "Thời hạn công bố thủ tục hành chính trước khi có hiệu lực là bao nhiêu ngày?"
    assert second.choices == ["05 ngày", "20 ngày"] and second.correct == [1] and second.source_row == 7


def test_aiken_faults_are_named_by_line():
    text = ("Câu một?\nA. x\nB. y\nANSWER: E\n\n"
            "Câu hai?\nA. x\nC. y\nANSWER: A\n\n"
            "Câu ba?\nA. x\nB. y\nCâu bốn?\nA. x\nB. y\nANSWER: B\n")
    with pytest.raises(ImportFailed) as failure:
        parse_aiken(text)
    assert [str(issue) for issue in failure.value.issues] == [
        "Dòng 4: đáp án chỉ tới phương án không có",
        "Dòng 6: phương án phải theo thứ tự A, B, C…, tệp ghi A, C",
        "Dòng 11: câu hỏi thiếu dòng “ANSWER: …” sau các phương án",
    ]


def test_aiken_round_trip_keeps_question_options_and_key(tmp_path):
    records = question_only([r for r in sample_records() if len(r.correct) == 1])
    write_aiken(records, tmp_path / "bank.aiken")
    assert without_source(read_aiken(tmp_path / "bank.aiken")) == records


def test_aiken_cannot_hold_several_keys():
    with pytest.raises(ValueError, match="câu 2"):
        format_aiken(sample_records())


MOODLE_XML_SAMPLE = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category">
    <category><text>$course$/top/Default for Cải cách hành chính/Một cửa</text></category>
  </question>
  <question type="multichoice">
    <name><text>Câu 1</text></name>
    <questiontext format="html">
      <text><![CDATA[<p dir="ltr">Bộ phận Một cửa cấp tỉnh <b>đặt tại</b> đâu?</p>]]></text>
    </questiontext>
    <generalfeedback format="html">
      <text><![CDATA[<p>Căn cứ: Điều 7 Nghị định 61/2018/NĐ-CP</p>]]></text>
    </generalfeedback>
    <single>true</single>
    <answer fraction="100" format="html">
      <text><![CDATA[<p>Trung tâm Phục vụ hành chính công&nbsp;tỉnh</p>]]></text>
    </answer>
    <answer fraction="0" format="html"><text>&lt;p&gt;Ủy ban nhân dân xã&lt;/p&gt;</text></answer>
    <tags>
      <tag><text>Mức độ: Khó</text></tag><tag><text>tuần 2</text></tag><tag><text>Trạng thái: Nháp</text></tag>
    </tags>
  </question>
  <question type="description"><name><text>Ghi chú</text></name></question>
  <question type="truefalse">
    <name><text>Câu 2</text></name>
    <questiontext format="moodle_auto_format"><text>Hồ sơ được trả kết quả qua bưu chính công ích.</text></questiontext>
    <answer fraction="100" format="moodle_auto_format"><text>true</text></answer>
    <answer fraction="0" format="moodle_auto_format"><text>false</text></answer>
  </question>
  <question type="multichoice">
    <name><text>Câu 3</text></name>
    <questiontext format="html"><text>Chọn các phương án đúng</text></questiontext>
    <single>false</single>
    <answer fraction="50"><text>06</text></answer>
    <answer fraction="50"><text>07</text></answer>
    <answer fraction="-100"><text>08</text></answer>
  </question>
</quiz>
"""


def test_moodle_xml_sample_exported_by_moodle():
    first, second, third = parse_moodle_xml(MOODLE_XML_SAMPLE.encode())
    assert first.text == "Bộ phận Một cửa cấp tỉnh đặt tại đâu?"
    assert first.choices == ["Trung tâm Phục vụ hành chính công tỉnh", "Ủy ban nhân dân xã"]
    assert first.correct == [0] and first.topic == "Một cửa" and first.difficulty == "hard"
    assert first.status == "draft" and first.citation == "Điều 7 Nghị định 61/2018/NĐ-CP"
    assert (second.choices, second.correct, second.status) == (["Đúng", "Sai"], [0], None)
    assert third.choices == ["06", "07", "08"] and third.correct == [0, 1]
    assert [r.source_row for r in (first, second, third)] == [1, 2, 3]


def test_moodle_xml_faults_are_named_by_question_number():
    xml = """<quiz>
      <question type="multichoice"><questiontext format="html"><text>Đủ?</text></questiontext>
        <answer fraction="100"><text>Có</text></answer><answer fraction="0"><text>Không</text></answer></question>
      <question type="shortanswer"><questiontext><text>Thủ đô?</text></questiontext></question>
      <question type="multichoice"><questiontext format="html"><text>Không có đáp án?</text></questiontext>
        <answer fraction="0"><text>Có</text></answer><answer fraction="0"><text>Không</text></answer></question>
      <question type="multichoice"><questiontext format="html"><text>Một phương án</text></questiontext>
        <answer fraction="100"><text>Có</text></answer></question>
    </quiz>"""
    with pytest.raises(ImportFailed) as failure:
        parse_moodle_xml(xml.encode())
    assert [str(issue) for issue in failure.value.issues] == [
        "Câu 2: loại câu hỏi “shortanswer” không được hỗ trợ, chỉ nhận trắc nghiệm (multichoice) "
        "hoặc đúng/sai (truefalse)",
        "Câu 3, đáp án: chưa có đáp án đúng",
        "Câu 4, phương án: cần ít nhất hai phương án",
    ]


def test_moodle_xml_round_trip_keeps_every_field(tmp_path):
    records = sample_records()
    write_moodle_xml(records, tmp_path / "bank.xml")
    assert without_source(read_moodle_xml(tmp_path / "bank.xml")) == without_source(records)


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE quiz [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<quiz><question type="multichoice"><questiontext><text>&lol9;</text></questiontext></question></quiz>
"""


def test_billion_laughs_is_refused_before_expansion(tmp_path):
    path = tmp_path / "bomb.xml"
    path.write_text(BILLION_LAUGHS)
    with pytest.raises(ImportFailed) as failure:
        read_moodle_xml(path)
    assert "DTD hoặc thực thể" in str(failure.value)


def test_external_entity_is_refused():
    xml = b'<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY x SYSTEM "file:///etc/passwd">]><quiz>&x;</quiz>'
    with pytest.raises(ImportFailed, match="DTD"):
        parse_moodle_xml(xml)


def test_broken_xml_names_its_line():
    with pytest.raises(ImportFailed) as failure:
        parse_moodle_xml("<quiz>\n<question>\n</quiz>".encode())
    assert "dòng 3" in str(failure.value)


@pytest.mark.parametrize("topic", ["", "Một cửa", "Nghị định 63/2010/NĐ-CP", "/mở đầu", "kết thúc/", "a//b", "top"])
def test_category_paths_carry_any_topic(topic):
    assert topic_from_category(category_path(topic)) == topic


def test_true_false_record_is_written_as_moodle_true_false(tmp_path):
    record = QuestionRecord(text="Đúng hay sai?", choices=["Đúng", "Sai"], correct=[0])
    write_moodle_xml([record], tmp_path / "tf.xml")
    assert 'type="truefalse"' in (tmp_path / "tf.xml").read_text(encoding="utf-8")
    write_gift([record], tmp_path / "tf.gift")
    assert "TRUE" in (tmp_path / "tf.gift").read_text(encoding="utf-8")

"""Realistic records about thủ tục hành chính, shared by the format tests."""
from dataclasses import replace

from questions.records import QuestionRecord


def sample_records() -> list[QuestionRecord]:
    """A small bank touching every field: two topics, several keys, true/false, awkward texts."""
    return [
        QuestionRecord(
            text="Theo Nghị định 63/2010/NĐ-CP, “thủ tục hành chính” được hiểu là:",
            choices=["Trình tự, cách thức thực hiện, hồ sơ và yêu cầu, điều kiện do cơ quan nhà nước quy định",
                     "Các loại phí, lệ phí mà cá nhân, tổ chức phải nộp",
                     "Quy chế làm việc của cơ quan hành chính", "06"],
            correct=[0], topic="Quy định chung", difficulty="easy",
            citation="Khoản 1 Điều 3 Nghị định 63/2010/NĐ-CP",
            explanation="Định nghĩa tại khoản 1 Điều 3.", audience="CBCCVC", status="approved"),
        QuestionRecord(
            text="Những hành vi nào bị nghiêm cấm khi giải quyết thủ tục hành chính?",
            choices=["Nhũng nhiễu, gây phiền hà", "Tiếp nhận hồ sơ đúng hẹn",
                     "Từ chối thực hiện thủ tục hành chính đã được công bố", "=SUM(A1)"],
            correct=[0, 2], topic="Quy định chung", difficulty="hard",
            citation="Điều 5 Nghị định 63/2010/NĐ-CP", explanation="", audience="CBCCVC", status="draft"),
        QuestionRecord(
            text="Bộ phận Một cửa tiếp nhận hồ sơ theo thời hạn 05 ngày làm việc: đúng hay sai?",
            choices=["Đúng", "Sai"], correct=[1], topic="Cơ chế một cửa: Nghị định 61/2018/NĐ-CP",
            difficulty="medium", citation="", explanation="Căn cứ: thời hạn do từng thủ tục quy định.",
            audience="Người dân", status=None),
        QuestionRecord(
            text="Giá trị nào < 10 & lớn hơn 5? {a -> b} # ~ = : \\ 100%",
            choices=["-5", "+7", "@8 #x", "%50% phần trăm"], correct=[2], topic="",
            difficulty="medium", citation="Điểm d Khoản 1 Điều 6 Nghị định 63/2010/NĐ-CP",
            explanation="Giải thích có dấu “ngoặc kép” và 'nháy đơn'.", audience="", status="retired"),
    ]


def without_source(records: list[QuestionRecord]) -> list[QuestionRecord]:
    """Records with where-found cleared, for comparing what two formats carry."""
    return [replace(record, source_row=0) for record in records]


def question_only(records: list[QuestionRecord]) -> list[QuestionRecord]:
    """Records with only what Aiken carries: text, choices and key."""
    return [QuestionRecord(text=r.text, choices=list(r.choices), correct=list(r.correct)) for r in records]

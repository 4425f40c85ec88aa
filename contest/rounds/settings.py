"""Round settings as organizers type them: quotas, labels. Pure text rules, no Flask, no database."""
from questions.records import DIFFICULTY_BY_LABEL, DIFFICULTY_LABELS
from questions.text import clean, fold

COUNTING_RULES = {"best": "Lần có kết quả cao nhất", "first": "Lần thi đầu tiên", "last": "Lần thi cuối cùng"}
REVIEW_POLICIES = {"after_close": "Đáp án và căn cứ sau khi vòng thi kết thúc",
                   "immediate": "Đáp án và căn cứ ngay sau khi nộp bài",
                   "score_only": "Chỉ điểm và thời gian"}
PREDICTION_KINDS = {"": "Không có câu dự đoán",
                    "perfect_papers": "Dự đoán số bài thi trả lời đúng tất cả các câu",
                    "perfect_people": "Dự đoán số người có bài thi trả lời đúng tất cả các câu",
                    "entries": "Dự đoán số bài thi được nộp (lượt dự thi)",
                    "participants": "Dự đoán số người tham gia (có bài thi được nộp)"}
# The question each kind asks when the organizer leaves the wording blank: it names exactly the figure
# the round counts (contest.leaderboards.services.prediction_truth).
PREDICTION_PROMPTS = {
    "perfect_papers": "Theo bạn, vòng thi này sẽ có bao nhiêu bài thi trả lời đúng tất cả các câu hỏi?",
    "perfect_people": "Theo bạn, vòng thi này sẽ có bao nhiêu người có bài thi trả lời đúng tất cả các câu hỏi?",
    "entries": "Theo bạn, vòng thi này sẽ có bao nhiêu bài thi được nộp (tính cả nhiều lần thi của một người)?",
    "participants": "Theo bạn, vòng thi này sẽ có bao nhiêu người tham gia (có ít nhất một bài thi được nộp)?",
}
# Why a round allowing several attempts cannot show the answers at once (the round form says it).
IMMEDIATE_REVIEW_REFUSED = ("Không thể cho xem đáp án ngay sau khi nộp bài khi vòng thi cho thi nhiều lần: "
                            "đáp án của lần trước sẽ giúp làm lần sau. Chọn “sau khi vòng thi kết thúc” "
                            "hoặc đặt số lần thi tối đa là 1.")


def prediction_prompt(kind: str | None, prompt: str = "") -> str:
    """The prediction question as the paper shows it: the organizer's wording, or the kind's own."""
    return prompt or PREDICTION_PROMPTS.get(kind or "", "")


# What organizers call each setting of a round (the change log and the audit log name them so).
SETTING_LABELS = {"name": "Tên vòng thi", "bank_id": "Ngân hàng câu hỏi", "stream_banks": "Ngân hàng riêng theo khối",
                  "opens_at": "Thời điểm mở", "closes_at": "Thời điểm đóng", "time_limit_seconds": "Thời gian làm bài",
                  "question_count": "Số câu hỏi mỗi lượt", "attempts_allowed": "Số lần thi tối đa",
                  "counting_rule": "Lần thi được tính", "quotas": "Định mức câu hỏi",
                  "prediction_kind": "Câu hỏi dự đoán", "prediction_prompt": "Nội dung câu dự đoán",
                  "is_all_required": "Bắt buộc trả lời tất cả", "review_policy": "Xem đáp án sau khi nộp"}


def parse_quotas(text: str) -> list[dict]:
    """Read quota lines "Chủ đề | Mức độ | Số câu" (topic or difficulty may be blank); ValueError names the line."""
    quotas = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [clean(part) for part in line.split("|")]
        if len(parts) != 3:
            raise ValueError(f"Dòng {number}: cần 3 phần “Chủ đề | Mức độ | Số câu”.")
        topic, difficulty_label, count = parts
        difficulty = DIFFICULTY_BY_LABEL.get(fold(difficulty_label), "") if difficulty_label else ""
        if difficulty_label and not difficulty:
            raise ValueError(f"Dòng {number}: mức độ “{difficulty_label}” không phải Dễ, Trung bình hoặc Khó.")
        if not count.isdigit() or int(count) == 0:
            raise ValueError(f"Dòng {number}: số câu phải là số nguyên dương.")
        quotas.append({"topic": topic, "difficulty": difficulty, "count": int(count)})
    return quotas


def format_quotas(quotas: list[dict]) -> str:
    """Quotas back as the lines organizers type."""
    return "\n".join(f"{q['topic']} | {DIFFICULTY_LABELS.get(q['difficulty'], '')} | {q['count']}" for q in quotas or [])

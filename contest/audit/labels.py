"""The audit log in words: what each recorded action, target and detail means to an organizer.

Actions are stored as stable codes ("round.edit") so the log can be filtered and exported; the page
shows them through these tables. Every code recorded anywhere must have a label here
(tests/audit checks the source for that); anything unknown still reads as Vietnamese.
"""
from dataclasses import dataclass
from datetime import datetime

from contest.accounts.models import ROLE_LABELS, Role
from contest.audit.models import AuditEntry
from contest.clock import format_datetime
from contest.legal.models import DOCUMENT_STATUSES
from contest.rounds.settings import SETTING_LABELS
from questions.records import STATUS_LABELS

ACTION_LABELS = {
    "account.create": "Tạo tài khoản",
    "account.password_set": "Đặt mật khẩu (dòng lệnh)",
    "account.password_reset": "Cấp mật khẩu tạm thời",
    "account.correct": "Sửa thông tin tài khoản",
    "account.login_challenged": "Đăng nhập sai nhiều lần: yêu cầu xác minh chống máy",
    "account.challenge_passed": "Đăng nhập đúng sau khi qua xác minh chống máy",
    "account.password_reset_requested": "Yêu cầu đặt lại mật khẩu qua email",
    "account.password_reset_by_mail": "Đặt lại mật khẩu bằng liên kết qua email",
    "account.sessions_ended": "Kết thúc phiên đăng nhập",
    "account.registration_repeated": "Đăng ký lại bằng email đã có tài khoản",
    "account.email_confirmed": "Xác nhận email đăng ký",
    "agencies.import": "Nhập danh sách đơn vị",
    "contest.save": "Lưu thiết lập cuộc thi",
    "legal.import": "Nhập văn bản pháp luật",
    "legal.edit": "Sửa thông tin văn bản",
    "legal.status": "Đổi tình trạng văn bản",
    "legal.draft_questions": "Đề xuất câu hỏi nháp từ văn bản",
    "question.edit": "Sửa câu hỏi",
    "question.flag": "Đánh dấu câu hỏi cần rà soát",
    "question.review_confirm_question": "Xác nhận câu hỏi cần rà soát vẫn đúng",
    "question.review_retire_flagged": "Ngừng dùng câu hỏi cần rà soát",
    "questions.import": "Nhập câu hỏi",
    "questions.status": "Đổi trạng thái câu hỏi",
    "questions.retire_by_document": "Ngừng dùng câu hỏi theo văn bản",
    "round.create": "Tạo vòng thi",
    "round.edit": "Sửa vòng thi",
    "round.freeze": "Đặt thời điểm đóng băng bảng xếp hạng",
    "round.publish": "Công bố kết quả",
    "round.settle": "Chốt kết quả vòng thi (bài còn mở được nộp, con số dự đoán và thứ tự chung cuộc được cố định)",
    "round.correct": "Điều chỉnh kết quả đã chốt (rút các chữ ký đã có)",
    "prize_rules.set": "Đặt cơ cấu giải",
    "prize.exclude": "Loại bài thi khỏi xét giải",
    "prize.reinstate": "Khôi phục bài thi",
    "prize.sign": "Ký duyệt danh sách đạt giải",
    "prize.freeze": "Chốt kết quả (đủ chữ ký)",
    "live.create": "Tạo hội thi trực tiếp",
    "live.team.add": "Thêm đội thi",
    "live.team.remove": "Bỏ đội thi",
    "live.segment.add": "Thêm phần thi",
    "live.questions.choose": "Chọn câu hỏi cho phần thi",
    "live.judges": "Chọn giám khảo hội thi",
    "live.rehearsal.start": "Bắt đầu diễn tập",
    "live.rehearsal.finish": "Kết thúc diễn tập",
    "live.rehearsal.end": "Hủy lượt diễn tập",
    "live.start": "Bắt đầu hội thi",
    "live.mark": "Chấm câu trả lời (người dẫn chương trình)",
    "live.correct": "Sửa điểm (có lý do)",
    "live.finish": "Kết thúc hội thi",
    "live.sign": "Ký duyệt bảng kết quả hội thi",
    "live.freeze": "Chốt kết quả hội thi (đủ chữ ký)",
    "live.publish": "Công bố kết quả hội thi",
    "results.publish": "Công bố kết quả vòng thi (đã đủ chữ ký)",
    "results.participation": "Cấp giấy chứng nhận tham gia cho mọi thí sinh đã nộp bài",
    "certificate.issue": "Cấp giấy chứng nhận",
    "certificate.batch": "Cấp giấy chứng nhận hàng loạt",
    "certificates.build": "Tạo tệp giấy chứng nhận (PDF) của vòng thi",
}

TARGET_LABELS = {"round": "Vòng thi", "contest": "Cuộc thi", "question": "Câu hỏi", "bank": "Ngân hàng câu hỏi",
                 "legal_document": "Văn bản", "user": "Tài khoản", "agency": "Đơn vị",
                 "live_event": "Hội thi trực tiếp"}

DETAIL_LABELS = {
    "prediction_truth": "Con số thực tế của câu dự đoán", "signatures_withdrawn": "Số chữ ký bị rút",
    "snapshot_withdrawn": "Rút kết quả đã ký", "prediction_truth_before": "Con số dự đoán trước điều chỉnh",
    "prediction_truth_after": "Con số dự đoán sau điều chỉnh",
    "name": "Tên", "title": "Tên", "changed": "Đã đổi", "count": "Số lượng", "status": "Trạng thái",
    "ids": "Câu hỏi", "previous": "Câu hỏi trước khi sửa", "new_version": "Thành phiên bản mới", "bank": "Ngân hàng",
    "added": "Số câu thêm", "skipped": "Số câu bỏ qua (đã có)", "file": "Tệp", "articles": "Số điều",
    "replaced_by": "Văn bản thay thế", "changed_on": "Từ ngày", "article": "Điều", "freeze_at": "Đóng băng từ",
    "email": "Email", "role": "Vai trò", "reason": "Lý do", "stream": "Khối", "rules": "Cơ cấu giải",
    "contestant": "Thí sinh", "checksum": "Mã kiểm tra", "created": "Đơn vị thêm", "updated": "Đơn vị cập nhật",
    "moved": "Đơn vị chuyển cấp trên", "full_name": "Họ và tên", "phone": "Số điện thoại", "citizen_id": "Số CCCD",
    "agency_id": "Đơn vị", "contest": "Cuộc thi",
    "amendments": "Số nội dung sửa đổi ghi nhận", "unplaced": "Số hướng dẫn sửa đổi chưa xác định được",
    "flagged": "Số câu hỏi cần rà soát", "flags": "Số cờ rà soát", "note": "Ghi chú", "review": "Mã rà soát",
    "after": "Sau", "before": "Trước", "code": "Mã hội thi", "correct": "Đúng", "judges": "Giám khảo",
    "kind": "Loại", "points": "Điểm", "question": "Câu hỏi", "questions": "Câu hỏi", "rehearsal": "Diễn tập",
    "segment": "Phần thi", "team": "Đội", "participation": "Cấp giấy chứng nhận tham gia",
    "certificate": "Mã giấy chứng nhận",
    "pages": "Số giấy chứng nhận", "job": "Mã công việc",
    "segment": "Phần thi", "team": "Đội", "address": "Địa chỉ IP", "limit": "Giới hạn bị vượt",
}

# Why sessions ended ("account.sessions_ended") and which count reached its limit ("account.login_challenged").
SESSION_END_REASONS = {
    "logout": "Đăng xuất", "idle": "Không dùng quá lâu", "password_changed": "Chủ tài khoản đổi mật khẩu",
    "password_reset_by_mail": "Đặt lại mật khẩu qua email", "password_set": "Đặt mật khẩu (dòng lệnh)",
    "password_reset_by_organizer": "Ban tổ chức cấp mật khẩu tạm thời",
    "ended_by_owner": "Chủ tài khoản đăng xuất phiên ở nơi khác",
}
LIMIT_LABELS = {"ai": "Một tài khoản từ một địa chỉ", "a": "Một tài khoản từ mọi địa chỉ",
                "i": "Một địa chỉ cho mọi tài khoản"}


@dataclass
class Described:
    """An audit entry as the log page shows it."""

    entry: AuditEntry
    action: str
    target: str
    details: list[tuple[str, str]]


def _value(key: str, value, action: str) -> str:
    """A detail's value in words."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if key == "changed":
        return ", ".join(SETTING_LABELS.get(part.strip(), "thiết lập khác") for part in str(value).split(","))
    if key == "status":
        return (DOCUMENT_STATUSES if action.startswith("legal.") else STATUS_LABELS).get(value, str(value))
    if key == "reason" and action == "account.sessions_ended":
        return SESSION_END_REASONS.get(value, str(value))
    if key == "limit":
        return LIMIT_LABELS.get(value, str(value))
    if key == "role":
        return ROLE_LABELS[Role(value)] if value in {role.value for role in Role} else str(value)
    if key in ("freeze_at", "changed_on") and isinstance(value, str) and value[:4].isdigit():
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return value
        return format_datetime(parsed) if parsed.tzinfo else parsed.strftime("%d/%m/%Y")
    if key in ("replaced_by", "contestant", "previous", "agency_id") and isinstance(value, int):
        return f"#{value}"
    return str(value)


def describe(entry: AuditEntry) -> Described:
    """The entry's action, target and details in Vietnamese."""
    target = TARGET_LABELS.get(entry.target_type, "")
    if target and entry.target_id:
        target += f" #{entry.target_id}"
    details = [(DETAIL_LABELS.get(key, "Thông tin khác"), _value(key, value, entry.action))
               for key, value in sorted((entry.details or {}).items())]
    return Described(entry=entry, action=ACTION_LABELS.get(entry.action, "Thao tác khác"), target=target,
                     details=details)

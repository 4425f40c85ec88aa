"""The organizer's round form."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from contest.clock import parse_local_datetime
from contest.rounds.settings import COUNTING_RULES, PREDICTION_KINDS, REVIEW_POLICIES, parse_quotas


class LocalDateTimeField(StringField):
    """A date-time typed as dd/mm/yyyy HH:MM in Vietnam's time, held as a UTC instant."""

    def process_formdata(self, valuelist):
        """Parse the typed text; a malformed value is reported by the form."""
        super().process_formdata(valuelist)
        self.instant = None
        if self.data:
            try:
                self.instant = parse_local_datetime(self.data)
            except ValueError:
                raise ValidationError("Nhập theo dạng ngày/tháng/năm giờ:phút, ví dụ 01/12/2026 08:00.")


class RoundForm(FlaskForm):
    """Create or edit a round."""

    contest_id = SelectField("Cuộc thi", coerce=int)
    bank_id = SelectField("Ngân hàng câu hỏi", coerce=int)
    name = StringField("Tên vòng thi", validators=[DataRequired("Nhập tên vòng thi.")])
    opens_at = LocalDateTimeField("Mở lúc (dd/mm/yyyy HH:MM)", validators=[DataRequired("Nhập thời điểm mở.")])
    closes_at = LocalDateTimeField("Đóng lúc (dd/mm/yyyy HH:MM)", validators=[DataRequired("Nhập thời điểm đóng.")])
    time_limit_minutes = IntegerField("Thời gian làm bài (phút)", default=15,
                                      validators=[NumberRange(1, 600, "Từ 1 đến 600 phút.")])
    question_count = IntegerField("Số câu hỏi mỗi lượt", default=10,
                                  validators=[NumberRange(1, 200, "Từ 1 đến 200 câu.")])
    attempts_allowed = IntegerField("Số lần thi tối đa (để trống: không giới hạn)",
                                    validators=[Optional(), NumberRange(1, 100, "Từ 1 đến 100 lần.")])
    counting_rule = SelectField("Lần thi được tính", choices=list(COUNTING_RULES.items()))
    quotas = TextAreaField("Định mức câu hỏi (mỗi dòng: Chủ đề | Mức độ | Số câu; để trống: rút ngẫu nhiên)",
                           validators=[Optional(), Length(max=5000)])
    prediction_kind = SelectField("Câu hỏi dự đoán", choices=list(PREDICTION_KINDS.items()))
    prediction_prompt = StringField("Nội dung câu dự đoán (để trống: dùng câu mặc định)", validators=[Length(max=500)])
    is_all_required = BooleanField("Bắt buộc trả lời tất cả các câu")
    review_policy = SelectField("Sau khi nộp bài, thí sinh xem", choices=list(REVIEW_POLICIES.items()))

    def validate_quotas(self, field):
        """Quota lines must read as topic | difficulty | count."""
        try:
            self.quota_list = parse_quotas(field.data)
        except ValueError as error:
            raise ValidationError(str(error))

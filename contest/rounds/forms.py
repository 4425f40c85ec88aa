"""The organizer's round form."""
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, NumberRange, Optional, ValidationError

from contest.clock import parse_local_datetime


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
    """Create a round."""

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

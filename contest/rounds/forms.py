"""The organizer's contest and round forms."""
import re

from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from contest.agencies.forms import AgencyField
from contest.clock import parse_local_datetime
from contest.forms import Form, options
from contest.rounds.settings import COUNTING_RULES, PREDICTION_KINDS, REVIEW_POLICIES, parse_quotas
from contest.security.bounds import bounded_int


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


class Between(NumberRange):
    """NumberRange that stays quiet when the value could not be read (the field already says why)."""

    def __call__(self, form, field):
        if field.data is not None:
            super().__call__(form, field)


class RoundForm(Form):
    """Create or edit a round."""

    contest_id = SelectField("Cuộc thi", coerce=bounded_int)
    bank_id = SelectField("Ngân hàng câu hỏi", coerce=bounded_int)
    name = StringField("Tên vòng thi", validators=[DataRequired("Nhập tên vòng thi.")])
    opens_at = LocalDateTimeField("Mở lúc", validators=[DataRequired("Nhập thời điểm mở.")])
    closes_at = LocalDateTimeField("Đóng lúc", validators=[DataRequired("Nhập thời điểm đóng.")])
    time_limit_minutes = IntegerField("Thời gian làm bài (phút)", default=15,
                                      validators=[Between(1, 600, "Từ 1 đến 600 phút.")])
    question_count = IntegerField("Số câu hỏi mỗi lượt", default=10,
                                  validators=[Between(1, 200, "Từ 1 đến 200 câu.")])
    attempts_allowed = IntegerField("Số lần thi tối đa (để trống: không giới hạn)",
                                    validators=[Optional(), NumberRange(1, 100, "Từ 1 đến 100 lần.")])
    counting_rule = SelectField("Lần thi được tính", choices=options(COUNTING_RULES.items()))
    quotas = TextAreaField("Định mức câu hỏi (để trống: rút ngẫu nhiên cả ngân hàng)",
                           validators=[Optional(), Length(max=5000)])
    prediction_kind = SelectField("Câu hỏi dự đoán", choices=options(PREDICTION_KINDS.items()))
    prediction_prompt = StringField("Nội dung câu dự đoán (để trống: dùng câu mặc định)", validators=[Length(max=500)])
    is_all_required = BooleanField("Bắt buộc trả lời tất cả các câu")
    is_flagged_excluded = BooleanField("Không rút các câu hỏi cần rà soát (điều, khoản đã thay đổi sau khi soạn câu)",
                                       default=True)
    review_policy = SelectField("Sau khi nộp bài, thí sinh xem", choices=options(REVIEW_POLICIES.items()))
    stream_banks = TextAreaField("Ngân hàng riêng theo khối (để trống: mọi khối dùng chung)",
                                 validators=[Optional(), Length(max=2000)])

    def validate_quotas(self, field):
        """Quota lines must read as topic | difficulty | count."""
        try:
            self.quota_list = parse_quotas(field.data)
        except ValueError as error:
            raise ValidationError(str(error))


class ContestForm(Form):
    """Create or edit a contest: its rules, who may take part and how results are ranked."""

    title = StringField("Tên cuộc thi", validators=[DataRequired("Nhập tên cuộc thi."), Length(max=300)])
    slug = StringField("Mã cuộc thi (chữ không dấu, gạch nối)", validators=[DataRequired("Nhập mã."), Length(max=100)])
    organizers = TextAreaField("Đơn vị tổ chức", validators=[Length(max=2000)],
                               description="Mỗi dòng một đơn vị, hiện dưới tên cuộc thi trên trang chủ, ví dụ: "
                                           "Ban Tổ chức: Sở Tư pháp tỉnh Bình An.")
    rules_text = TextAreaField("Thể lệ", validators=[Length(max=20000)])
    eligible_agency_id = AgencyField("Đơn vị được dự thi (cả cấp dưới)")
    streams = StringField("Khối dự thi (phân cách bằng dấu phẩy)", default="CBCCVC")
    overall_rule = SelectField("Xếp hạng toàn cuộc thi", choices=options([("sum", "Tổng điểm các vòng"),
                                                                          ("best_round", "Vòng có kết quả cao nhất")]))
    name_mask = SelectField("Tên trên bảng xếp hạng công khai", choices=options([
        ("initials", "Nguyễn V. A (viết tắt tên đệm và tên)"), ("given", "N. V. An (viết tắt họ và tên đệm)"),
        ("full", "Đầy đủ họ và tên")]))
    agency_min_rate = IntegerField("Tỷ lệ tham gia tối thiểu để xét giải tập thể (%)", default=0,
                                   validators=[NumberRange(0, 100, "Từ 0 đến 100.")])
    agency_formula = SelectField("Công thức xếp hạng tập thể", choices=options([
        ("rate_and_score", "Tỷ lệ tham gia và điểm trung bình (có trọng số)"),
        ("rate_plus_points", "Tỷ lệ tham gia cộng điểm giải cá nhân")]))
    agency_rate_weight = IntegerField("Trọng số tỷ lệ tham gia (%)", default=50,
                                      validators=[NumberRange(0, 100, "Từ 0 đến 100.")])
    is_one_prize_per_person = BooleanField("Mỗi người chỉ nhận một giải cá nhân trong cả cuộc thi", default=True)

    def validate_slug(self, field):
        """Slugs are lower-case letters, digits and hyphens."""
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", field.data or ""):
            raise ValidationError("Chỉ dùng chữ thường không dấu, số và dấu gạch nối, ví dụ kiem-soat-tthc.")

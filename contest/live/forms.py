"""The organizer's forms for a live event, and the contestant's join form."""
from wtforms import BooleanField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from contest.forms import Form, options
from contest.live.rules import KIND_LABELS, SegmentRules
from contest.rounds.settings import parse_quotas
from contest.security.bounds import bounded_int

MODES = {"teams": "Thi theo đội (mỗi đội là một đơn vị)", "individuals": "Thi cá nhân"}


class EventForm(Form):
    """A new live event."""

    title = StringField("Tên hội thi", validators=[DataRequired("Nhập tên hội thi."), Length(max=200)])
    venue = StringField("Địa điểm", validators=[Optional(), Length(max=200)])
    mode = SelectField("Hình thức", choices=options(MODES.items()))
    bank_id = SelectField("Ngân hàng câu hỏi", coerce=bounded_int)


class TeamForm(Form):
    """A team (an agency with its members) or one contestant."""

    name = StringField("Tên đội / họ tên thí sinh", validators=[DataRequired("Nhập tên."), Length(max=200)])
    agency_id = SelectField("Đơn vị", coerce=bounded_int, default=0)
    members = TextAreaField("Thành viên (mỗi dòng một người)", validators=[Optional(), Length(max=2000)])


class SegmentForm(Form):
    """A segment with its kind's rules."""

    kind = SelectField("Loại phần thi", choices=options(KIND_LABELS.items()))
    title = StringField("Tên phần thi", validators=[DataRequired("Nhập tên phần thi."), Length(max=200)])
    seconds = IntegerField("Thời gian mỗi câu (giây)", default=20,
                           validators=[NumberRange(3, 600, "Từ 3 đến 600 giây.")])
    points = IntegerField("Điểm mỗi câu", default=10, validators=[NumberRange(0, 1000, "Từ 0 đến 1000 điểm.")])
    speed_points = StringField("Tốc độ: điểm theo thứ tự trả lời đúng", default="40, 30, 20, 10")
    buzzer_wrong_passes = BooleanField("Giành quyền: trả lời sai thì chuyển câu hỏi cho đội bấm chuông tiếp theo",
                                       default=True)
    buzzer_wrong_penalty = IntegerField("Giành quyền: điểm trừ khi trả lời sai", default=0,
                                        validators=[NumberRange(0, 1000, "Từ 0 đến 1000 điểm.")])
    stars_per_team = IntegerField("Ngôi sao hy vọng: số ngôi sao mỗi đội", default=1,
                                  validators=[NumberRange(1, 10, "Từ 1 đến 10.")])
    star_wrong_deducts = BooleanField("Ngôi sao hy vọng: sai hoặc không trả lời thì bị trừ điểm của câu", default=True)

    def validate_speed_points(self, field):
        """Whole numbers separated by commas."""
        try:
            self.speed_values = tuple(int(part) for part in field.data.replace(";", ",").split(",") if part.strip())
        except ValueError:
            raise ValidationError("Nhập các số nguyên cách nhau bởi dấu phẩy, ví dụ 40, 30, 20, 10.")
        if not self.speed_values or any(value < 0 for value in self.speed_values):
            raise ValidationError("Cần ít nhất một số, không âm.")

    def rules(self) -> SegmentRules:
        """The segment's rules as typed."""
        return SegmentRules(speed_points=self.speed_values, buzzer_wrong_passes=self.buzzer_wrong_passes.data,
                            buzzer_wrong_penalty=self.buzzer_wrong_penalty.data,
                            stars_per_team=self.stars_per_team.data,
                            star_wrong_deducts=self.star_wrong_deducts.data)


class DrawForm(Form):
    """Draw a segment's questions from the bank by quotas."""

    count = IntegerField("Số câu rút", default=5, validators=[NumberRange(1, 100, "Từ 1 đến 100 câu.")])
    quotas = TextAreaField("Định mức (mỗi dòng “Chủ đề | Mức độ | Số câu”, có thể để trống)", validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        self.parsed: list[dict] = []  # left empty, the field stops its validators (Optional): no quotas
        return super().validate(extra_validators)

    def validate_quotas(self, field):
        """Quota lines as rounds take them."""
        try:
            self.parsed = parse_quotas(field.data)
        except ValueError as error:
            raise ValidationError(str(error))


class JudgesForm(Form):
    """The judges who sign the event's final table."""

    judge_ids = SelectMultipleField("Ban giám khảo", coerce=bounded_int, widget=ListWidget(prefix_label=False),
                                    option_widget=CheckboxInput())


class JoinForm(Form):
    """A device joins a team: the event code, the team and its PIN."""

    team_id = SelectField("Đội / thí sinh", coerce=bounded_int)
    pin = StringField("Mã PIN của đội (6 chữ số)",
                      validators=[DataRequired("Nhập mã PIN."), Regexp(r"^\s*\d{6}\s*$", message="Mã PIN gồm 6 chữ số.")])

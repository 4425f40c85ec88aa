"""Registration and log-in forms."""
import re
from datetime import datetime

from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from contest.accounts.services import MIN_PASSWORD_LENGTH
from contest.agencies.forms import AgencyField
from contest.clock import DATE_FORMAT
from contest.forms import Form, options

PHONE = re.compile(r"^(0|\+84)\d{9}$")
PASSWORD_LENGTH = Length(MIN_PASSWORD_LENGTH, 128, f"Mật khẩu cần ít nhất {MIN_PASSWORD_LENGTH} ký tự.")
STREAM_CHOICES = options([("CBCCVC", "Cán bộ, công chức, viên chức, người lao động"), ("Người dân", "Người dân")])


def check_phone(field, required: bool) -> None:
    """Vietnamese mobile numbers: 10 digits from 0, or +84 and 9 digits; spaces, dots and dashes dropped."""
    field.data = re.sub(r"[\s.\-]", "", field.data or "")
    if (field.data or required) and not PHONE.match(field.data):
        raise ValidationError("Số điện thoại gồm 10 chữ số, bắt đầu bằng 0 (hoặc +84).")


def check_citizen_id(field) -> None:
    """CCCD numbers have 12 digits (blank: not given)."""
    field.data = (field.data or "").strip()
    if field.data and not re.fullmatch(r"\d{12}", field.data):
        raise ValidationError("Số CCCD gồm 12 chữ số.")


class ChallengedForm(Form):
    """A form that carries the solved proof-of-work challenge when the server asked for one."""

    challenge = HiddenField()


class RegistrationForm(ChallengedForm):
    """A contestant registers under their agency."""

    full_name = StringField("Họ và tên", validators=[
        DataRequired("Nhập họ và tên."), Length(2, 150, "Họ và tên từ 2 đến 150 ký tự.")])
    email = EmailField("Email", validators=[
        DataRequired("Nhập email."), Email("Email không hợp lệ.", check_deliverability=False)])
    phone = StringField("Số điện thoại", validators=[DataRequired("Nhập số điện thoại.")])
    citizen_id = StringField("Số CCCD (không bắt buộc)", validators=[Optional()])
    birth_date = StringField("Ngày sinh (không bắt buộc)", validators=[Optional()])
    agency_id = AgencyField("Đơn vị công tác", validators=[DataRequired("Tìm và chọn đơn vị công tác.")])
    stream = SelectField("Đối tượng dự thi", choices=STREAM_CHOICES, default="CBCCVC")
    password = PasswordField("Mật khẩu", validators=[
        DataRequired("Nhập mật khẩu."), PASSWORD_LENGTH])
    password_confirm = PasswordField("Nhập lại mật khẩu", validators=[
        EqualTo("password", "Hai lần nhập mật khẩu không khớp.")])
    consent = BooleanField(
        "Tôi đồng ý để Ban tổ chức xử lý dữ liệu cá nhân của tôi cho mục đích tổ chức cuộc thi "
        "(theo Nghị định 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân).",
        validators=[DataRequired("Cần đồng ý xử lý dữ liệu cá nhân để đăng ký dự thi.")])

    def validate_phone(self, field):
        """Vietnamese mobile numbers: 10 digits from 0, or +84 and 9 digits."""
        check_phone(field, required=True)

    def validate_citizen_id(self, field):
        """CCCD numbers have 12 digits."""
        check_citizen_id(field)

    def validate_birth_date(self, field):
        """Dates are typed dd/mm/yyyy; a phone's number pad has no "/", so 25041990 and 25.04.1990 do too."""
        self.birth_date_value = None
        if field.data:
            text = re.sub(r"[\s.\-]", "/", field.data.strip())
            if re.fullmatch(r"\d{8}", text):
                text = f"{text[:2]}/{text[2:4]}/{text[4:]}"
            try:
                self.birth_date_value = datetime.strptime(text, DATE_FORMAT).date()
            except ValueError:
                raise ValidationError("Nhập ngày sinh theo dạng ngày/tháng/năm, ví dụ 25/04/1990.")


class LoginForm(ChallengedForm):
    """Log in with e-mail and password."""

    # Bounded before the throttle keys its count by the address typed (a 5,000-character one was a 500).
    email = EmailField("Email", validators=[DataRequired("Nhập email."), Length(max=254, message="Email không hợp lệ.")])
    password = PasswordField("Mật khẩu", validators=[DataRequired("Nhập mật khẩu.")])
    remember = BooleanField("Ghi nhớ đăng nhập trên máy này")


class ForgotPasswordForm(ChallengedForm):
    """Ask for a password reset link by e-mail."""

    email = EmailField("Email đã đăng ký", validators=[
        DataRequired("Nhập email."), Email("Email không hợp lệ.", check_deliverability=False)])


class NewPasswordForm(Form):
    """Set a new password from a reset link."""

    password = PasswordField("Mật khẩu mới", validators=[DataRequired("Nhập mật khẩu mới."), PASSWORD_LENGTH])
    password_confirm = PasswordField("Nhập lại mật khẩu mới", validators=[
        EqualTo("password", "Hai lần nhập mật khẩu không khớp.")])


class PasswordChangeForm(Form):
    """The account holder sets a new password (after logging in with a temporary one, say)."""

    current_password = PasswordField("Mật khẩu hiện tại", validators=[DataRequired("Nhập mật khẩu hiện tại.")])
    password = PasswordField("Mật khẩu mới", validators=[
        DataRequired("Nhập mật khẩu mới."), PASSWORD_LENGTH])
    password_confirm = PasswordField("Nhập lại mật khẩu mới", validators=[
        EqualTo("password", "Hai lần nhập mật khẩu không khớp.")])


class AccountCorrectionForm(Form):
    """An organizer corrects what a contestant registered (a wrong agency is the usual call)."""

    full_name = StringField("Họ và tên", validators=[
        DataRequired("Nhập họ và tên."), Length(2, 150, "Họ và tên từ 2 đến 150 ký tự.")])
    phone = StringField("Số điện thoại", validators=[Optional()])
    citizen_id = StringField("Số CCCD", validators=[Optional()])
    agency_id = AgencyField("Đơn vị công tác", validators=[DataRequired("Tìm và chọn đơn vị công tác.")])
    stream = SelectField("Đối tượng dự thi", choices=STREAM_CHOICES)
    reason = StringField("Lý do sửa (ghi vào nhật ký)", validators=[
        DataRequired("Ghi lý do sửa."), Length(3, 300, "Lý do từ 3 đến 300 ký tự.")])

    def validate_phone(self, field):
        """As at registration (blank allowed: a staff account may have none)."""
        check_phone(field, required=False)

    def validate_citizen_id(self, field):
        """CCCD numbers have 12 digits."""
        check_citizen_id(field)

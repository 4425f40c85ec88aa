"""Organizer forms for legal documents."""
from datetime import datetime

from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField, ValidationError
from wtforms.validators import Length, Optional

from contest.clock import DATE_FORMAT
from contest.forms import Form, options
from contest.legal.models import DOCUMENT_STATUSES
from contest.security.bounds import bounded_int


class DateField(StringField):
    """A date typed as dd/mm/yyyy."""

    # None until a value is parsed: a POST that sends no form at all (the CSRF token in a header) never
    # calls process_formdata, and the view must read "no date", not fail.
    date = None  # a datetime.date once a value is parsed

    def process_formdata(self, valuelist):
        """Parse dd/mm/yyyy; a malformed value is reported by the form."""
        super().process_formdata(valuelist)
        self.date = None
        if self.data and self.data.strip():
            try:
                self.date = datetime.strptime(self.data.strip(), DATE_FORMAT).date()
            except ValueError:
                raise ValidationError("Nhập ngày theo dạng ngày/tháng/năm, ví dụ 08/06/2010.")


class UploadForm(Form):
    """Upload a legal document."""

    file = FileField("Tệp văn bản (.docx, .txt, .md, .pdf có lớp chữ)", validators=[FileRequired("Chọn tệp.")])
    number = StringField("Số hiệu (nếu phần đầu văn bản không ghi rõ)", validators=[Optional(), Length(max=60)])


class DocumentForm(Form):
    """Correct what the parser read from the heading."""

    kind = StringField("Loại văn bản", validators=[Length(max=60)])
    title = StringField("Trích yếu", validators=[Length(max=500)])
    issuer = StringField("Cơ quan ban hành", validators=[Length(max=200)])
    issued_on = DateField("Ngày ban hành (dd/mm/yyyy)")
    effective_on = DateField("Ngày có hiệu lực (dd/mm/yyyy)")


class StatusForm(Form):
    """Mark a document amended or replaced."""

    status = SelectField("Tình trạng", choices=options(DOCUMENT_STATUSES.items()))
    replaced_by_id = SelectField("Văn bản thay thế", coerce=bounded_int)
    changed_on = DateField("Từ ngày (dd/mm/yyyy)")

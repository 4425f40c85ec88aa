"""Forms of the agency tree: the organizer's upload, and the agency a person picks."""
from flask_wtf.file import FileField, FileRequired
from wtforms import Field
from wtforms.validators import ValidationError

from contest.agencies.models import Agency
from contest.extensions import db
from contest.forms import Form


class AgencyUploadForm(Form):
    """An agency list to check, then load."""

    file = FileField("Tệp danh sách đơn vị (.xlsx hoặc .csv)", validators=[FileRequired("Chọn tệp để nhập.")])


class AgencyField(Field):
    """An agency chosen with the picker (templates/agencies/_picker.html): its id, checked to exist."""

    def process_formdata(self, valuelist):
        """Read the id; anything but digits counts as no choice."""
        text = (valuelist[0] if valuelist else "") or ""
        self.data = int(text) if text.strip().isdigit() and len(text.strip()) < 10 else None

    def _value(self):
        return str(self.data) if self.data else ""

    def pre_validate(self, form):
        """The chosen agency exists."""
        if self.data is not None and db.session.get(Agency, self.data) is None:
            self.data = None
            raise ValidationError("Đơn vị này không có trong danh sách; hãy tìm và chọn lại.")

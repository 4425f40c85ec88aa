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
    """An agency chosen with the picker (contest/agencies/_picker.html): its id, checked to exist.

    `within`, when set, is an agency the choice must lie under (a contest open to one province).
    """

    within: Agency | None = None

    def process_formdata(self, valuelist):
        """Read the id; anything but digits counts as no choice."""
        text = (valuelist[0] if valuelist else "") or ""
        self.data = int(text) if text.strip().isdigit() and len(text.strip()) < 10 else None

    def _value(self):
        return str(self.data) if self.data else ""

    def pre_validate(self, form):
        """The chosen agency exists (and lies under `within`)."""
        if self.data is None:
            return
        agency = db.session.get(Agency, self.data)
        if agency is None or (self.within is not None and not agency.path.startswith(self.within.path)):
            self.data = None
            raise ValidationError("Đơn vị này không có trong danh sách; hãy tìm và chọn lại.")

    @property
    def agency(self) -> Agency | None:
        """The chosen agency, if any."""
        return db.session.get(Agency, self.data) if self.data else None

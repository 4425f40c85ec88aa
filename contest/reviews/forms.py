"""Organizer forms for review flags."""
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from contest.forms import Form


class ResolveForm(Form):
    """Confirm or retire a flagged question, with an optional note."""

    note = StringField("Ghi chú (không bắt buộc)", validators=[Length(max=500)])


class FlagForm(Form):
    """Flag a question for review by hand."""

    reason = TextAreaField("Lý do cần rà soát", validators=[DataRequired("Cần ghi lý do."), Length(max=2000)])

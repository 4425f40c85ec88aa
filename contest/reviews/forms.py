"""Organizer forms for review flags."""
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class ResolveForm(FlaskForm):
    """Confirm or retire a flagged question, with an optional note."""

    note = StringField("Ghi chú (không bắt buộc)", validators=[Length(max=500)])


class FlagForm(FlaskForm):
    """Flag a question for review by hand."""

    reason = TextAreaField("Lý do cần rà soát", validators=[DataRequired("Cần ghi lý do."), Length(max=2000)])

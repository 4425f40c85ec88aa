"""Organizer forms for the question bank."""
from contest.forms import Form
from flask_wtf.file import FileField, FileRequired
from wtforms import (SelectField, SelectMultipleField, StringField, TextAreaField, ValidationError,
                     widgets)
from wtforms.validators import DataRequired, Length, Optional

from questions.records import DIFFICULTY_LABELS, OPTION_LETTERS, STATUS_LABELS


class CheckboxesField(SelectMultipleField):
    """Several checkboxes for one multi-valued field."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class QuestionForm(Form):
    """Edit one question."""

    text = TextAreaField("Nội dung câu hỏi", validators=[DataRequired("Nhập nội dung câu hỏi."), Length(max=5000)])
    choice_A = StringField("Phương án A")
    choice_B = StringField("Phương án B")
    choice_C = StringField("Phương án C", validators=[Optional()])
    choice_D = StringField("Phương án D", validators=[Optional()])
    choice_E = StringField("Phương án E", validators=[Optional()])
    choice_F = StringField("Phương án F", validators=[Optional()])
    correct = CheckboxesField("Đáp án đúng", choices=[(letter, letter) for letter in OPTION_LETTERS])
    topic = StringField("Chủ đề", validators=[Length(max=200)])
    difficulty = SelectField("Mức độ", choices=list(DIFFICULTY_LABELS.items()))
    citation = StringField("Căn cứ pháp lý", validators=[Length(max=300)],
                           description="Ví dụ: Khoản 2 Điều 8 Nghị định 63/2010/NĐ-CP")
    explanation = TextAreaField("Giải thích", validators=[Length(max=5000)])
    audience = StringField("Đối tượng", validators=[Length(max=50)])
    status = SelectField("Trạng thái", choices=list(STATUS_LABELS.items()))

    def choice_fields(self):
        """The option fields A…F in order."""
        return [self[f"choice_{letter}"] for letter in OPTION_LETTERS]

    def validate_correct(self, field):
        """The key names filled options only, at least one; options fill from A without gaps."""
        filled = [bool((f.data or "").strip()) for f in self.choice_fields()]
        if sum(filled) < 2:
            raise ValidationError("Cần ít nhất hai phương án.")
        if filled != sorted(filled, reverse=True):
            raise ValidationError("Các phương án phải điền liên tiếp từ A.")
        if not field.data:
            raise ValidationError("Chọn ít nhất một đáp án đúng.")
        if any(not filled[OPTION_LETTERS.index(letter)] for letter in field.data):
            raise ValidationError("Đáp án đúng phải là một phương án đã điền.")


class ImportForm(Form):
    """Upload a bank file for a preview."""

    file = FileField("Tệp ngân hàng câu hỏi", validators=[FileRequired("Chọn tệp để nhập.")])
    bank_name = StringField("Ngân hàng", validators=[DataRequired("Nhập tên ngân hàng."), Length(max=200)])

"""Organizer forms for the question bank."""
from flask_wtf.file import FileField
from wtforms import (HiddenField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField,
                     ValidationError, widgets)
from wtforms.validators import DataRequired, Length, Optional

from contest.forms import Form, option_labels, options
from contest.security.bounds import bounded_int
from questions.records import DIFFICULTY_LABELS, OPTION_LETTERS, STATUS_LABELS
from questions.text import clean, fold


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
    correct = CheckboxesField("Đáp án đúng", choices=options((letter, letter) for letter in OPTION_LETTERS))
    topic = StringField("Chủ đề", validators=[Length(max=200)])
    difficulty = SelectField("Mức độ", choices=options(DIFFICULTY_LABELS.items()))
    citation = StringField("Căn cứ pháp lý", validators=[Length(max=300)],
                           description="Ví dụ: Khoản 2 Điều 8 Nghị định 63/2010/NĐ-CP")
    explanation = TextAreaField("Giải thích", validators=[Length(max=5000)])
    audience = StringField("Đối tượng", validators=[Length(max=50)])
    status = SelectField("Trạng thái", choices=options(STATUS_LABELS.items()))

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


# The choice of bank_id that asks for a new bank.
NEW_BANK = 0


class ImportForm(Form):
    """Upload a bank file for a preview, into a bank chosen explicitly: an existing one, or a new one
    named here (so a mistyped name never makes a bank by accident). A file already uploaded with an
    earlier submit is kept (`token`), so correcting the rest of the form does not lose it."""

    file = FileField("Tệp ngân hàng câu hỏi")
    token = HiddenField()
    bank_id = RadioField("Nhập vào ngân hàng", coerce=bounded_int, validate_choice=False)
    new_bank_name = StringField("Tên ngân hàng mới", validators=[Length(max=200, message="Tên dài quá 200 ký tự.")])

    # The names of the banks that exist, set by the view with the choices.
    bank_names: list[str] = []

    def validate_bank_id(self, field):
        """A bank is chosen: an existing one, or "new"."""
        if field.data is None or field.data not in option_labels(field):
            raise ValidationError("Chọn ngân hàng nhận câu hỏi.")

    def validate_new_bank_name(self, field):
        """A new bank needs a name that no bank has yet (case and diacritics aside)."""
        if self.bank_id.data != NEW_BANK:
            return
        name = clean(field.data)
        if not name:
            raise ValidationError("Đã chọn “Ngân hàng mới”: nhập tên ngân hàng.")
        same = [bank_name for bank_name in self.bank_names if fold(bank_name) == fold(name)]
        if same:
            raise ValidationError(f"Đã có ngân hàng “{same[0]}”: hãy chọn nó trong danh sách ở trên.")

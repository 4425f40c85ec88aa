"""Forms shared by several features, and the base every form of the site derives from."""
from collections.abc import Iterable

from flask_wtf import FlaskForm
from wtforms import SelectChoice

# WTForms ships no Vietnamese messages: its own (a number that is not one, a choice not offered…)
# are given here, and any other English message it might raise reads as a plain Vietnamese one.
_MESSAGES = {
    "This field is required.": "Mục này không được để trống.",
    "Not a valid integer value.": "Nhập một số nguyên.",
    "Not a valid decimal value.": "Nhập một số.",
    "Not a valid float value.": "Nhập một số.",
    "Not a valid choice.": "Lựa chọn không hợp lệ.",
    "Invalid Choice: could not coerce.": "Lựa chọn không hợp lệ.",
    "Choices cannot be None.": "Lựa chọn không hợp lệ.",
    "Not a valid datetime value.": "Nhập ngày giờ theo dạng dd/mm/yyyy HH:MM.",
    "Not a valid date value.": "Nhập ngày theo dạng dd/mm/yyyy.",
    "Invalid email address.": "Email không hợp lệ.",
    "Invalid input.": "Giá trị không hợp lệ.",
}
_FALLBACK = "Giá trị không hợp lệ."


class VietnameseMessages:
    """The gettext interface WTForms asks for its built-in messages."""

    def gettext(self, message: str) -> str:
        """A message of WTForms in Vietnamese."""
        return _MESSAGES.get(message, message if not message.isascii() else _FALLBACK)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        """The same, for messages with a count."""
        return self.gettext(singular if count == 1 else plural)


_TRANSLATIONS = VietnameseMessages()


class Form(FlaskForm):
    """A Flask-WTF form whose built-in messages read in Vietnamese."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            """Vietnamese for WTForms' own messages (it has no catalogue of its own for Vietnamese)."""
            return _TRANSLATIONS


class EmptyForm(Form):
    """A form with only its CSRF token, for POST buttons (start, submit, log out)."""


def options(pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    """A select, radio or checkbox field's options from (value, label) pairs: WTForms 3.4 takes them
    as SelectChoice only (tuples are deprecated in 3.3)."""
    return [SelectChoice(value, label) for value, label in pairs]


def option_labels(field) -> dict:
    """The labels of a field's options by value."""
    return {choice.value: choice.label for choice in field.choices}

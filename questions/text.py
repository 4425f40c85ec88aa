"""Vietnamese text normalisation: NFC storage, diacritic-blind folding, fingerprints."""
import hashlib
import re
import unicodedata

_SPACES = re.compile(r"\s+")


def clean(value) -> str:
    """NFC text with surrounding spaces trimmed and inner runs of white space made single."""
    if value is None:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", str(value))).strip()


def fold(value) -> str:
    """Lower-case text without diacritics ("Kiểm soát" -> "kiem soat"), for search and matching."""
    text = unicodedata.normalize("NFD", clean(value).lower().replace("đ", "d").replace("Đ", "d"))
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn")


def fingerprint(text: str, choices: list[str]) -> str:
    """A stable digest of a question's text and choices after NFC, spacing and case folding."""
    parts = [clean(text).casefold()] + [clean(choice).casefold() for choice in choices]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()

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


# The Vietnamese alphabet, with f, j, w, z (foreign words and names) where the Latin alphabet has them.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_RANK = {letter: rank for rank, letter in enumerate(_ALPHABET)}
# Combining marks that make a new letter: breve (ă), circumflex (â ê ô), horn (ơ ư).
_LETTER_MARKS = frozenset("\u0306\u0302\u031b")
# Tones in dictionary order: ngang (none) 0, huyền 1, hỏi 2, ngã 3, sắc 4, nặng 5.
_TONE_RANK = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
# Words are split on anything but letters, digits and the combining marks NFD leaves behind.
_WORD_SEPARATORS = re.compile(r"(?:[^\w\u0300-\u036f]|_)+")
_DIGITS = re.compile(r"\d+")


def _word_key(word: str) -> tuple[tuple, tuple[int, ...]]:
    """(letters, tones) of one lower-case NFD word; digits count as one number, before any letter."""
    letters: list[tuple[int, int]] = []
    tones: list[int] = []
    position = 0
    while position < len(word):
        char = word[position]
        number = _DIGITS.match(word, position)
        if number:
            letters.append((0, int(number.group())))
            position = number.end()
            continue
        position += 1
        if unicodedata.category(char) == "Mn":
            if char in _LETTER_MARKS and letters and letters[-1][0] == 1:
                base = _ALPHABET[letters[-1][1]]
                marked = unicodedata.normalize("NFC", base + char)
                if marked in _LETTER_RANK:
                    letters[-1] = (1, _LETTER_RANK[marked])
            elif char in _TONE_RANK:
                tones.append(_TONE_RANK[char])
            continue  # other marks (foreign accents) do not change the order
        if char in _LETTER_RANK:
            letters.append((1, _LETTER_RANK[char]))
        else:
            letters.append((2, ord(char)))
    return tuple(letters), tuple(tones)


def vietnamese_sort_key(text) -> tuple:
    """A key ordering text as a Vietnamese dictionary does, word by word, ignoring case.

    Letters follow the alphabet (a ă â b c d đ e ê g … o ô ơ … u ư v x y); words with the same
    letters follow their tones: ngang, huyền, hỏi, ngã, sắc, nặng ("Anh" < "Ảnh" < "Ánh").
    Numbers inside a word compare by value ("Phường 2" < "Phường 10").
    """
    text = unicodedata.normalize("NFD", clean(text).lower())
    return tuple(_word_key(word) for word in _WORD_SEPARATORS.split(text) if word)


def person_sort_key(full_name) -> tuple:
    """A key ordering Vietnamese full names by given name (the last word), then family and middle names."""
    words = clean(full_name).split(" ")
    return vietnamese_sort_key(words[-1]), vietnamese_sort_key(" ".join(words[:-1]))

"""Certificate codes: 11 random Crockford base32 characters and a Luhn mod 32 check character.

Pure functions, no Flask, no database. 55 random bits make a code unguessable; the check character
catches any one mistyped character and most swaps of two neighbours, so the verification page can
tell "this code was altered or mistyped" from "no certificate has this code".
"""
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's: no I, L, O, U
RANDOM_LENGTH = 11
LENGTH = RANDOM_LENGTH + 1
# Crockford's reading of look-alikes: a person copying a code off paper may type O for 0, I or L for 1.
_READ_AS = {"O": "0", "I": "1", "L": "1"}


def check_character(body: str) -> str:
    """The Luhn mod 32 check character of a code's body."""
    total, factor = 0, 2
    for character in reversed(body):
        addend = factor * ALPHABET.index(character)
        addend = addend // 32 + addend % 32
        total += addend
        factor = 1 if factor == 2 else 2
    return ALPHABET[(32 - total % 32) % 32]


def new_code() -> str:
    """A fresh random code with its check character."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return body + check_character(body)


def normalise(text: str) -> str:
    """A code as typed (any case, spaces or dashes, O for 0…) in its stored form; may still be invalid."""
    cleaned = "".join(character for character in text.upper() if character not in " -–.\t")
    return "".join(_READ_AS.get(character, character) for character in cleaned)


def is_well_formed(code: str) -> bool:
    """True when a normalised code has the right length and alphabet (its check is not looked at)."""
    return len(code) == LENGTH and all(character in ALPHABET for character in code)


def is_valid(code: str) -> bool:
    """True when a normalised code is well formed and its check character matches."""
    return is_well_formed(code) and check_character(code[:-1]) == code[-1]


def grouped(code: str) -> str:
    """The code as printed and read aloud: three groups of four (ABCD-EFGH-JKMN)."""
    return "-".join(code[start:start + 4] for start in range(0, len(code), 4))

"""What a certificate prints, in words, and the font it needs: light, so the web app can import it at start-up
(contest.certificates.pdf, with fpdf2 and fontTools, loads on the first certificate; see questions.lazy)."""
from dataclasses import dataclass

DEFAULT_FONT_DIR = "/usr/share/fonts/truetype/dejavu"


class FontMissing(RuntimeError):
    """The certificate font is not installed; the message says which package provides it."""


@dataclass
class CertificatePage:
    """What one page prints, already in words (dates as dd/mm/yyyy)."""

    organizer: str
    contest_title: str
    round_name: str
    full_name: str
    agency: str
    achievement: str
    date: str
    judges: list[str]
    code: str
    verify_url: str

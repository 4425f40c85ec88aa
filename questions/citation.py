"""Read a citation such as "Khoản 2 Điều 8 Nghị định 63/2010/NĐ-CP" into its parts."""
import re
from dataclasses import dataclass

from questions.text import clean

# 63/2010/NĐ-CP, 468/QĐ-TTg, 76/NQ-CP, 52-NQ/TW, 01/2018/TT-VPCP
_NUMBER = re.compile(
    r"(?<![\w/])(\d+(?:/\d{4})?[/-][A-ZĐ][A-Za-zĐđ]*(?:-[A-Za-zĐđ]+)*(?:/[A-Za-zĐđ]+)?)")
_ARTICLE = re.compile(r"\bĐiều\s+(\d+[a-zđ]?)\b", re.IGNORECASE)
_CLAUSE = re.compile(r"\bKhoản\s+(\d+[a-z]?)\b", re.IGNORECASE)
_POINT = re.compile(r"\bĐiểm\s+([a-zđ])\b", re.IGNORECASE)
_KINDS = ("Nghị định", "Nghị quyết", "Quyết định", "Thông tư liên tịch", "Thông tư", "Luật",
          "Bộ luật", "Chỉ thị", "Kế hoạch", "Pháp lệnh", "Hiến pháp")
_KIND_BY_CODE = {"NĐ": "Nghị định", "NQ": "Nghị quyết", "QĐ": "Quyết định", "TT": "Thông tư",
                 "TTLT": "Thông tư liên tịch", "CT": "Chỉ thị", "KH": "Kế hoạch"}


@dataclass(frozen=True)
class Citation:
    """The document number and kind, the article (Điều) and the clause/point within it."""

    document_number: str = ""
    kind: str = ""
    article: str = ""
    clause: str = ""

    @property
    def is_empty(self) -> bool:
        """True when nothing could be read."""
        return not (self.document_number or self.article)


def parse_citation(text: str) -> Citation:
    """Parse free citation text; parts that are absent stay empty."""
    text = clean(text)
    if not text:
        return Citation()
    number_match = _NUMBER.search(text)
    number = number_match.group(1).upper().replace("TTG", "TTg") if number_match else ""
    kind = ""
    lowered = text.lower()
    for candidate in _KINDS:
        if candidate.lower() in lowered:
            kind = candidate
            break
    if not kind and number:
        code = re.split(r"[-/]", number.split("/", 2)[-1] if "/" in number else number)
        for part in code:
            if part in _KIND_BY_CODE:
                kind = _KIND_BY_CODE[part]
                break
    article = _ARTICLE.search(text)
    clause_parts = []
    point = _POINT.search(text)
    clause = _CLAUSE.search(text)
    if point:
        clause_parts.append(f"điểm {point.group(1).lower()}")
    if clause:
        clause_parts.append(f"khoản {clause.group(1)}")
    return Citation(
        document_number=number,
        kind=kind,
        article=article.group(1).lower() if article else "",
        clause=" ".join(clause_parts),
    )

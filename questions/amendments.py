"""What an amending document changes: its instructions read into changes of a named document.

Vietnamese amending documents (Nghị định sửa đổi, bổ sung …) give numbered instructions in an
article such as "Điều 1. Sửa đổi, bổ sung một số điều của Nghị định số 63/2010/NĐ-CP …":
"1. Sửa đổi Điều 5: “Điều 5. …”", "2. Khoản 3 Điều 30 được sửa đổi như sau: “3. …”",
"3. Bổ sung Điều 35a như sau: …", "4. Bãi bỏ khoản 4 Điều 30", "5. Thay cụm từ “A” bằng cụm từ
“B” tại Điều 9". Each is read into an Amendment; one that cannot be read surely is returned as
Unplaced with the reason, never guessed."""
import re
from dataclasses import dataclass, field

from questions.citation import parse_citation
from questions.legal import Article, LegalText
from questions.text import clean, fold

ACTIONS = {"amend": "Sửa đổi", "add": "Bổ sung", "repeal": "Bãi bỏ", "replace_phrase": "Thay cụm từ",
           "delete_phrase": "Bỏ cụm từ", "amend_title": "Sửa tên điều"}

_DOCUMENT = re.compile(r"(?<![\w/])(\d+(?:/\d{4})?[/-][A-ZĐ][A-Za-zĐđ]*(?:-[A-Za-zĐđ]+)*(?:/[A-Za-zĐđ]+)?)")
# One reference: "điểm a khoản 2 Điều 8", "khoản 3 Điều 30", "Điều 35a", "khoản 4" (within a context).
_REFERENCE = re.compile(
    r"(?:(?:điểm|Điểm)\s+(?P<point>[a-zđ])\s+(?:(?:vào|của|tại)\s+)?)?"
    r"(?:(?:khoản|Khoản)\s+(?P<clause>\d+[a-zđ]?)\s*)?"
    r"(?:(?:của\s+|tại\s+|vào\s+)?(?:Điều|điều)\s+(?P<article>\d+[a-zđ]?))?(?!\w)")
_QUOTE = re.compile(r"“([^”]*)”|\"([^\"]*)\"")
_AMENDING_WORDS = ("sua doi", "bo sung", "bai bo", "thay the", "thay cum tu", "bo cum tu")


@dataclass
class Amendment:
    """One change to a named document: what, where, and the new wording."""

    target: str
    action: str
    article: str = ""
    clause: str = ""
    point: str = ""
    # New wording as the amended document will read, quotes removed: "Điều 5. Tên\n1. …",
    # "3. …" or "a) …"; for amend_title the new title.
    text: str = ""
    old_phrase: str = ""
    new_phrase: str = ""
    # Where the instruction sits in the amending document: "khoản 2 Điều 1".
    source: str = ""
    # The instruction as written, without the quoted wording.
    instruction: str = ""

    @property
    def place(self) -> str:
        """ "điểm a khoản 2 Điều 8", "Điều 35a", or "toàn văn" for a change across the document."""
        parts = [f"điểm {self.point}" if self.point else "", f"khoản {self.clause}" if self.clause else "",
                 f"Điều {self.article}" if self.article else ""]
        return " ".join(part for part in parts if part) or "toàn văn"


@dataclass
class Unplaced:
    """An instruction the reader could not place: shown to the organizer, never applied."""

    source: str
    instruction: str
    reason: str
    target: str = ""


@dataclass
class AmendmentReading:
    """Every amendment read from a document, and what could not be read."""

    amendments: list[Amendment] = field(default_factory=list)
    unplaced: list[Unplaced] = field(default_factory=list)

    @property
    def targets(self) -> list[str]:
        """The numbers of the documents it amends, in order of first mention."""
        return list(dict.fromkeys(a.target for a in self.amendments))


def is_amending(legal: LegalText) -> bool:
    """True when the document amends another: an article that amends a document named in it."""
    return any(_target_of(article, legal) for article in legal.articles)


def read_amendments(legal: LegalText) -> AmendmentReading:
    """The instructions of every amending article, each read into an Amendment or listed as Unplaced."""
    reading = AmendmentReading()
    for article in legal.articles:
        target = _target_of(article, legal)
        if not target:
            continue
        units = [(f"khoản {clause.number} Điều {article.number}", clause.text, clause.points)
                 for clause in article.clauses]
        if not units:
            units = [(f"Điều {article.number}", article.intro, article.points)]
        for source, text, points in units:
            _read_unit(reading, target, source, text, points)
    return reading


def _read_unit(reading: AmendmentReading, target: str, source: str, text: str, points) -> None:
    """One numbered instruction; its points are sub-instructions when it names only a container."""
    head, quotes = _split_quotes(text)
    if points and not quotes:
        # "Điều 15 được sửa đổi, bổ sung như sau: a) Khoản 1 được sửa đổi …; b) Bổ sung khoản 4 …"
        context = _references(head)
        context = context[0] if len(context) == 1 else {}
        for point in points:
            point_head, point_quotes = _split_quotes(point.text)
            _read_instruction(reading, target, f"điểm {point.letter} {source}", point_head, point_quotes,
                              context)
        return
    _read_instruction(reading, target, source, head, quotes, {})


def _read_instruction(reading: AmendmentReading, target: str, source: str, head: str, quotes: list[str],
                      context: dict) -> None:
    def unplaced(reason: str) -> None:
        reading.unplaced.append(Unplaced(source, instruction, reason, target))

    # Where the quotations stood, the instruction as shown to the organizer reads "“…”".
    instruction = clean(head.replace("\x00", "“…”"))
    folded = fold(head.replace("\x00", " "))
    if not folded:
        return
    if "cum tu" in folded and ("thay" in folded or folded.startswith(("bo ", "bai bo"))):
        _read_phrase(reading, target, source, instruction, head, quotes, context, unplaced)
        return
    action = _action(folded)
    if action is None:
        unplaced("Không nhận ra loại thay đổi (sửa đổi, bổ sung, bãi bỏ, thay thế).")
        return
    references = [_within(reference, context) for reference in _references(head)]
    references = [reference for reference in references if reference.get("article")]
    if action == "add" and len(references) > 1:
        # "Bổ sung Điều 35a vào sau Điều 35", "bổ sung khoản 4a vào sau khoản 4 Điều 10": the first is new.
        references = references[:1]
    if not references:
        unplaced("Không xác định được điều, khoản, điểm bị thay đổi.")
        return
    if action == "repeal":
        for reference in references:
            reading.amendments.append(Amendment(target, "repeal", source=source, instruction=instruction,
                                                **reference))
        return
    if "ten dieu" in folded or "tieu de" in folded:
        if len(references) != 1 or len(quotes) != 1:
            unplaced("Việc sửa tên điều cần đúng một điều và một tên mới trong ngoặc kép.")
            return
        reading.amendments.append(Amendment(target, "amend_title", text=clean(quotes[0]), source=source,
                                            instruction=instruction, **references[0]))
        return
    if not quotes:
        unplaced("Không có nội dung mới trong ngoặc kép.")
        return
    pairs = _pair_quotes(references, quotes)
    if pairs is None:
        unplaced(f"Có {len(references)} vị trí nhưng {len(quotes)} đoạn nội dung mới; không ghép được.")
        return
    for reference, quote in pairs:
        reading.amendments.append(Amendment(target, action, text=quote, source=source, instruction=instruction,
                                            **reference))


def _read_phrase(reading, target, source, instruction, head, quotes, context, unplaced) -> None:
    """ "Thay (thế) cụm từ “A” bằng (cụm từ) “B” tại …", "Bỏ cụm từ “A” tại …"."""
    replacing = "thay" in fold(head).split("cum tu")[0]
    needed = 2 if replacing else 1
    if len(quotes) < needed:
        unplaced("Thiếu cụm từ trong ngoặc kép.")
        return
    if len(quotes) > needed and replacing and len(quotes) % 2 == 0:
        pairs = [(quotes[i], quotes[i + 1]) for i in range(0, len(quotes), 2)]
    elif len(quotes) == needed:
        pairs = [(quotes[0], quotes[1] if replacing else "")]
    else:
        unplaced("Số cụm từ trong ngoặc kép không khớp với câu lệnh.")
        return
    # The places come after the phrases: "… tại khoản 2 Điều 9 và Điều 12" or nowhere (whole text).
    after = head.rsplit("\x00", 1)[-1]
    references = [_within(reference, context) for reference in _references(after)]
    references = [reference for reference in references if reference.get("article")] or \
        ([context] if context.get("article") else [{}])
    action = "replace_phrase" if replacing else "delete_phrase"
    for old, new in pairs:
        for reference in references:
            reading.amendments.append(Amendment(target, action, old_phrase=clean(old), new_phrase=clean(new),
                                                source=source, instruction=instruction, **reference))


def _action(folded: str) -> str | None:
    """The kind of change an instruction makes, from its verbs."""
    if "bai bo" in folded or re.search(r"(?<!\w)bo (?:dieu|khoan|diem)\b", folded):
        return "repeal"
    if "sua doi" in folded or "thay the" in folded or "duoc thay" in folded:
        return "amend"
    if "bo sung" in folded:
        return "add"
    return None


def _references(text: str) -> list[dict]:
    """Every place named in text, in order: {"article", "clause", "point"} with what is given.

    "khoản 1, khoản 3 Điều 14" and "khoản 3 và khoản 4 Điều 30" share the article named last."""
    found, waiting = [], []
    for match in _REFERENCE.finditer(text):
        point, clause, article = match.group("point"), match.group("clause"), match.group("article")
        if not (point or clause or article):
            continue
        reference = {"article": article or "", "clause": clause or "", "point": point or ""}
        if article:
            for earlier in waiting:
                earlier["article"] = article
            waiting = []
        else:
            waiting.append(reference)
        found.append(reference)
    return found


def _within(reference: dict, context: dict) -> dict:
    """A reference completed by its container: "khoản 1" under "Điều 15 …" is khoản 1 Điều 15."""
    if not context or reference.get("article"):
        return reference
    merged = {"article": context.get("article", ""), "clause": reference["clause"] or context.get("clause", ""),
              "point": reference["point"]}
    return merged


def _pair_quotes(references: list[dict], quotes: list[str]) -> list[tuple[dict, str]] | None:
    """Each place with its new wording; several places take one quotation each, in order."""
    quotes = [quote.strip() for quote in quotes if quote.strip()]
    if len(references) == len(quotes):
        return list(zip(references, quotes))
    if len(references) == 1 and len(quotes) > 1:
        # One place whose new wording was quoted paragraph by paragraph.
        return [(references[0], "\n".join(quotes))]
    return None


def _split_quotes(text: str) -> tuple[str, list[str]]:
    """The instruction without its quotations (each left as a \\x00 mark) and the quotations.

    A quotation may span paragraphs; one opened and never closed runs to the end of the text."""
    head, quotes, position = [], [], 0
    while True:
        opener = re.compile(r"[“\"]").search(text, position)
        if opener is None:
            head.append(text[position:])
            break
        closer = "”" if opener.group() == "“" else "\""
        end = _closing(text, opener.end(), opener.group(), closer)
        head.append(text[position:opener.start()])
        head.append("\x00")
        quotes.append(text[opener.end():end])
        position = end + 1
        if end >= len(text):
            break
    return "".join(head), [_dequote(quote) for quote in quotes]


def _closing(text: str, start: int, opener: str, closer: str) -> int:
    """Index of the mark closing a quotation opened before start; nested “…” pairs are skipped."""
    if opener == closer:
        end = text.find(closer, start)
        return end if end >= 0 else len(text)
    depth = 1
    for match in re.compile(f"[{opener}{closer}]").finditer(text, start):
        depth += 1 if match.group() == opener else -1
        if depth == 0:
            return match.start()
    return len(text)


def _dequote(quote: str) -> str:
    """Quoted wording as its paragraphs, the stray marks of paragraph-by-paragraph quoting removed."""
    lines = [line.strip().strip("“”\"").strip() for line in quote.split("\n")]
    return "\n".join(line for line in lines if line)


def _target_of(article: Article, legal: LegalText) -> str:
    """The number of the document an article amends, or "" when it amends nothing."""
    lead = " ".join([article.title, article.intro.split("\n")[0] if article.intro else ""])
    folded = fold(lead)
    if not folded.startswith(tuple(_AMENDING_WORDS)) and not any(
            f" {word} " in f" {folded} " for word in ("sua doi, bo sung", "sua doi", "bai bo")):
        return ""
    numbers = [number for number in _DOCUMENT.findall(lead) if number != legal.meta.number]
    if numbers:
        return parse_citation(numbers[0]).document_number or numbers[0]
    if fold(article.title).startswith(("hieu luc", "trach nhiem", "dieu khoan")):
        return ""
    # "Điều 1. Sửa đổi, bổ sung một số điều như sau:" in a decree whose title names one document.
    named = [number for number in _DOCUMENT.findall(legal.meta.title) if number != legal.meta.number]
    return named[0] if len(set(named)) == 1 else ""

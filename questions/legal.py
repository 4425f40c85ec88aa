"""Vietnamese legal texts (Luật, Nghị định, Thông tư…): heading metadata, Phần/Chương/Mục, Điều,
khoản and điểm, read from plain text (Markdown, text from Word or from a PDF's text layer)."""
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from questions.citation import parse_citation
from questions.text import clean, fold

# Vietnamese points skip f, j, w and z: a) b) c) d) đ) e) g) h) i) k) …
POINT_LETTERS = "abcdđeghiklmnopqrstuvxy"

KINDS = ("Thông tư liên tịch", "Nghị quyết", "Nghị định", "Quyết định", "Thông tư", "Bộ luật",
         "Luật", "Pháp lệnh", "Chỉ thị", "Kế hoạch", "Hiến pháp", "Lệnh", "Thông báo")

_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
_ORDINAL_WORDS = {"nhat": 1, "mot": 1, "hai": 2, "ba": 3, "tu": 4, "bon": 4, "nam": 5,
                  "lam": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9}

_PART = re.compile(r"^(?:PHẦN|Phần)\s+((?i:thứ(?:\s+(?:nhất|một|mốt|hai|ba|tư|bốn|năm|lăm|sáu|bảy|tám|chín"
                   r"|mười|mươi))+)(?!\w)|[IVXLC]+|\d+)\s*([.:–-])?\s*(.*)$")
_CHAPTER = re.compile(r"^(?:CHƯƠNG|Chương)\s+([IVXLC]+|\d+)\s*([.:–-])?\s*(.*)$")
_SECTION = re.compile(r"^(?:MỤC|Mục)\s+([IVXLC]+|\d+)\s*([.:–-])?\s*(.*)$")
_ARTICLE = re.compile(r"^(?:ĐIỀU|Điều)\s+(\d+[a-zđ]?)\s*[.:–-]\s*(.*)$")
_CLAUSE = re.compile(r"^(\d{1,3})\.(?!\d)\s*(.*)$")
_POINT = re.compile(r"^([a-zđ])\)\s*(.*)$")
_ANNEX = re.compile(r"^(PHỤ LỤC|Phụ lục)(?:\s+(?:SỐ|số)?\s*([IVXLC]+|\d+[a-zA-Z]?))?\s*([.:–-])?\s*(.*)$")
_SIGNATURE = re.compile(r"^(?:\|\s*)?(?:Nơi nhận|NƠI NHẬN)\b|^(?:TM|KT|Q|TL|TUQ)\.\s*[A-ZĐ]"
                        r"|^\(Đã ký\)$")
_PREAMBLE_START = re.compile(r"^(?:Căn cứ|Xét đề nghị|Theo đề nghị|Thực hiện)\b")
_NUMBER_LINE = re.compile(r"\b(?:Số|Luật số|Số hiệu)\s*:?\s*(\d+(?:/\d{4})?[/-][A-ZĐ][A-Za-zĐđ0-9]*"
                          r"(?:[-/][A-Za-zĐđ0-9]+)*)", re.IGNORECASE)
_DATE_WORDS = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)
_DATE_SLASH = re.compile(r"ngày\s+(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", re.IGNORECASE)
_EFFECTIVE = re.compile(r"có hiệu lực(?: thi hành)?(?: kể)? từ\s+(ngày ký(?: ban hành)?|"
                        r"ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}|ngày\s+\d{1,2}/\d{1,2}/\d{4})",
                        re.IGNORECASE)
_QUOTE_OPENERS = re.compile(r"[“\"]")
_MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>])")
_RULE = re.compile(r"[-_–—=*]{3,}")
_PAGE_NUMBER = re.compile(r"^(?:\d{1,4}|(?:Trang|Page)\s+\d+(?:\s*/\s*\d+)?|-\s*\d+\s*-)$", re.IGNORECASE)
_SENTENCE_END = (".", ";", ":", "!", "?", "”", "\"", "…")

# Words that keep their capitals when an all-capitals heading is written in sentence case.
_PROPER_NAMES = ("Thủ tướng Chính phủ", "Văn phòng Chính phủ", "Chính phủ", "Quốc hội",
                 "Ủy ban Thường vụ Quốc hội", "Ủy ban nhân dân", "Hội đồng nhân dân", "Việt Nam",
                 "Nhà nước Cộng hòa xã hội chủ nghĩa Việt Nam", "Trung ương", "Bộ Tư pháp",
                 "Bộ Nội vụ", "Bộ Tài chính", "Bộ Công an", "Bộ Công Thương", "Mặt trận Tổ quốc",
                 *(f"{kind} số" for kind in KINDS))
_ISSUER_NAMES = {fold(name): name for name in (
    "Chính phủ", "Quốc hội", "Thủ tướng Chính phủ", "Ủy ban Thường vụ Quốc hội", "Chủ tịch nước",
    "Văn phòng Chính phủ", "Bộ Công Thương", "Tòa án nhân dân tối cao", "Viện kiểm sát nhân dân tối cao",
    "Kiểm toán nhà nước", "Ngân hàng Nhà nước Việt Nam", "Ban Chấp hành Trung ương",
    "Bộ Chính trị", "Ban Bí thư")}
_PLACE_WORDS = ("tỉnh", "thành phố", "huyện", "quận", "thị xã", "xã", "phường", "thị trấn")


@dataclass(eq=False)
class Division:
    """A Phần (part), Chương (chapter) or Mục (section): its number as written and its title."""

    kind: str
    number: str
    heading: str = ""
    # Paragraphs under the heading before the first article (rare: a note on the division).
    text: str = ""

    @property
    def title(self) -> str:
        """The heading in sentence case when it was written in capitals ("Những quy định chung")."""
        return display_heading(self.heading)

    @property
    def ordinal(self) -> int:
        """The number as an integer: "IV" -> 4, "thứ hai" -> 2, "3" -> 3 (0 when unreadable)."""
        return _ordinal(self.number)

    @property
    def label(self) -> str:
        """How the text names it: "Chương I", "Mục 2", "Phần thứ nhất"."""
        word = {"part": "Phần", "chapter": "Chương", "section": "Mục"}[self.kind]
        return f"{word} {self.number}"


@dataclass
class Point:
    """A điểm: its letter (a, b, đ…) and text without the "a)" marker."""

    letter: str
    text: str


@dataclass
class Clause:
    """A khoản: its number, its own text (lead-in and further paragraphs) and its points."""

    number: str
    text: str
    points: list[Point] = field(default_factory=list)

    @property
    def full_text(self) -> str:
        """The clause text followed by its points, each on its own line with its marker."""
        return "\n".join([self.text] + [f"{point.letter}) {point.text}" for point in self.points])


@dataclass(eq=False)
class Article:
    """An Điều with its place in the Phần/Chương/Mục tree, its clauses and its whole body text."""

    number: str
    title: str
    # The body as it reads, markers included ("1. …", "a) …"), one paragraph a line.
    text: str = ""
    # Paragraphs before the first khoản or điểm.
    intro: str = ""
    clauses: list[Clause] = field(default_factory=list)
    # Points standing directly under the article, with no khoản.
    points: list[Point] = field(default_factory=list)
    divisions: tuple[Division, ...] = ()

    @property
    def label(self) -> str:
        """ "Điều 35a"."""
        return f"Điều {self.number}"

    @property
    def part(self) -> Division | None:
        """The Phần holding this article, if the text has parts."""
        return self._division("part")

    @property
    def chapter(self) -> Division | None:
        """The Chương holding this article, if the text has chapters."""
        return self._division("chapter")

    @property
    def section(self) -> Division | None:
        """The Mục holding this article, if any."""
        return self._division("section")

    def clause(self, number: str) -> Clause | None:
        """The khoản with this number, or None."""
        return next((clause for clause in self.clauses if clause.number == str(number)), None)

    def _division(self, kind: str) -> Division | None:
        return next((division for division in self.divisions if division.kind == kind), None)


@dataclass
class Annex:
    """A Phụ lục after the last article, kept as text (tables as "| cell | cell |" rows)."""

    label: str
    title: str
    text: str


@dataclass
class LegalMeta:
    """What the heading and the final articles say about the document itself."""

    number: str = ""
    kind: str = ""
    issuer: str = ""
    issued_on: date | None = None
    title: str = ""
    effective_on: date | None = None
    # True when the text says it takes effect "kể từ ngày ký".
    is_effective_on_signing: bool = False


@dataclass
class LegalText:
    """A parsed legal document: metadata, divisions, a flat list of articles, annexes."""

    meta: LegalMeta
    articles: list[Article] = field(default_factory=list)
    parts: list[Division] = field(default_factory=list)
    chapters: list[Division] = field(default_factory=list)
    sections: list[Division] = field(default_factory=list)
    annexes: list[Annex] = field(default_factory=list)
    # "Căn cứ …" and the enacting words before the first article.
    preamble: str = ""
    # "Nơi nhận", signature and anything else after the last article and before the annexes.
    closing: str = ""

    def article(self, number: str) -> Article | None:
        """The article with this number ("3", "35a"), or None."""
        return next((article for article in self.articles if article.number == str(number)), None)


def display_heading(heading: str) -> str:
    """An all-capitals heading in sentence case, proper names kept; other headings unchanged."""
    heading = clean(heading)
    if not _is_capitals(heading):
        return heading
    words = []
    for word in heading.split(" "):
        # Numbers ("63/2010/NĐ-CP") keep their capitals; so do Roman numerals after "Chương",
        # "Phần", "Mục" or "Phụ lục" — elsewhere "VI" is the word "vi" ("PHẠM VI").
        after_label = words and fold(words[-1]) in ("chuong", "phan", "muc", "luc")
        keep = any(ch.isdigit() for ch in word) or (after_label and re.fullmatch(r"[IVXLC]+[.,:;]?", word))
        words.append(word if keep else word.lower())
    text = " ".join(words)
    for name in sorted(_PROPER_NAMES, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(name.lower())}(?!\w)", name, text)
    return text[:1].upper() + text[1:]


def issuer_name(heading: str) -> str:
    """The issuing body as it is written in running text: "BỘ TƯ PHÁP" -> "Bộ Tư pháp"."""
    text = clean(_RULE.sub(" ", heading)).strip(" |")
    if not text or not _is_capitals(text):
        return text
    known = _ISSUER_NAMES.get(fold(text))
    if known:
        return known
    lowered = text.lower()
    folded = fold(lowered)
    if folded.startswith(("uy ban nhan dan", "hoi dong nhan dan", "so ", "phong ")):
        # "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI": the place name keeps a capital on every word.
        match = re.search(rf"(?<!\w)({'|'.join(_PLACE_WORDS)})\s+(.+)$", lowered)
        if match and match.start() > 0:
            body = _agency(lowered[:match.start()].strip())
            place = " ".join(word.capitalize() for word in match.group(2).split())
            return f"{body} {match.group(1)} {place}"
    return _agency(lowered)


def _agency(lowered: str) -> str:
    """ "bộ lao động - thương binh và xã hội" -> "Bộ Lao động - Thương binh và Xã hội"."""
    folded = fold(lowered)
    for prefix in ("uy ban nhan dan", "hoi dong nhan dan"):
        if folded.startswith(prefix):
            return lowered[:1].upper() + lowered[1:]
    match = re.match(r"(bộ|sở|phòng|cục|tổng cục|vụ)\s+(.+)$", lowered)
    if not match:
        return display_heading(lowered.upper())
    # Each name joined by "và", "," or "-" takes a capital, as ministries are written.
    pieces = re.split(r"(\s+và\s+|,\s*|\s+[-–]\s+)", match.group(2))
    name = "".join(piece if re.fullmatch(r"\s+và\s+|,\s*|\s+[-–]\s+", piece)
                   else piece[:1].upper() + piece[1:] for piece in pieces)
    return f"{match.group(1).capitalize()} {name}"


def parse_legal_text(text: str) -> LegalText:
    """Parse the full text of a legal document into metadata, divisions, articles and annexes."""
    parser = _Parser()
    for line in _lines(text):
        parser.feed(line)
    return parser.finish()


def without_quotations(text: str) -> str:
    """The text with each “…” or "…" span replaced by a space, in one pass over it.

    An opening mark that is never closed stays as it is. A regular expression such as
    “[^”]*” would scan to the end again from every unclosed mark: quadratic on a line of them."""
    pieces, position = [], 0
    openers = _QUOTE_OPENERS
    while True:
        match = openers.search(text, position)
        if match is None:
            break
        opener = match.group()
        end = text.find("”" if opener == "“" else '"', match.end())
        if end < 0:
            # No later mark of this kind closes either: look only for the other kind from here.
            pieces.append(text[position:match.end()])
            position = match.end()
            remaining = '"' if opener == "“" else "“"
            openers = re.compile(re.escape(remaining)) if openers is _QUOTE_OPENERS else None
            if openers is None:
                break
            continue
        pieces.append(text[position:match.start()])
        pieces.append(" ")
        position = end + 1
    pieces.append(text[position:])
    return "".join(pieces)


# -- lines ------------------------------------------------------------------------------------


@dataclass
class _Line:
    text: str
    is_blank_before: bool = False
    is_quoted: bool = False
    cells: tuple[str, ...] = ()

    @property
    def is_table(self) -> bool:
        return bool(self.cells)


def _lines(text: str) -> list[_Line]:
    """Split into lines without Markdown decoration; mark table rows and quoted passages."""
    text = unicodedata.normalize("NFC", text or "")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = re.sub("[\u200b\u200c\u200d\ufeff]", "", text)
    lines: list[_Line] = []
    is_blank_before = False
    for raw in text.split("\n"):
        line = raw.replace("\t", " ").strip()
        if line.startswith("|"):
            row = _table_row(line)
            if row is None:
                continue
            if any(row):
                lines.append(_Line(" | ".join(cell for cell in row if cell).join(("| ", " |")),
                                   is_blank_before, cells=row))
                is_blank_before = False
            continue
        line = re.sub(r"^#{1,6}\s+", "", line)
        line = line.replace("**", "").replace("__", "")
        line = _MARKDOWN_ESCAPE.sub(r"\1", line)
        # "-------" under the issuer and the motto is decoration, not text.
        line = clean(_RULE.sub(" ", line))
        if not line or _PAGE_NUMBER.match(line):
            # A page number line is noise from a PDF, not a paragraph break.
            is_blank_before = is_blank_before or not line
            continue
        lines.append(_Line(line, is_blank_before))
        is_blank_before = False
    _mark_quotes(lines)
    return lines


def _table_row(line: str) -> tuple[str, ...] | None:
    """A Markdown table row as cleaned cells; None for the |---| separator row."""
    body = line.strip().strip("|")
    cells = re.split(r"(?<!\\)\|", body)
    if all(re.fullmatch(r"\s*:?-{2,}:?\s*", cell) for cell in cells):
        return None
    return tuple(clean(_RULE.sub(" ", cell.replace("\\|", "|")).replace("**", "")) for cell in cells)


def _mark_quotes(lines: list[_Line]) -> None:
    """Mark lines inside a quotation that spans lines (text an amending article puts in force).

    A quotation opened and never closed is taken for a typing slip and ignored, so one stray
    quote mark cannot swallow the rest of the document. The balance of curly marks and the parity
    of straight ones are summed once, with their lowest later values, so whether an opening is
    ever closed is known at once: no scan to the end from every unclosed mark."""
    count = len(lines)
    # balance[i], parity[i]: open curly quotes and straight-quote parity after lines[:i].
    balance, parity = [0] * (count + 1), [0] * (count + 1)
    for index, line in enumerate(lines):
        text = line.text
        balance[index + 1] = balance[index] + text.count("“") - text.count("”")
        parity[index + 1] = (parity[index] + text.count('"')) % 2
    # lowest[p][i]: the lowest balance after lines[:j], j >= i, where the parity is p.
    infinity = float("inf")
    lowest = [[infinity] * (count + 2), [infinity] * (count + 2)]
    for index in range(count, -1, -1):
        for kind in (0, 1):
            lowest[kind][index] = lowest[kind][index + 1]
        lowest[parity[index]][index] = min(lowest[parity[index]][index], balance[index])
    index = 0
    while index < count:
        line = lines[index]
        if line.is_table or not _opens_quote(line.text):
            index += 1
            continue
        # Closed on a later line j when the balance after it is back to (or below) the one before
        # this line and the straight marks are paired again.
        floor, pair = balance[index], parity[index]
        if lowest[pair][index + 2] > floor:
            index += 1
            continue
        end = next(j for j in range(index + 1, count)
                   if balance[j + 1] <= floor and parity[j + 1] == pair)
        # The opening line is quoted too when the quotation starts it ("“Điều 8. …").
        start = index if line.text[0] in "“\"" else index + 1
        for quoted in lines[start:end + 1]:
            quoted.is_quoted = True
        index = end + 1


def _opens_quote(text: str) -> bool:
    return text.count("“") > text.count("”") or text.count("\"") % 2 == 1


# -- parser -----------------------------------------------------------------------------------


class _Paragraphs:
    """Paragraphs built line by line. A wrapped line is kept as a piece of the last paragraph and
    the pieces are joined once at the end: adding to a growing string copies it on every line."""

    def __init__(self, first: str = ""):
        self.items: list[list[str]] = [[first]] if first else []

    def __bool__(self) -> bool:
        return bool(self.items)

    def append(self, text: str) -> None:
        self.items.append([text])

    def extend_last(self, text: str) -> None:
        self.items[-1] += (" ", text)

    @property
    def last_start(self) -> str:
        return self.items[-1][0]

    @property
    def last_end(self) -> str:
        return self.items[-1][-1]

    @property
    def is_last_single(self) -> bool:
        return len(self.items[-1]) == 1

    def text(self) -> str:
        return "\n".join("".join(pieces) for pieces in self.items)


@dataclass(eq=False)
class _Unit:
    """A paragraph list being filled: an article's intro, a clause or a point."""

    paragraphs: _Paragraphs = field(default_factory=_Paragraphs)


@dataclass(eq=False)
class _ArticleDraft:
    article: Article
    body: _Paragraphs = field(default_factory=_Paragraphs)
    intro: _Unit = field(default_factory=_Unit)
    clauses: list[tuple[Clause, _Unit, list[tuple[Point, _Unit]]]] = field(default_factory=list)
    points: list[tuple[Point, _Unit]] = field(default_factory=list)
    # The title may wrap onto the next line until the body starts.
    is_title_open: bool = True


class _Parser:
    """A line-by-line state machine: heading, body (articles), closing, annexes."""

    def __init__(self):
        self.mode = "heading"
        self.heading: list[_Line] = []
        self.divisions: dict[str, list[Division]] = {"part": [], "chapter": [], "section": []}
        self.chapter_sections: list[Division] = []
        self.current: dict[str, Division | None] = {"part": None, "chapter": None, "section": None}
        self.titled: Division | None = None
        self.is_between_division_and_article = False
        self.articles: list[_ArticleDraft] = []
        self.unit: _Unit | None = None
        self.closing: list[str] = []
        self.annexes: list[tuple[Annex, _Paragraphs]] = []
        # Paragraphs under a division heading before its first article.
        self.division_texts: dict[Division, list[str]] = {}

    def feed(self, line: _Line) -> None:
        """Take one line: it either opens a unit (division, article, clause…) or adds text."""
        if line.is_quoted:
            self._text(line)
            return
        if self._annex(line):
            return
        if self.mode == "annex":
            self._annex_text(line)
            return
        if self.mode == "closing" and not self._resumes(line):
            self.closing.append(line.text)
            return
        if self._division(line) or self._article(line):
            return
        if self.mode == "heading":
            self.heading.append(line)
            return
        if self._signature(line):
            return
        if self._clause(line) or self._point(line):
            self._end_check(line)
            return
        self._text(line)
        self._end_check(line)

    def finish(self) -> LegalText:
        """The parsed document, once every line has been fed."""
        articles = [self._article_from(draft) for draft in self.articles]
        heading, preamble = _split_heading(self.heading)
        meta = _meta(heading)
        meta.effective_on, meta.is_effective_on_signing = _effective(articles, meta.issued_on)
        annexes = [Annex(annex.label, annex.title, lines.text()) for annex, lines in self.annexes]
        for division, texts in self.division_texts.items():
            division.text = "\n".join(texts)
        return LegalText(meta=meta, articles=articles, parts=self.divisions["part"],
                         chapters=self.divisions["chapter"], sections=self.divisions["section"],
                         annexes=annexes,
                         preamble=_join_wrapped(preamble),
                         closing="\n".join(self.closing))

    # -- structure --

    def _division(self, line: _Line) -> bool:
        if line.is_table or not line.text[0].isupper():
            return False
        for kind, pattern in (("part", _PART), ("chapter", _CHAPTER), ("section", _SECTION)):
            match = pattern.match(line.text)
            if not match:
                continue
            number, separator, rest = match.groups()
            # "Chương II của Nghị định này…" at the start of a wrapped line is a reference.
            if rest and not separator and not _is_capitals(rest):
                return False
            # Sections are numbered afresh in each chapter; parts and chapters run on.
            siblings = self.chapter_sections if kind == "section" else self.divisions[kind]
            if siblings and 0 < _ordinal(number) <= siblings[-1].ordinal:
                return False
            division = Division(kind, _clean_number(number), rest.strip())
            self.divisions[kind].append(division)
            self.current[kind] = division
            if kind == "section":
                self.chapter_sections.append(division)
            else:
                self.chapter_sections = []
                self.current["section"] = None
                if kind == "part":
                    self.current["chapter"] = None
            self.titled = division
            self.unit = None
            self.mode = "body"
            self.is_between_division_and_article = True
            return True
        return False

    def _article(self, line: _Line) -> bool:
        if line.is_table:
            return False
        match = _ARTICLE.match(line.text)
        if not match:
            return False
        number, title = match.group(1), match.group(2).strip()
        if self.articles and _article_key(number) <= _article_key(self.articles[-1].article.number):
            # Numbering only goes up: a smaller number here is a reference in a wrapped line.
            return False
        divisions = tuple(d for d in (self.current["part"], self.current["chapter"], self.current["section"]) if d)
        draft = _ArticleDraft(Article(number=number, title=title, divisions=divisions))
        self.articles.append(draft)
        self.unit = draft.intro
        self.titled = None
        self.mode = "body"
        self.is_between_division_and_article = False
        return True

    def _resumes(self, line: _Line) -> bool:
        """After a closing mark, only the next article number in sequence reopens the body."""
        match = None if line.is_table else _ARTICLE.match(line.text)
        if not match or not self.articles:
            return False
        last = _article_key(self.articles[-1].article.number)
        key = _article_key(match.group(1))
        if key[0] == last[0] + 1 or (key[0] == last[0] and key > last):
            self.mode = "body"
            return True
        return False

    def _clause(self, line: _Line) -> bool:
        draft = self._open_article()
        match = None if line.is_table or draft is None else _CLAUSE.match(line.text)
        if not match:
            return False
        number = int(match.group(1))
        expected = int(draft.clauses[-1][0].number) + 1 if draft.clauses else 1
        # Allow one skipped number (a slip in the source); "2010." wrapped from a date is not one.
        if number not in (expected, expected + 1):
            return False
        clause = Clause(str(number), "")
        unit = _Unit(_Paragraphs(match.group(2)))
        draft.clauses.append((clause, unit, []))
        draft.body.append(line.text)
        draft.is_title_open = False
        self.unit = unit
        return True

    def _point(self, line: _Line) -> bool:
        draft = self._open_article()
        match = None if line.is_table or draft is None else _POINT.match(line.text)
        if not match:
            return False
        letter = match.group(1)
        points = draft.clauses[-1][2] if draft.clauses else draft.points
        # As with clauses, one skipped letter is a slip in the source, not a new structure.
        after = POINT_LETTERS.index(points[-1][0].letter) + 1 if points else 0
        if letter not in POINT_LETTERS[after:after + 2]:
            return False
        point = Point(letter, "")
        unit = _Unit(_Paragraphs(match.group(2)))
        points.append((point, unit))
        draft.body.append(line.text)
        draft.is_title_open = False
        self.unit = unit
        return True

    def _signature(self, line: _Line) -> bool:
        if not self.articles or not _SIGNATURE.match(line.text):
            return False
        self.mode = "closing"
        self.closing.append(line.text)
        self.unit = None
        return True

    def _end_check(self, line: _Line) -> None:
        # "./." ends the enacting text; what follows is signature and annex material.
        if line.text.endswith("/.") and self.articles:
            self.mode = "closing"
            self.unit = None

    def _annex(self, line: _Line) -> bool:
        if line.is_table or not self.articles:
            return False
        match = _ANNEX.match(line.text)
        if not match:
            return False
        word, number, separator, rest = match.groups()
        if word == "Phụ lục" and not (number and (not rest or separator or _is_capitals(rest))):
            return False
        if word == "PHỤ LỤC" and rest and not (separator or _is_capitals(rest)):
            return False
        label = f"Phụ lục {number}" if number else "Phụ lục"
        self.annexes.append((Annex(label, rest.strip(), ""), _Paragraphs()))
        self.mode = "annex"
        self.unit = None
        return True

    def _annex_text(self, line: _Line) -> None:
        annex, lines = self.annexes[-1]
        if not annex.title and not line.is_table:
            annex.title = line.text
            return
        if lines and not line.is_table and not lines.last_start.startswith("|") and \
                _continues(lines.last_end, line):
            lines.extend_last(line.text)
        else:
            lines.append(line.text)

    # -- text --

    def _open_article(self) -> _ArticleDraft | None:
        return self.articles[-1] if self.articles and self.mode == "body" else None

    def _text(self, line: _Line) -> None:
        if self.mode == "heading":
            self.heading.append(line)
            return
        if self.mode == "closing":
            self.closing.append(line.text)
            return
        if self.mode == "annex":
            self._annex_text(line)
            return
        if self.titled is not None and not line.is_table and self._division_title(line):
            return
        draft = self._open_article()
        if draft is None or self.is_between_division_and_article:
            division = self._innermost()
            if division is not None:
                self.division_texts.setdefault(division, [division.text] if division.text else []).append(line.text)
            return
        article = draft.article
        if draft.is_title_open and not line.is_table and not line.is_quoted:
            if not article.title and len(line.text) <= 200 and not line.text.endswith("."):
                article.title = line.text
                return
            # A title is at most a few lines: past 500 characters (its column's size) it is body.
            if article.title and line.text[0].islower() and len(article.title) < 500:
                article.title += " " + line.text
                return
        draft.is_title_open = False
        unit = self.unit or draft.intro
        if unit.paragraphs and draft.body and not line.is_table and \
                not draft.body.last_start.startswith("|") and _continues(unit.paragraphs.last_end, line):
            unit.paragraphs.extend_last(line.text)
            draft.body.extend_last(line.text)
            return
        target = unit
        is_after_points = bool(draft.clauses and draft.clauses[-1][2]) and unit is draft.clauses[-1][2][-1][1]
        if is_after_points and not line.is_quoted and not line.text.startswith(("-", "+", "•", "“", "\"")):
            # A plain paragraph after a clause's points closes the points and belongs to the clause;
            # "- …" lines are sub-items of the last point, and a quotation is the wording it amends.
            target = draft.clauses[-1][1]
            self.unit = target
        if not target.paragraphs and draft.body and draft.body.is_last_single and \
                re.fullmatch(r"\d+\.|[a-zđ]\)", draft.body.last_end):
            # The marker stood alone on its line ("1." then the text).
            draft.body.extend_last(line.text)
        else:
            draft.body.append(line.text)
        target.paragraphs.append(line.text)

    def _innermost(self) -> Division | None:
        return self.current["section"] or self.current["chapter"] or self.current["part"]

    def _division_title(self, line: _Line) -> bool:
        division = self.titled
        if not division.heading:
            division.heading = line.text
            return True
        if len(division.heading) >= 500:
            # A heading is a line or two; past its column's size the rest is text.
            self.titled = None
            return False
        if not line.is_blank_before and (line.text[0].islower() or
                                         (_is_capitals(line.text) and _is_capitals(division.heading))):
            division.heading += " " + line.text
            return True
        if line.is_blank_before and _is_capitals(line.text) and _is_capitals(division.heading) \
                and len(division.heading) < 60 and len(line.text) < 120:
            # A title broken over two capitalised paragraphs, as Word files often have.
            division.heading += " " + line.text
            return True
        self.titled = None
        return False

    def _article_from(self, draft: _ArticleDraft) -> Article:
        article = draft.article
        article.text = draft.body.text()
        article.intro = draft.intro.paragraphs.text()
        for clause, unit, points in draft.clauses:
            clause.text = unit.paragraphs.text()
            clause.points = [_point_from(point, point_unit) for point, point_unit in points]
            article.clauses.append(clause)
        article.points = [_point_from(point, unit) for point, unit in draft.points]
        return article


def _point_from(point: Point, unit: _Unit) -> Point:
    point.text = unit.paragraphs.text()
    return point


def _join_wrapped(lines: list[_Line]) -> str:
    """Paragraphs from lines, a wrapped line joined to the one before it."""
    paragraphs = _Paragraphs()
    for line in lines:
        if paragraphs and _continues(paragraphs.last_end, line):
            paragraphs.extend_last(line.text)
        else:
            paragraphs.append(line.text)
    return paragraphs.text()


def _continues(previous: str, line: _Line) -> bool:
    """Whether a line carries on the previous paragraph (a wrapped line) rather than starting one."""
    if not previous or line.is_table or _POINT.match(line.text) or _CLAUSE.match(line.text):
        return False
    if line.text[0].islower():
        return True
    if line.is_blank_before:
        return False
    return not previous.rstrip().endswith(_SENTENCE_END)


# -- metadata ---------------------------------------------------------------------------------


def _split_heading(lines: list[_Line]) -> tuple[list[str], list[_Line]]:
    """Heading lines (table cells one a line) and the preamble from "Căn cứ…" on."""
    heading: list[str] = []
    for index, line in enumerate(lines):
        if not line.is_table and _PREAMBLE_START.match(line.text):
            return heading, lines[index:]
        if line.is_table:
            heading.extend(cell for cell in line.cells if cell)
        else:
            heading.append(line.text)
    return heading, []


def _meta(heading: list[str]) -> LegalMeta:
    """Number, kind, issuer, date and title from the heading lines."""
    meta = LegalMeta()
    joined = "\n".join(heading)
    number = _NUMBER_LINE.search(joined)
    if number:
        meta.number = number.group(1)
    else:
        meta.number = parse_citation(joined).document_number
    issued = _DATE_WORDS.search(joined) or _DATE_SLASH.search(joined)
    if issued:
        meta.issued_on = _date(*issued.groups())
    kind_index = None
    for index, line in enumerate(heading):
        kind, rest = _kind_line(line)
        if kind:
            meta.kind, kind_index = kind, index
            title_lines = [rest] if rest else []
            break
    if kind_index is not None:
        for line in heading[kind_index + 1:]:
            if not _is_capitals(line) or _is_authority(line) or len(" ".join(title_lines)) > 400:
                break
            title_lines.append(line)
        meta.title = display_heading(" ".join(title_lines))
    if not meta.kind and meta.number:
        meta.kind = parse_citation(meta.number).kind
    meta.issuer = _issuer(heading, kind_index)
    if not meta.title:
        # A Markdown title such as "Nghị định số 63/2010/NĐ-CP của Chính phủ: Về kiểm soát …".
        for line in heading[:3]:
            if ":" in line and meta.number and meta.number in line:
                meta.title = clean(line.split(":", 1)[1])
                break
    return meta


def _kind_line(line: str) -> tuple[str, str]:
    """(kind, rest) when a heading line names the kind of document in capitals ("NGHỊ ĐỊNH").

    The rest is the start of the title when both share a line ("LUẬT BAN HÀNH VĂN BẢN …")."""
    if not _is_capitals(line) or line.endswith(":"):
        return "", ""
    folded = fold(line)
    for kind in KINDS:
        key = fold(kind)
        if folded == key or folded.startswith(key + " "):
            return kind, clean(line[len(kind):])
    return "", ""


def _is_authority(line: str) -> bool:
    folded = fold(line)
    return folded in _ISSUER_NAMES or folded.startswith(
        ("bo truong", "thu tuong", "chu tich", "uy ban nhan dan", "hoi dong nhan dan", "quoc hoi",
         "chinh phu", "cong hoa xa hoi", "doc lap"))


def _issuer(heading: list[str], kind_index: int | None) -> str:
    """The issuing body: the block before the national motto, else the line before the preamble."""
    for line in heading[:kind_index if kind_index is not None else len(heading)]:
        text = re.split(r"CỘNG HÒA XÃ HỘI|CỘNG HOÀ XÃ HỘI", line)[0]
        text = clean(_RULE.sub(" ", text))
        if not text or not _is_capitals(text) or _NUMBER_LINE.search(text):
            continue
        if fold(text).startswith(("doc lap", "so ")) or _kind_line(text)[0]:
            continue
        return issuer_name(text)
    if kind_index is not None:
        for line in heading[kind_index + 1:]:
            if _is_authority(line) and _is_capitals(line):
                return issuer_name(line)
    return ""


def _effective(articles: list[Article], issued_on: date | None) -> tuple[date | None, bool]:
    """The effective date an article states, looking first at articles on "hiệu lực"."""
    ordered = [a for a in articles if "hieu luc" in fold(a.title)] + articles[::-1]
    for article in ordered:
        own_text = without_quotations(article.text)
        match = _EFFECTIVE.search(own_text)
        if not match:
            continue
        found = match.group(1)
        if fold(found).startswith("ngay ky"):
            return issued_on, True
        parts = _DATE_WORDS.search(found) or _DATE_SLASH.search(found)
        return (_date(*parts.groups()) if parts else None), False
    return None, False


# -- small readers ----------------------------------------------------------------------------


def _is_capitals(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 2 and sum(ch.isupper() for ch in letters) >= 0.8 * len(letters)


def _clean_number(number: str) -> str:
    number = clean(number)
    if number.isdigit() or re.fullmatch(r"[IVXLC]+", number):
        return number
    return number.lower()


def _ordinal(number: str) -> int:
    number = clean(number)
    if number.isdigit():
        return int(number)
    if re.fullmatch(r"[IVXLC]+", number.upper()):
        values = [_ROMAN[ch] for ch in number.upper()]
        return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))
    # "thứ nhất", "thứ mười hai", "thứ hai mươi mốt"
    words = [word for word in fold(number).split() if word != "thu"]
    if "muoi" in words:
        at = words.index("muoi")
        tens = _ORDINAL_WORDS.get(words[at - 1], 0) if at else 1
        units = _ORDINAL_WORDS.get(words[at + 1], 0) if at + 1 < len(words) else 0
        return tens * 10 + units
    return _ORDINAL_WORDS.get(words[0], 0) if len(words) == 1 else 0


def _article_key(number: str) -> tuple[int, str]:
    match = re.match(r"(\d+)(.*)", number)
    return (int(match.group(1)), match.group(2)) if match else (0, number)


def _date(day: str, month: str, year: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


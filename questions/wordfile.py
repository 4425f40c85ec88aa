"""Question lists in Word (.docx) files, written the way organisers write them.

    PHẦN I: NGHỊ ĐỊNH 63/2010/NĐ-CP
    Câu 1: Thủ tục hành chính là gì?
    A. …   B) …   *C. …   D. …          (options may also share one line, split by tabs)
    Đáp án: C                           (optional; also "Căn cứ: …", "Giải thích: …", "Mức độ: …")
    …
    ĐÁP ÁN
    1-A, 2-C, 3-B                       (or a Word table: question number, letter)

The right option is the one marked: bold, underlined, highlighted or shaded, coloured, or with a
leading "*" — or named in an answer line or answer table. A kind of marking every option of a
question carries (all labels bold, say) is styling, not a key, and is ignored. When several
sources name the key they must agree. Questions may be numbered afresh in each part: an answer
for number n goes to the first question so numbered that has no table answer yet, preferring one
the document does not already key by marking or an "Đáp án:" line.

Topics: a heading "PHẦN n: <title>" gives the topic "<title>" exactly as written (not re-cased:
"NĐ-CP" and proper names would suffer), or "Phần n" when the heading has no title.

Faults are located by question number ("Câu 12: …"), with the part added ("Câu 12, Phần II: …")
when numbers repeat across parts; source_row holds the question number.
"""
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_COLOR_INDEX
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.font import Font

from questions.records import (OPTION_LETTERS, QUESTION, ImportFailed, ImportIssue, QuestionRecord,
                               choice_faults, parse_difficulty)
from questions.safety import MAX_FILE_BYTES, check_zip, refuse, unreadable
from questions.text import clean, fold

_QUESTION = re.compile(r"^(?i:câu)\s+(\d{1,4})\b\s*[:.)\-–—]?\s*(.*)$")
_PART = re.compile(r"^(?i:phần)\s+([IVXLCDM]+|\d+|[A-Z])\b\s*[:.\-–—]?\s*(.*)$")
_OPTION = re.compile(r"^(\*\s*)?([A-Fa-f])\s*[.)]\s*(\*\s*)?")
# The gap before the next option on the same line. It starts where a run of white space starts: without
# the look-behind each of the run's positions would start a match that scans the rest of the run (a line of
# 40,000 spaces took 30 s).
_NEXT_OPTION = re.compile(r"(?<!\s)(?:\t|\s{2,})(?=(?:\*\s*)?([A-Fa-f])\s*[.)]\s)")
_ANSWER_HEADING = re.compile(r"^(?:bang |phan )?dap an\b")
_ANSWER_LINE = re.compile(r"^dap an(?: dung)?(?: la)?\s*[:\-–]?\s*([a-f](?:[\s,;&+]*(?:va\s+)?[a-f])*)\s*\.?$")
_META = re.compile(r"^(can cu(?: phap ly)?|nguon|giai thich|muc do|do kho|doi tuong)\s*:")
_META_FIELDS = {"can cu": "citation", "can cu phap ly": "citation", "nguon": "citation",
                "giai thich": "explanation", "muc do": "difficulty", "do kho": "difficulty",
                "doi tuong": "audience"}
_PAIR = re.compile(r"(?:(?i:câu)\s*)?(\d{1,4})\s*(?:[-–.:)/=]\s*)?([A-F]{1,6})(?![0-9A-Za-zÀ-ỹ])")
_PAIR_GAPS = re.compile(r"^[\s,;.|]*$")
_NUMBER_CELL = re.compile(r"^(?:(?i:câu)\s*)?(\d{1,4})[.:]?$")
_LETTERS_CELL = re.compile(r"^([A-F](?:\s*(?:[,;]\s*)?[A-F])*)$")
_PLAIN_HIGHLIGHTS = (None, WD_COLOR_INDEX.INHERITED, WD_COLOR_INDEX.AUTO)


@dataclass
class _Line:
    """A line of text (a paragraph, or part of one split by a manual line break) with its marks."""

    text: str
    marks: list[frozenset]
    paragraph: int


@dataclass
class _Option:
    letter: str
    chars: list[tuple[str, frozenset]]
    label_marks: frozenset
    starred: bool
    paragraph: int

    @property
    def text(self) -> str:
        """The option's text without its label."""
        return clean("".join(ch for ch, _ in self.chars))

    @property
    def body_marks(self) -> frozenset:
        """Marks carried by every letter and digit of the option's text."""
        marked = [marks for ch, marks in self.chars if ch.isalnum()]
        return frozenset.intersection(*marked) if marked else frozenset()


@dataclass
class _Item:
    number: int
    part: str
    topic: str
    text: list[str] = field(default_factory=list)
    options: list[_Option] = field(default_factory=list)
    stated_keys: list[str] = field(default_factory=list)
    table_keys: list[str] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    faults: list[str] = field(default_factory=list)


class _StyleFonts:
    """Font properties of a document's styles along their basedOn chains, each looked up once.

    python-docx finds a style by scanning every style of the document, on every run: 5 ms a paragraph on
    an ordinary file, and quadratic on a file that declares thousands of styles. A chain that loops
    (A based on B based on A) ends where it repeats.
    """

    def __init__(self, document):
        self.by_id, self.defaults = {}, {}
        for style in document.styles.element.style_lst:
            if style.styleId is not None:
                self.by_id.setdefault(style.styleId, style)
            if style.default and style.type is not None:
                self.defaults.setdefault(style.type, style)
        self.cache: dict[tuple, object] = {}

    def value(self, style_id: str | None, style_type, read):
        """`read` of the font of the style (or the type's default style), else of its bases, else None."""
        key = (style_id, style_type, read)
        if key not in self.cache:
            element = self.by_id.get(style_id) if style_id is not None else None
            if element is None or element.type != style_type:
                element = self.defaults.get(style_type)
            value, seen = None, set()
            while element is not None and value is None and id(element) not in seen:
                seen.add(id(element))
                value = read(Font(element.rPr) if element.rPr is not None else None)
                element = self.by_id.get(element.basedOn_val) if element.basedOn_val else None
            self.cache[key] = value
        return self.cache[key]


def _bold(font):
    return font.bold if font is not None else None


def _underline(font):
    return font.underline if font is not None else None


def _highlight(font):
    return font.highlight_color if font is not None else None


def _inherited(run, paragraph, read, styles: _StyleFonts):
    """A font property from the run, else its character style, else the paragraph style chain."""
    value = read(run.font)
    if value is not None:
        return value
    value = styles.value(run._r.style, WD_STYLE_TYPE.CHARACTER, read)
    if value is not None:
        return value
    return styles.value(paragraph._p.style, WD_STYLE_TYPE.PARAGRAPH, read)


def _run_marks(run, paragraph, styles: _StyleFonts) -> frozenset:
    """The kinds of marking on a run that can single out the right option."""
    marks = set()
    if _inherited(run, paragraph, _bold, styles):
        marks.add("bold")
    if _inherited(run, paragraph, _underline, styles):
        marks.add("underline")
    try:
        highlight = _inherited(run, paragraph, _highlight, styles)
    except (ValueError, KeyError):  # a highlight value python-docx does not know is still a highlight
        highlight = "other"
    if highlight not in _PLAIN_HIGHLIGHTS:
        marks.add(f"highlight:{highlight}")
    properties = run._r.rPr
    shading = properties.find(qn("w:shd")) if properties is not None else None
    if shading is not None and shading.get(qn("w:fill"), "auto").upper() not in ("AUTO", "FFFFFF"):
        marks.add(f"shading:{shading.get(qn('w:fill')).upper()}")
    try:
        color = run.font.color.rgb if run.font.color.type is not None else None
    except (ValueError, KeyError):
        color = None
    if color is not None and str(color) != "000000":
        marks.add(f"color:{color}")
    return frozenset(marks)


def _paragraph_lines(paragraph, index: int, styles: _StyleFonts) -> list[_Line]:
    """A paragraph's lines (split at manual line breaks), each trimmed, with per-character marks."""
    chars: list[tuple[str, frozenset]] = []
    for item in paragraph.iter_inner_content():
        runs = item.runs if hasattr(item, "runs") else [item]  # hyperlinks hold runs
        for run in runs:
            marks = _run_marks(run, paragraph, styles)
            chars.extend((ch, marks) for ch in run.text)
    lines, current = [], []
    for ch, marks in chars + [("\n", frozenset())]:
        if ch in "\n\r":
            while current and current[0][0].isspace():
                current.pop(0)
            while current and current[-1][0].isspace():
                current.pop()
            if current:
                lines.append(_Line("".join(c for c, _ in current), [m for _, m in current], index))
            current = []
        else:
            current.append((ch, marks))
    return lines


def _line_pairs(text: str) -> list[tuple[int, str]] | None:
    """Answer pairs when the whole line is an answer list ("1-A, 2-C", "Câu 3: B"), else None."""
    pairs = [(int(m.group(1)), m.group(2)) for m in _PAIR.finditer(text)]
    if not pairs or not _PAIR_GAPS.match(_PAIR.sub("", text)):
        return None
    return pairs


def _table_pairs(table: Table) -> list[tuple[int, str]]:
    """Answer pairs in a Word table: "number | letter" side by side, or a number row above a letter row."""
    grid = []
    for row in table.rows:
        cells, last = [], None
        for cell in row.cells:
            if cell._tc is not last:  # a merged cell is listed once per grid column it spans
                cells.append(clean(cell.text))
            last = cell._tc
        grid.append(cells)

    def pair(number_cell: str, letters_cell: str):
        number, letters = _NUMBER_CELL.match(number_cell), _LETTERS_CELL.match(letters_cell)
        if number and letters:
            return int(number.group(1)), re.sub(r"[^A-F]", "", letters.group(1))
        return None

    pairs = [found for row in grid for a, b in zip(row, row[1:]) if (found := pair(a, b))]
    if not pairs:
        pairs = [found for upper, lower in zip(grid, grid[1:]) for a, b in zip(upper, lower)
                 if (found := pair(a, b))]
    if not pairs:
        pairs = [found for row in grid for cell in row for found in (_line_pairs(cell) or [])]
    return pairs


def _options(line: _Line) -> list[_Option] | None:
    """The options a line holds ("A. …", or "A. …<tab>B. …<tab>C. …"), or None if it holds none."""
    first = _OPTION.match(line.text)
    if not first:
        return None
    starts = [0]
    letter = first.group(2).upper()
    for match in _NEXT_OPTION.finditer(line.text):
        # Only the next letter in sequence splits, so "A. Điều 5  B) …" cannot split on stray text.
        if match.group(1).upper() == chr(ord(letter) + 1):
            starts.append(match.end())
            letter = match.group(1).upper()
    options = []
    for start, end in zip(starts, starts[1:] + [len(line.text)]):
        segment = line.text[start:end]
        match = _OPTION.match(segment)
        label_at = start + match.start(2)
        body = [(line.text[i], line.marks[i]) for i in range(start + match.end(), end)]
        while body and body[-1][0].isspace():
            body.pop()
        options.append(_Option(letter=match.group(2).upper(), chars=body,
                               label_marks=line.marks[label_at],
                               starred=bool(match.group(1) or match.group(3)), paragraph=line.paragraph))
    return options


def _part_topic(match: re.Match) -> tuple[str, str]:
    """(label, topic) of a "PHẦN n: title" heading."""
    label = f"Phần {match.group(1)}"
    return label, clean(match.group(2)) or label


def _collect(document) -> tuple[list[_Item], list[tuple[int, str]]]:
    """Walk the document in order: questions with their options, and the answer pairs found."""
    items: list[_Item] = []
    pairs: list[tuple[int, str]] = []
    part, topic = "", ""
    current: _Item | None = None
    in_answers = False
    styles = _StyleFonts(document)
    for index, block in enumerate(document.iter_inner_content()):
        if isinstance(block, Table):
            found = _table_pairs(block)
            if found:
                pairs.extend(found)
                current = None
            continue
        for line in _paragraph_lines(block, index, styles):
            text = line.text
            folded = fold(text).rstrip(" :.")
            # "ĐÁP ÁN", "BẢNG ĐÁP ÁN PHẦN II"…, but not "Đáp án: B" nor a question's own line.
            if _ANSWER_HEADING.match(folded) and not _ANSWER_LINE.match(folded) and "?" not in text \
                    and (current is None or current.options):
                in_answers, current = True, None
                continue
            found = _line_pairs(text)
            if found:
                pairs.extend(found)
                in_answers, current = True, None
                continue
            question = _QUESTION.match(text)
            if in_answers and not question:
                continue  # notes inside the answer section carry no questions
            in_answers = False
            heading = _PART.match(text)
            if heading:
                part, topic = _part_topic(heading)
                current = None
                continue
            if question:
                current = _Item(number=int(question.group(1)), part=part, topic=topic)
                if clean(question.group(2)):
                    current.text.append(question.group(2))
                items.append(current)
                continue
            if current is None:
                continue  # titles and introductions before the first question
            options = _options(line)
            if options:
                current.options.extend(options)
                continue
            stated = _ANSWER_LINE.match(fold(text))
            if stated:
                current.stated_keys.extend(re.sub(r"va|[^a-f]", "", stated.group(1)).upper())
                continue
            meta = _META.match(fold(text))
            if meta:
                current.meta[_META_FIELDS[meta.group(1)]] = clean(text.partition(":")[2])
                continue
            if current.options:
                last = current.options[-1]
                if last.paragraph == line.paragraph:
                    # A manual line break inside an option continues it.
                    last.chars.extend([(" ", frozenset())] + list(zip(text, line.marks)))
                else:
                    current.faults.append(f"sau các phương án có dòng không nhận ra: “{text[:60]}” "
                                          "(xoá đi, hoặc đổi thành tiêu đề “PHẦN …”)")
                continue
            current.text.append(text)
    return items, pairs


def _marked(options: list[_Option]) -> list[int]:
    """Indices of options singled out by formatting or a "*"; marks all options share are ignored."""
    body = [option.body_marks for option in options]
    label = [option.label_marks for option in options]
    starred = [option.starred for option in options]
    shared_body = frozenset.intersection(*body) if body else frozenset()
    shared_label = frozenset.intersection(*label) if label else frozenset()
    every_star = all(starred)
    return [index for index in range(len(options))
            if body[index] - shared_body or label[index] - shared_label
            or (starred[index] and not every_star)]


def _indices(keys: list[str]) -> list[int]:
    return sorted({ord(key) - ord("A") for key in keys})


def _letters(indices: list[int]) -> str:
    return ", ".join(OPTION_LETTERS[index] for index in indices)


def _finish(item: _Item) -> tuple[QuestionRecord | None, list[str]]:
    """The record for a collected question, or the faults that stop it."""
    faults = list(item.faults)
    letters = [option.letter for option in item.options]
    expected = [OPTION_LETTERS[i] if i < len(OPTION_LETTERS) else "?" for i in range(len(letters))]
    if letters != expected:
        faults.append(f"phương án phải theo thứ tự A, B, C…; tệp ghi {', '.join(letters)}")
    text = clean(" ".join(item.text))
    choices = [option.text for option in item.options]
    sources = {}
    if item.options:
        marked = _marked(item.options)
        if marked:
            sources["đánh dấu trong câu"] = marked
    if item.stated_keys:
        sources["dòng “Đáp án”"] = _indices(item.stated_keys)
    if item.table_keys:
        sources["bảng đáp án"] = _indices(item.table_keys)
    correct: list[int] = []
    if not sources:
        if len(choices) >= 2:  # with fewer options the missing options are the fault to report
            faults.append("không xác định được đáp án đúng: hãy in đậm, gạch chân hoặc tô màu phương án "
                          "đúng, thêm dấu * trước nó, hoặc ghi bảng đáp án cuối tệp")
    elif len({tuple(value) for value in sources.values()}) > 1:
        faults.append("đáp án không thống nhất: " + "; ".join(
            f"{name} là {_letters(value)}" for name, value in sources.items()))
    else:
        correct = next(iter(sources.values()))
        beyond = [index for index in correct if index >= len(choices)]
        if beyond:
            faults.append(f"đáp án {_letters(beyond)} không có phương án tương ứng")
            correct = []
    for part, message in choice_faults(text, choices, correct):
        if part != "correct" or not (faults or len(choices) < 2):
            faults.append(message)
    difficulty = parse_difficulty(item.meta.get("difficulty", ""))
    if difficulty is None:
        faults.append(f"mức độ “{item.meta['difficulty']}” không phải Dễ, Trung bình hoặc Khó")
    if faults:
        return None, faults
    return QuestionRecord(text=text, choices=choices, correct=correct, topic=item.topic,
                          difficulty=difficulty, citation=item.meta.get("citation", ""),
                          explanation=item.meta.get("explanation", ""),
                          audience=item.meta.get("audience", ""), source_row=item.number), []


def parse_document(document) -> list[QuestionRecord]:
    """Records from an open python-docx Document, or ImportFailed naming every faulty question."""
    items, pairs = _collect(document)
    by_number: dict[int, list[_Item]] = defaultdict(list)
    for item in items:
        by_number[item.number].append(item)
    repeated = any(len(group) > 1 for group in by_number.values())
    issues: list[ImportIssue] = []
    for number, keys in pairs:
        waiting = [item for item in by_number.get(number, []) if not item.table_keys]
        # With numbering restarted per part, prefer a question the document has not already keyed.
        unkeyed = [item for item in waiting if not (item.stated_keys or _marked(item.options))]
        target = (unkeyed or waiting or [None])[0]
        if target is not None:
            target.table_keys = list(keys)
        else:
            issues.append(ImportIssue(number, "bảng đáp án", "bảng đáp án ghi câu này nhiều lần hơn số câu có số này"
                                      if number in by_number else "có đáp án nhưng tệp không có câu hỏi số này",
                                      unit=QUESTION))
    records, question_issues = [], []
    for item in items:
        record, faults = _finish(item)
        where = item.part if repeated else ""
        question_issues.extend(ImportIssue(item.number, where, fault, unit=QUESTION) for fault in faults)
        if record:
            records.append(record)
    if issues or question_issues:
        # Questions' own faults first, in document order; answer-table leftovers after them.
        raise ImportFailed(question_issues + issues)
    if not records:
        raise refuse("không tìm thấy câu hỏi nào: mỗi câu cần bắt đầu bằng “Câu 1:”, “Câu 2:”…")
    return records


def read_docx(path: str | Path, max_bytes: int = MAX_FILE_BYTES) -> list[QuestionRecord]:
    """Read a Word (.docx) question list."""
    check_zip(path, ".docx", max_bytes)
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises many types for a file that is not a document
        raise unreadable(exc, ".docx")
    return parse_document(document)

"""Draft multiple-choice questions from a parsed legal text, for a person to review and approve.

Three templates, each chosen because its answer can be checked mechanically against the text:
numbers and time limits ("05 (năm) ngày làm việc", "quá hai lần", "trước ngày 31 tháng 01"),
definitions in a "Giải thích từ ngữ" article, and "which is NOT among" questions on lists whose
correct answer is an item of a different list. Every draft has status "draft": nothing here
is fit for a contest until a reviewer has read it."""
import math
import random
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

from questions.citation import parse_citation
from questions.legal import Article, Clause, LegalText, Point
from questions.records import QuestionRecord
from questions.text import clean, fold

OPTION_COUNT = 4
# Longer options are unreadable on a phone in a timed round; such items are not used as options.
MAX_ITEM_CHARS = 180
MAX_DEFINITION_CHARS = 250
# A definition longer than this is not quoted in a stem (a cut one would mislead).
MAX_QUOTE_CHARS = 180
# Share of a candidate answer's distinctive wording that may also occur in the list it is "not
# among"; above it the answer may be the same rule in other words, which a reviewer would reject.
MAX_OVERLAP = 0.34
# Share of a listed item's wording found inside a candidate answer; short generic items ("Thực
# hiện đầy đủ các quy định về thủ tục hành chính") match common phrases, hence the higher bar.
MAX_CONTAINED = 0.5
# A syllable found in at most this share of the text's paragraphs is distinctive ("phí", "hủy").
RARE_SYLLABLE_SHARE = 0.05

_NUMBER_WORDS = {1: "một", 2: "hai", 3: "ba", 4: "bốn", 5: "năm", 6: "sáu", 7: "bảy", 8: "tám",
                 9: "chín", 10: "mười"}
_WORD_NUMBERS = {word: number for number, word in _NUMBER_WORDS.items()}
# Plausible values an organiser would offer for each unit, so distractors look like real rules.
_UNIT_VALUES = {
    "ngày làm việc": (1, 2, 3, 5, 7, 10, 15, 20, 30, 45, 60),
    "ngày": (1, 2, 3, 5, 7, 10, 15, 20, 30, 45, 60, 90),
    "tháng": (1, 2, 3, 6, 9, 12, 18, 24, 36),
    "năm": (1, 2, 3, 4, 5, 10),
    "giờ": (2, 4, 8, 12, 24, 48, 72),
    "tuần": (1, 2, 3, 4, 6, 8),
    "lần": (1, 2, 3, 4, 5),
}
_DEADLINES = ((1, 1), (15, 1), (31, 1), (15, 2), (28, 2), (15, 3), (31, 3), (15, 4), (30, 4),
              (30, 6), (15, 7), (31, 7), (30, 9), (15, 10), (31, 10), (15, 11), (30, 11),
              (15, 12), (31, 12))
_DAYS_OF_MONTH = (5, 10, 15, 20, 25, 30)

_WORDS = "một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười"
_DURATION = re.compile(
    r"(?<![\d/,.])(?<!ngày )(?<!tháng )(?<!năm )(?<!số )(\d{1,3})(\s*\(([^()\d]{2,30})\))?\s+"
    r"(ngày làm việc|ngày|tháng|năm|giờ|tuần)(?!\s*\d)(?![^\W\d_])")
# A bare number of days is a time limit only after words like these.
_DURATION_CUE = re.compile(r"(thời hạn|chậm nhất|trong vòng|trong|trước|sau|không quá|tối đa|"
                           r"ít nhất|tối thiểu|kể từ|là)\s*$")
_TIMES = re.compile(rf"\b(quá|không quá|tối đa|ít nhất|tối thiểu)\s+(\d{{1,2}}|{_WORDS})\s+lần\b")
_DEADLINE = re.compile(r"\b(trước|chậm nhất là|chậm nhất vào|đến hết|đến)\s+ngày\s+(\d{1,2})\s+"
                       r"tháng\s+(\d{1,2})(?!\s*năm)(?![\d/])")
_DAY_OF_MONTH = re.compile(r"\b(trước|chậm nhất là|chậm nhất vào|đến|từ)\s+ngày\s+(\d{1,2})"
                           r"(\s+(?:của|hằng|hàng)\s+tháng)")
_EFFECTIVE = re.compile(r"(có hiệu lực(?: thi hành)?(?: kể)? từ)\s+ngày\s+(\d{1,2})\s+tháng\s+"
                        r"(\d{1,2})\s+năm\s+(\d{4})")
# Where a question built from a sentence should stop: the rest is an exception or another rule.
_STEM_STOPS = re.compile(r";|\.\s|\.$|, trừ (?:trường hợp|các trường hợp)|, đồng thời| hoặc báo cáo")
_REFERENCE = re.compile(r"\b(?:Điều|điều|khoản|Khoản|điểm|Điểm)\s+\d|(?:Nghị định|Điều|Luật|"
                        r"Thông tư|Quyết định|khoản) này\b|Phụ lục")
# Folded: "các hình thức khác", "nội dung khác theo …", "thực hiện quy định khác của pháp luật".
_CATCH_ALL = re.compile(r"^(?:cac |nhung )?(?:\w+ ){0,4}khac\b")
# Which lists an answer for a "not among" question is best taken from, by the target's group:
# an act that is forbidden reads like a plausible duty yet plainly is not one, and the reverse.
_DONOR_GROUPS = {"prohibited": ("conduct", "things"), "conduct": ("prohibited", "things"),
                 "things": ("things", "conduct", "prohibited")}
# Not folded: "cam" would also match "cam kết".
_PROHIBITION = re.compile(r"(?<!\w)cấm(?!\w)")
_LIST_TITLES = ("nguyen tac", "trach nhiem", "quyen", "nghia vu", "hinh thuc", "noi dung",
                "cac hanh vi", "tieu chi", "nhiem vu")
# Lists of what someone must do or respect; an item of one reads as an item of another.
_CONDUCT_WORDS = ("nguyen tac", "trach nhiem", "quyen", "nghia vu", "nhiem vu", "yeu cau")
_LEAD_NOUN = re.compile(r"(?:các|những)\s+([^,;:“”]+?)\s+(?:sau đây|sau|dưới đây|như sau)\s*:?$")
_DEFINITION = re.compile(r"^[“\"]([^”\"]{2,120})[”\"]\s*(?:\([^)]*\)\s*)?(?:là|được hiểu là)\s+(.+)$",
                         re.DOTALL)


@dataclass
class _Place:
    """Where a piece of text sits: the article and, when there is one, the clause and point."""

    article: Article
    clause: Clause | None = None
    point: Point | None = None


@dataclass
class _Found:
    """A number or date in a sentence, the question phrase that replaces it, and its options."""

    kind: str
    unit: str
    value: tuple
    start: int
    end: int
    answer: str
    ask: str


@dataclass
class _Enumeration:
    place: _Place
    lead: str
    items: list[str]

    @property
    def group(self) -> str:
        """ "prohibited", "conduct" (duties, rights, principles) or "things" (parts, criteria…).

        A "not among" answer is taken only from a list of another group: one official's duty
        is very often another's too (Điều 18 and Điều 20), so it cannot safely be "not a duty"."""
        title = fold(self.place.article.title)
        if _PROHIBITION.search(self.place.article.title.lower()) or _PROHIBITION.search(self.lead.lower()):
            return "prohibited"
        noun = _LEAD_NOUN.search(self.lead)
        if title.startswith(_CONDUCT_WORDS) and not self.place.clause or \
                (noun and fold(noun.group(1)).startswith(_CONDUCT_WORDS)):
            return "conduct"
        return "things"

    @property
    def has_catch_all(self) -> bool:
        """True when an item such as "Các hình thức khác" leaves the list open."""
        return any(_CATCH_ALL.search(fold(item)) for item in self.items)


def draft_questions(legal: LegalText, document_number: str, seed: int = 0,
                    only: dict[str, set[str]] | None = None) -> list[QuestionRecord]:
    """Draft questions (status "draft") on numbers, definitions and lists in a legal text.

    only: {article: clauses} to keep just the drafts resting there (an empty set keeps the whole
    article), e.g. the provisions an amending document brings; the rest of the text still feeds
    the distractors."""
    drafter = _Drafter(legal, clean(document_number) or legal.meta.number, random.Random(seed))
    drafts = drafter.numbers() + drafter.definitions() + drafter.enumerations()
    if only is not None:
        drafts = [draft for draft in drafts if _rests_on(draft.citation, only)]
    # Numbered so that a reviewer can say "Câu 12" when sending a draft back.
    for position, draft in enumerate(drafts, 1):
        draft.source_row = position
    return drafts


def _rests_on(citation: str, only: dict[str, set[str]]) -> bool:
    parsed = parse_citation(citation)
    if parsed.article not in only:
        return False
    clauses = only[parsed.article]
    words = parsed.clause.split()
    clause = words[words.index("khoản") + 1] if "khoản" in words[:-1] else ""
    return not clauses or not clause or clause in clauses


def cite(document_number: str, kind: str, article: str, clause: str = "", point: str = "") -> str:
    """A citation in the form parse_citation reads: "Điểm a Khoản 3 Điều 9 Nghị định 63/2010/NĐ-CP"."""
    parts = [f"Điểm {point}" if point else "", f"Khoản {clause}" if clause else "",
             f"Điều {article}", f"{kind} {document_number}".strip()]
    return " ".join(part for part in parts if part)


def number_words(number: int) -> str:
    """A number from 1 to 99 in Vietnamese words, as legal texts gloss it: 21 -> "hai mươi mốt"."""
    if number <= 10:
        return _NUMBER_WORDS[number]
    tens, units = divmod(number, 10)
    head = "mười" if tens == 1 else f"{_NUMBER_WORDS[tens]} mươi"
    if units == 0:
        return head
    unit_word = {1: "mốt" if tens > 1 else "một", 4: "tư" if tens > 1 else "bốn", 5: "lăm"}.get(
        units, _NUMBER_WORDS[units])
    return f"{head} {unit_word}"


class _Drafter:
    """Holds the text, the document's citation and the seeded random source for one run."""

    def __init__(self, legal: LegalText, document_number: str, rng: random.Random):
        self.legal = legal
        self.number = document_number
        self.kind = legal.meta.kind or parse_citation(document_number).kind
        self.rng = rng
        self.answer_uses: Counter = Counter()
        body = "\n".join(article.text for article in legal.articles)
        self.pads = bool(re.search(r"(?<!\d)0\d(?:\s*\([^)]*\))?\s+(?:ngày|tháng|năm)|tháng 0\d", body))
        self.body = body
        paragraphs = [paragraph for article in legal.articles for paragraph in article.text.split("\n")]
        self.weights = _idf(paragraphs)
        counts = Counter(syllable for paragraph in paragraphs for syllable in _syllables(paragraph))
        self.rare = {syllable for syllable, count in counts.items()
                     if count <= RARE_SYLLABLE_SHARE * len(paragraphs)}

    # -- numbers and dates --

    def numbers(self) -> list[QuestionRecord]:
        """How-many / how-long / which-date questions from quantities in each paragraph."""
        drafts = []
        for article in self.legal.articles:
            found_in_article = [found for _, text in _paragraphs(article) for found in _quantities(text)]
            for place, text in _paragraphs(article):
                for found in _quantities(text):
                    taken = {other.value for other in found_in_article
                             if (other.kind, other.unit) == (found.kind, found.unit)}
                    draft = self._number_draft(place, text, found, taken)
                    if draft:
                        drafts.append(draft)
        return drafts

    def _number_draft(self, place: _Place, text: str, found: _Found, taken: set) -> QuestionRecord | None:
        start, end = _sentence_bounds(text, found.start, found.end)
        sentence = text[start:end]
        stop = _STEM_STOPS.search(text, found.end, end)
        stem_end = stop.start() if stop else end
        stem = text[start:found.start] + found.ask + text[found.end:stem_end]
        stem = self._as_clause_of_question(stem.strip().rstrip(".,:"), place)
        if len(stem.split()) < 6:
            return None
        distractors = self._distractors(found, taken)
        if distractors is None:
            return None
        # The answer is written by the same rule as the distractors (padding, words in brackets,
        # capitals), so no option stands out by its form: "Ngày 1 tháng 7" among "Ngày 01 tháng 06".
        answer = self._format(found, found.value)
        # Numbers and dates read best in order; which position is right depends on the values.
        options = sorted([(found.value, answer)] + distractors)
        choices = [text_ for _, text_ in options]
        citation = self._cite(place)
        return self._record(
            text=f"Theo {citation}{self._context(place)}, {stem}?",
            choices=choices, correct=choices.index(answer), place=place,
            explanation=f"{citation} quy định: “{clean(sentence).rstrip(';,')}”.",
            difficulty="medium")

    def _distractors(self, found: _Found, taken: set) -> list[tuple] | None:
        """Three wrong values of the same unit, near the answer, none stated in the same article."""
        if found.kind in ("duration", "times"):
            pool = [(value,) for value in _UNIT_VALUES[found.unit]]
        elif found.kind == "deadline":
            pool = [(month, day) for day, month in _DEADLINES]
        elif found.kind == "day_of_month":
            pool = [(value,) for value in _DAYS_OF_MONTH]
        else:
            pool = self._effective_pool(found.value)
        pool = [value for value in pool if value != found.value and value not in taken]
        if len(pool) < OPTION_COUNT - 1:
            return None
        pool.sort(key=lambda value: _distance(found.kind, value, found.value))
        chosen = self.rng.sample(pool[:5], OPTION_COUNT - 1)
        if found.kind == "effective" and self.legal.meta.issued_on:
            # The signing date is the classic confusion with the effective date: always offer it.
            issued = _date_value(self.legal.meta.issued_on)
            if issued != found.value and issued not in chosen and issued not in taken:
                chosen[-1] = issued
        return [(value, self._format(found, value)) for value in chosen]

    def _effective_pool(self, value: tuple) -> list[tuple]:
        year, month, day = value
        pool = []
        for shift in (-3, -2, -1, 1, 2, 3):
            shifted_month = (month - 1 + shift) % 12 + 1
            shifted_year = year + (month - 1 + shift) // 12
            for candidate_day in (day, 1):
                try:
                    pool.append(_date_value(date(shifted_year, shifted_month, candidate_day)))
                except ValueError:
                    continue
        return sorted(set(pool))

    def _format(self, found: _Found, value: tuple) -> str:
        """A wrong value written the way the answer is written (padding, words in brackets)."""
        pad = self._pads_like(found)
        if found.kind == "duration":
            words = f" ({number_words(value[0])})" if "(" in found.answer else ""
            return f"{_number(value[0], pad)}{words} {found.unit}"
        if found.kind == "times":
            if found.answer[0].isdigit():
                return f"{_number(value[0], pad)} lần"
            return f"{number_words(value[0]).capitalize()} lần"
        if found.kind == "deadline":
            month, day = value
            return f"Ngày {_number(day, pad)} tháng {_number(month, pad)}"
        if found.kind == "day_of_month":
            return f"Ngày {_number(value[0], pad)}"
        year, month, day = value
        return f"Ngày {_number(day, pad)} tháng {_number(month, pad)} năm {year}"

    def _pads_like(self, found: _Found) -> bool:
        """Whether numbers below ten take a zero ("05"), as the answer or else the text writes them."""
        if re.search(r"(?<!\d)0\d", found.answer):
            return True
        if re.search(r"(?<![\d/])\d(?![\d/])", found.answer):
            return False
        return self.pads

    # -- definitions --

    def definitions(self) -> list[QuestionRecord]:
        """"What is X" and "which term means …" questions from a "Giải thích từ ngữ" article."""
        drafts = []
        for article in self.legal.articles:
            if not _is_definitions(article):
                continue
            terms = []
            for clause in article.clauses:
                match = _DEFINITION.match(clause.text.split("\n")[0])
                # A meaning that goes on in further paragraphs or points ("… bao gồm:") is not whole
                # on its first line: cut there it would read as the full definition. Left out.
                if match and "\n" not in clause.text and not clause.points and \
                        not match.group(2).rstrip().endswith(":"):
                    terms.append((clause, clean(match.group(1)), _item(match.group(2))))
            if len(terms) < OPTION_COUNT:
                continue
            # Syllables found in few of the definitions tell a term apart ("trích" in "Bản trích
            # sao"); those in most ("văn", "bản") tell nothing.
            counts = Counter(syllable for _, _, meaning in terms for syllable in _syllables(meaning))
            self.cues = {syllable for syllable, count in counts.items() if count <= max(1, len(terms) // 4)}
            for clause, term, meaning in terms:
                place = _Place(article, clause)
                drafts.extend(filter(None, (self._meaning_draft(place, term, meaning, terms),
                                            self._term_draft(place, term, meaning, terms))))
        return drafts

    def _meaning_draft(self, place, term, meaning, terms) -> QuestionRecord | None:
        if len(meaning) > MAX_DEFINITION_CHARS:
            return None
        others = [_capital(other) for _, other_term, other in terms
                  if other_term != term and len(other) <= MAX_DEFINITION_CHARS]
        if len(others) < OPTION_COUNT - 1:
            return None
        # Options that look like the answer: the same opening word ("Bản sao …" among "Bản sao …"),
        # and the term's telling syllables as often as the answer has them.
        term_cues = _syllables(term) & self.cues
        distractors = self._most_alike(_capital(meaning), others, term_cues, echo=term)
        if distractors is None:
            return None
        choices, correct = self._shuffle(_capital(meaning), distractors)
        citation = self._cite(place)
        return self._record(
            text=f"Theo {citation}, “{term}” là gì?", choices=choices, correct=correct, place=place,
            explanation=f"{citation}: “{term}” là {meaning}.", difficulty="easy")

    def _term_draft(self, place, term, meaning, terms) -> QuestionRecord | None:
        if fold(term) in fold(meaning):
            # The definition names its own term: the question would answer itself.
            return None
        others = [other_term for _, other_term, _ in terms if other_term != term]
        if len(others) < OPTION_COUNT - 1:
            return None
        # Terms that echo the quoted definition as much as the answer does ("… cần trích sao" asks
        # among "Bản trích sao", "Bản sao y", "Bản sao lục"), else the echo gives the answer away.
        distractors = self._most_alike(term, others, _syllables(meaning) & self.cues, echo=meaning)
        if distractors is None:
            return None
        choices, correct = self._shuffle(term, distractors)
        if len(meaning) > MAX_QUOTE_CHARS:
            # Quoted whole or not at all: a definition cut off mid-phrase misleads.
            return None
        quoted = meaning
        citation = self._cite(place)
        return self._record(
            text=f"Theo {citation}, thuật ngữ nào sau đây được hiểu là “{quoted}”?",
            choices=choices, correct=correct, place=place,
            explanation=f"{citation}: “{term}” là {meaning}.", difficulty="medium")

    def _most_alike(self, answer: str, others: list[str], cues: set[str], echo: str) -> list[str] | None:
        """Three options shaped like the answer, or None when the answer alone would stand out.

        An option is alike when it opens with the answer's first word and carries as many of the
        cue syllables as the answer does; the most alike are taken, ties by chance. `echo` is what
        the stem shows (the term, or the definition): an answer opening as it does ("Bản sao y" —
        "Bản sao đầy đủ …") needs options that open the same way."""
        opening = fold(answer).split(" ", 1)[0]
        answer_cues = len(_syllables(answer) & cues)

        def likeness(option: str) -> tuple:
            return (fold(option).split(" ", 1)[0] == opening, min(len(_syllables(option) & cues), answer_cues))

        ranked = sorted(others, key=lambda option: (likeness(option), self.rng.random()), reverse=True)
        chosen = ranked[:OPTION_COUNT - 1]
        shares_opening = any(likeness(option)[0] for option in chosen)
        opens_like_cue = opening == fold(echo).split(" ", 1)[0]
        if answer_cues and all(likeness(option)[1] < answer_cues for option in chosen):
            # Only the answer carries the term's telling syllables: "Văn thư cơ quan" is "… văn thư …".
            return None
        if not shares_opening and opens_like_cue:
            return None
        return chosen

    # -- lists --

    def enumerations(self) -> list[QuestionRecord]:
        """"Which is NOT among …" questions; the answer is an item of another article's list."""
        lists = [enumeration for article in self.legal.articles for enumeration in _enumerations(article)]
        drafts = []
        for enumeration in lists:
            usable = [item for item in enumeration.items if _is_option(item)]
            # An open list of things ("Nội dung khác theo …") may hold any answer we could offer.
            if len(usable) < OPTION_COUNT - 1 or (enumeration.has_catch_all and enumeration.group == "things"):
                continue
            donors = [(other, item) for other in lists
                      if other.place.article is not enumeration.place.article
                      for item in other.items if _is_option(item)
                      # "Không tự đặt ra …" offered as "not a prohibited act" reads as a trick.
                      and not (enumeration.group == "prohibited" and fold(item).startswith("khong "))]
            self.rng.shuffle(usable)
            # Long lists of things give two questions; lists of duties draw their answers from a
            # small pool of forbidden acts, which a second question would only repeat.
            rounds = 2 if len(usable) >= 2 * (OPTION_COUNT - 1) and enumeration.group == "things" else 1
            used_answers = set()
            for round_index in range(rounds):
                distractors = usable[round_index * 3:round_index * 3 + 3]
                draft = self._not_among_draft(enumeration, distractors, donors, used_answers)
                if draft:
                    drafts.append(draft)
        return drafts

    def _not_among_draft(self, enumeration, distractors, donors, used_answers) -> QuestionRecord | None:
        article_text = enumeration.place.article.text
        lengths = sorted(len(item) for item in distractors)
        tiers: dict[str, list] = {}
        for other, item in donors:
            if fold(item) in used_answers or not 0.4 * lengths[0] <= len(item) <= 2.5 * lengths[-1]:
                continue
            overlap = max(self._overlap(item, paragraph) for paragraph in
                          enumeration.items + article_text.split("\n") + [enumeration.lead])
            # The other way round too: "Sự cần thiết của thủ tục hành chính … được rà soát"
            # contains a listed item whole, so it is not "not among" the list.
            contained = max(self._overlap(listed, item) for listed in enumeration.items)
            # Two lists of things may name one thing in other words: "Các chi phí tuân thủ" beside
            # "phí, lệ phí". A distinctive syllable shared with the list rules such a candidate out.
            shares_rare = other.group == enumeration.group == "things" and bool(
                _syllables(item) & self.rare & set().union(*map(_syllables, enumeration.items)))
            if overlap <= MAX_OVERLAP and contained <= MAX_CONTAINED and not shares_rare:
                tiers.setdefault(other.group, []).append((other, item))
        # An answer seen again and again teaches the odd one out, not the law: the preferred
        # group while its answers have served at most twice, the least used first, then chance.
        candidates = [((self.answer_uses[fold(item)] >= 2, rank, self.answer_uses[fold(item)]), other, item)
                      for rank, group in enumerate(_DONOR_GROUPS[enumeration.group])
                      for other, item in tiers.get(group, [])]
        if not candidates:
            return None
        best = min(key for key, _, _ in candidates)
        _, donor, answer = self.rng.choice([c for c in candidates if c[0] == best])
        used_answers.add(fold(answer))
        self.answer_uses[fold(answer)] += 1
        choices, correct = self._shuffle(answer, list(distractors))
        if len({fold(choice) for choice in choices}) < OPTION_COUNT:
            return None
        citation = self._cite(enumeration.place)
        listed = "; ".join(enumeration.items)
        return self._record(
            text=self._not_among_stem(enumeration, citation), choices=choices, correct=correct,
            place=enumeration.place, difficulty="medium",
            explanation=f"{citation} liệt kê: {listed}. “{answer}” không có trong danh sách này; "
                        f"nội dung đó thuộc {self._cite(donor.place)}.")

    def _not_among_stem(self, enumeration: _Enumeration, citation: str) -> str:
        article = enumeration.place.article
        if enumeration.place.clause is None and _is_list_title(article.title):
            return (f"Theo {citation}, nội dung nào sau đây KHÔNG được quy định là "
                    f"{_lower_first(article.title)}?")
        lead = enumeration.lead.rstrip(" :")
        noun = _LEAD_NOUN.search(enumeration.lead)
        question = (f"Nội dung nào dưới đây KHÔNG thuộc các {noun.group(1)} đó?" if noun
                    else "Nội dung nào dưới đây KHÔNG nằm trong số được liệt kê?")
        return f"{citation} quy định: “{lead}: …”. {question}"

    def _overlap(self, candidate: str, text: str) -> float:
        """Share of the candidate's weighted word pairs that also occur in text."""
        mine, theirs = _pairs(candidate), _pairs(text)
        total = sum(self.weights.get(pair, 1.0) for pair in mine)
        shared = sum(self.weights.get(pair, 1.0) for pair in mine & theirs)
        return shared / total if total else 1.0

    # -- shared --

    def _shuffle(self, answer: str, distractors: list[str]) -> tuple[list[str], int]:
        correct = self.rng.randrange(len(distractors) + 1)
        choices = list(distractors)
        self.rng.shuffle(choices)
        choices.insert(correct, answer)
        return choices, correct

    def _cite(self, place: _Place) -> str:
        return cite(self.number, self.kind, place.article.number,
                    place.clause.number if place.clause else "", place.point.letter if place.point else "")

    def _context(self, place: _Place) -> str:
        """ "về trách nhiệm của …" when a clause is an item whose subject is the article title, or
        "về thời hạn nộp lưu …" when a point sits under a clause that is only a heading."""
        if place.clause is not None and _is_list_title(place.article.title):
            return f" về {_lower_first(place.article.title)}"
        heading = place.clause.text.split("\n")[-1] \
            if place.point is not None and place.clause is not None and place.clause.text else ""
        if heading and len(heading) <= 120 and not heading.endswith((".", ";", ":", ",")):
            # "2. Thời hạn nộp lưu hồ sơ, tài liệu vào Lưu trữ cơ quan" then "a) Đối với …: Trong …".
            return f" về {_lower_first(heading)}"
        return ""

    def _as_clause_of_question(self, stem: str, place: _Place) -> str:
        """Fit a sentence after "Theo …, ": lower its first word unless it starts a name."""
        stem = re.sub(r"\bĐiều này\b", f"Điều {place.article.number}", stem)
        # A name ("Bộ trưởng", "Cơ quan kiểm soát", "Nghị định này") keeps its capital inside
        # the text's own sentences; a common word ("Kể từ ngày", "Quyết định công bố") does not.
        lead = re.match(r"[^\W\d_]+(?: [^\W\d_]+){0,2}", stem)
        if lead and not re.search(rf"(?<=[^\W\d_] ){re.escape(lead.group())}(?!\w)", self.body):
            stem = stem[:1].lower() + stem[1:]
        return stem

    def _record(self, text, choices, correct, place, explanation, difficulty) -> QuestionRecord | None:
        if len({fold(choice) for choice in choices}) != len(choices):
            return None
        chapter = place.article.chapter
        topic = chapter.title if chapter else (self.legal.meta.title or place.article.title)
        return QuestionRecord(text=text, choices=choices, correct=[correct], topic=topic,
                              difficulty=difficulty, citation=self._cite(place),
                              explanation=explanation, status="draft")


# -- finding things ---------------------------------------------------------------------------


def _paragraphs(article: Article) -> list[tuple[_Place, str]]:
    """Every paragraph of an article with its place (intro, clause, point), quotations left out.

    Text an amending article quotes belongs to the amended document, under another number: a
    question on it would cite the wrong article."""
    found = [(_Place(article), paragraph) for paragraph in _own(article.intro)]
    found += [(_Place(article, None, point), point.text) for point in article.points
              if _own(point.text)]
    for clause in article.clauses:
        found += [(_Place(article, clause), paragraph) for paragraph in _own(clause.text)]
        found += [(_Place(article, clause, point), point.text) for point in clause.points
                  if _own(point.text)]
    return found


def _own(text: str) -> list[str]:
    """The paragraphs of text that are not inside a quotation spanning paragraphs."""
    own, curly, straight = [], 0, 0
    for paragraph in (text.split("\n") if text else []):
        if not curly and not straight and paragraph and paragraph[0] not in "“\"":
            own.append(paragraph)
        curly = max(0, curly + paragraph.count("“") - paragraph.count("”"))
        straight = (straight + paragraph.count("\"")) % 2
    return own


def _quantities(text: str) -> list[_Found]:
    """Time limits, counts and dates in a paragraph."""
    found = []
    for match in _DURATION.finditer(text):
        number, gloss, words, unit = match.groups()
        # Without words in brackets, a number is a time limit only after a cue ("trong thời hạn").
        if not gloss and not _DURATION_CUE.search(text[max(0, match.start() - 30):match.start()]):
            continue
        if words and _WORD_NUMBERS.get(clean(words)) not in (None, int(number)) and \
                clean(words) != number_words(int(number)):
            continue
        value = int(number)
        if value == 0:
            continue
        answer = f"{number}{f' ({clean(words)})' if words else ''} {unit}"
        found.append(_Found("duration", unit, (value,), match.start(), match.end(), answer,
                            f"bao nhiêu {unit}"))
    for match in _TIMES.finditer(text):
        cue, amount = match.group(1), match.group(2)
        value = int(amount) if amount.isdigit() else _WORD_NUMBERS[amount]
        answer = f"{amount} lần" if amount.isdigit() else f"{amount.capitalize()} lần"
        found.append(_Found("times", "lần", (value,), match.start(), match.end(), answer,
                            f"{cue} bao nhiêu lần"))
    for match in _DEADLINE.finditer(text):
        cue, day, month = match.groups()
        if not _valid_day(int(day), int(month)):
            continue
        found.append(_Found("deadline", "", (int(month), int(day)), match.start(), match.end(),
                            f"Ngày {day} tháng {month}", f"{cue} ngày nào"))
    for match in _DAY_OF_MONTH.finditer(text):
        cue, day, rest = match.groups()
        if not 1 <= int(day) <= 31:
            continue
        found.append(_Found("day_of_month", "", (int(day),), match.start(), match.end() - len(rest),
                            f"Ngày {day}", f"{cue} ngày nào"))
    for match in _EFFECTIVE.finditer(text):
        cue, day, month, year = match.groups()
        if not _valid_day(int(day), int(month)):
            continue
        found.append(_Found("effective", "", (int(year), int(month), int(day)), match.start(),
                            match.end(), f"Ngày {day} tháng {month} năm {year}", f"{cue} ngày nào"))
    return found


def _enumerations(article: Article) -> list[_Enumeration]:
    """Lists in an article: a clause's points after a lead-in ending in ":", or the clauses."""
    if _is_definitions(article):
        return []
    lists = []
    for clause in article.clauses:
        lead = clause.text.split("\n")[-1] if clause.text else ""
        if len(clause.points) >= OPTION_COUNT - 1 and lead.endswith(":"):
            lists.append(_Enumeration(_Place(article, clause), lead, [_item(p.text) for p in clause.points]))
    if len(article.points) >= OPTION_COUNT - 1 and article.intro.endswith(":"):
        lead = article.intro.split("\n")[-1]
        lists.append(_Enumeration(_Place(article), lead, [_item(p.text) for p in article.points]))
    intro_lead = article.intro.split("\n")[-1] if article.intro else ""
    is_list = intro_lead.endswith(":") or (not article.intro and _is_list_title(article.title))
    # Clauses read as list items only when each is one paragraph without points of its own.
    if is_list and len(article.clauses) >= OPTION_COUNT - 1 and \
            all("\n" not in clause.text and not clause.points for clause in article.clauses):
        lists.append(_Enumeration(_Place(article), intro_lead,
                                  [_item(clause.text) for clause in article.clauses]))
    return lists


def _is_definitions(article: Article) -> bool:
    return "giai thich tu ngu" in fold(article.title) or "duoc hieu nhu sau" in fold(article.intro)


def _is_option(item: str) -> bool:
    """A list item that can stand alone as an option: short, no cross-reference, not "other …"."""
    # "(nếu có)" marks a heading of a report form: offered elsewhere it gives itself away.
    if len(item) > MAX_ITEM_CHARS or _REFERENCE.search(item) or "(nếu có)" in item:
        return False
    # "Các hình thức khác", "Thực hiện quy định khác của pháp luật": they cover anything.
    return not _CATCH_ALL.search(fold(item))


def _is_list_title(title: str) -> bool:
    return fold(title).startswith(_LIST_TITLES)


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence (or ";"-separated part) of text around [start, end)."""
    begin = 0
    for match in re.finditer(r"[.;]\s+", text[:start]):
        if match.group().startswith(";") or text[match.end():match.end() + 1].isupper():
            begin = match.end()
    for match in re.finditer(r"[.;](?:\s+|$)", text[end:]):
        after = end + match.end()
        if match.group().startswith(";") or after >= len(text) or text[after].isupper():
            return begin, end + match.start()
    return begin, len(text)


def _pairs(text: str) -> set[tuple[str, str]]:
    words = re.findall(r"\w+", fold(text))
    return set(pairwise(words))


def _syllables(text: str) -> set[str]:
    return {word for word in re.findall(r"[^\W\d_]+", text.lower())}


def _idf(paragraphs: list[str]) -> dict:
    """Inverse document frequency of word pairs across the text's paragraphs."""
    counts = Counter(pair for paragraph in paragraphs for pair in _pairs(paragraph))
    total = max(len(paragraphs), 1)
    return {pair: math.log(1 + total / count) for pair, count in counts.items()}


def _distance(kind: str, value: tuple, answer: tuple) -> float:
    if kind in ("duration", "times", "day_of_month"):
        return abs(math.log(value[0]) - math.log(answer[0])) if kind != "day_of_month" \
            else abs(value[0] - answer[0])
    if kind == "deadline":
        return abs((value[0] - answer[0]) * 30.5 + value[1] - answer[1])
    return abs((date(*value) - date(*answer)).days)


def _number(value: int, pad: bool) -> str:
    return f"{value:02d}" if pad else str(value)


def _date_value(day: date) -> tuple[int, int, int]:
    return day.year, day.month, day.day


def _valid_day(day: int, month: int) -> bool:
    try:
        date(2000, month, day)
    except ValueError:
        return False
    return True


def _item(text: str) -> str:
    return clean(text.split("\n")[0]).rstrip(";,. ").rstrip()


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]

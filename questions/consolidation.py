"""The text of a document as in force on a date: its articles with the amendments applied.

This is what Vietnamese lawyers call the văn bản hợp nhất: article by article, each change marked
with the document and date that made it, and the earlier wording kept beside it. Built only from
the documents loaded; an amendment that cannot be placed in the text is reported, not guessed."""
from dataclasses import dataclass, field
from datetime import date

from questions.amendments import Amendment
from questions.legal import POINT_LETTERS, Article, parse_legal_text


@dataclass(frozen=True)
class Source:
    """The amending document behind a change: "Nghị định 48/2013/NĐ-CP", in force from a date."""

    label: str
    effective_on: date | None
    # Where the instruction sits in it ("khoản 2 Điều 1").
    place: str = ""


@dataclass
class Change:
    """An amendment with the document that made it, as consolidation takes it."""

    amendment: Amendment
    source: Source
    # Order among changes taking effect on the same day (the amending document's, then its own).
    order: tuple = ()
    # Anything kept by the caller to find the change again (the stored amendment's id).
    key: object = None


@dataclass
class Unit:
    """A paragraph-level piece of an article: its lead-in (no clause), a khoản, or an điểm."""

    clause: str
    point: str
    text: str
    changed_by: Source | None = None
    # The wording it replaced, if a change made it.
    earlier: str = ""
    is_added: bool = False
    is_repealed: bool = False

    @property
    def key(self) -> tuple[str, str]:
        """(clause, point): ("", "") for the lead-in, ("3", "") for khoản 3, ("2", "a") for its điểm a."""
        return self.clause, self.point


@dataclass
class ConsolidatedArticle:
    """An article as in force: its units, and what changed it."""

    number: str
    title: str
    units: list[Unit] = field(default_factory=list)
    # Set when the whole article was replaced, added or repealed.
    changed_by: Source | None = None
    earlier_title: str = ""
    earlier_text: str = ""
    is_added: bool = False
    is_repealed: bool = False

    @property
    def text(self) -> str:
        """The article's wording in force, one paragraph a line, markers included."""
        return "\n".join(unit.text for unit in self.units if not unit.is_repealed)

    @property
    def sources(self) -> list[Source]:
        """Every document that changed this article, in the order they did."""
        found = [self.changed_by] + [unit.changed_by for unit in self.units]
        return list(dict.fromkeys(source for source in found if source is not None))

    def clause_text(self, clause: str) -> str:
        """The wording of khoản `clause` with its points ("" if the article has no such clause)."""
        return "\n".join(unit.text for unit in self.units if unit.clause == clause and not unit.is_repealed)


@dataclass
class Applied:
    """What one change did: the article and clauses it touched, with their wording before and after."""

    change: Change
    article: str
    clauses: tuple[str, ...]
    before: str
    after: str
    before_clauses: dict[str, str] = field(default_factory=dict)
    after_clauses: dict[str, str] = field(default_factory=dict)


@dataclass
class Misplaced:
    """A change that does not fit the text (no such article, clause or phrase), with the reason."""

    change: Change
    reason: str


@dataclass
class Consolidation:
    """The document as in force on a date, what each change did, and what could not be placed."""

    articles: list[ConsolidatedArticle]
    applied: list[Applied] = field(default_factory=list)
    misplaced: list[Misplaced] = field(default_factory=list)
    # Changes loaded that take effect after the date (or whose date is unknown).
    pending: list[Change] = field(default_factory=list)

    def article(self, number: str) -> ConsolidatedArticle | None:
        """The article with this number, or None."""
        return next((article for article in self.articles if article.number == str(number)), None)


def as_articles(result: Consolidation, originals: list[Article]) -> list[Article]:
    """The articles in force as parsed Articles (repealed ones left out), each in its chapter, so
    the draft generator reads the current wording; an added article sits in its neighbour's."""
    divisions = {article.number: article.divisions for article in originals}
    current, found = (), []
    for article in result.articles:
        current = divisions.get(article.number, current)
        if article.is_repealed or not article.text:
            continue
        parsed = parse_legal_text(f"Điều {article.number}. {article.title}\n{article.text}").articles
        if parsed:
            parsed[0].divisions = current
            found.append(parsed[0])
    return found


def units_of(article: Article) -> list[Unit]:
    """An article's lead-in, clauses and points as units, markers written as in the text."""
    units = [Unit("", "", article.intro)] if article.intro else []
    units += [Unit("", point.letter, f"{point.letter}) {point.text}") for point in article.points]
    for clause in article.clauses:
        units.append(Unit(clause.number, "", f"{clause.number}. {clause.text}".rstrip()))
        units += [Unit(clause.number, point.letter, f"{point.letter}) {point.text}") for point in clause.points]
    return units


def consolidate(articles: list[Article], changes: list[Change], as_of: date) -> Consolidation:
    """The articles as in force on `as_of`: changes in force by then applied in order of their date."""
    result = Consolidation([ConsolidatedArticle(a.number, a.title, units_of(a)) for a in articles])
    in_force = sorted((c for c in changes if c.source.effective_on and c.source.effective_on <= as_of),
                      key=lambda c: (c.source.effective_on, c.order))
    result.pending = [c for c in changes if not (c.source.effective_on and c.source.effective_on <= as_of)]
    for change in in_force:
        reason = _apply(result, change)
        if reason:
            result.misplaced.append(Misplaced(change, reason))
    return result


def _apply(result: Consolidation, change: Change) -> str:
    """Apply one change; returns why it could not be placed, or ""."""
    amendment = change.amendment
    if amendment.action in ("replace_phrase", "delete_phrase"):
        return _apply_phrase(result, change)
    article = result.article(amendment.article)
    if amendment.action == "add" and not amendment.clause and not amendment.point:
        if article is not None and not article.is_repealed:
            return f"Điều {amendment.article} đã có trong văn bản."
        added = _parsed_article(amendment)
        if added is None:
            return "Nội dung điều bổ sung không bắt đầu bằng “Điều …”."
        new = ConsolidatedArticle(amendment.article, added.title, units_of(added), changed_by=change.source,
                                  is_added=True)
        for unit in new.units:
            unit.changed_by, unit.is_added = change.source, True
        _insert_article(result, new)
        result.applied.append(Applied(change, new.number, (), "", new.text,
                                      after_clauses=_clauses(new)))
        return ""
    if article is None or article.is_repealed:
        return f"Văn bản không có Điều {amendment.article}."
    before, before_clauses = article.text, _clauses(article)
    if not amendment.clause and not amendment.point:
        reason = _change_article(article, change)
    else:
        reason = _change_units(article, change)
    if reason:
        return reason
    touched = tuple(sorted({c for c in [amendment.clause] if c} or set(before_clauses) | set(_clauses(article))))
    result.applied.append(Applied(change, article.number, touched, before, article.text,
                                  before_clauses, _clauses(article)))
    return ""


def _change_article(article: ConsolidatedArticle, change: Change) -> str:
    amendment = change.amendment
    if amendment.action == "amend_title":
        article.earlier_title, article.title = article.earlier_title or article.title, amendment.text
        article.changed_by = change.source
        return ""
    if amendment.action == "repeal":
        article.earlier_text, article.is_repealed, article.changed_by = article.text, True, change.source
        for unit in article.units:
            unit.is_repealed = True
        return ""
    if amendment.action == "add":
        return "Không rõ nội dung bổ sung vào điều nào."
    replacement = _parsed_article(amendment)
    if replacement is None:
        # "Sửa đổi Điều 9: “Nội dung …”" without the "Điều 9." line: the quotation is the whole body.
        replacement = Article(number=amendment.article, title=article.title, intro=amendment.text)
    article.earlier_text, article.earlier_title = article.text, article.title
    article.title = replacement.title or article.title
    article.units = units_of(replacement)
    for unit in article.units:
        unit.changed_by = change.source
    article.changed_by = change.source
    return ""


def _change_units(article: ConsolidatedArticle, change: Change) -> str:
    """Amend, add or repeal a clause or point."""
    amendment = change.amendment
    clause, point = amendment.clause, amendment.point
    if point:
        selected = [i for i, unit in enumerate(article.units) if unit.key == (clause, point)]
    else:
        selected = [i for i, unit in enumerate(article.units) if unit.clause == clause]
    place = f"{'điểm ' + point + ' ' if point else ''}{'khoản ' + clause + ' ' if clause else ''}Điều {article.number}"
    if amendment.action == "add":
        if selected and not all(article.units[i].is_repealed for i in selected):
            return f"{place[:1].upper() + place[1:]} đã có trong văn bản."
        new_units = _new_units(amendment, clause, point)
        if new_units is None:
            return f"Nội dung bổ sung không bắt đầu bằng số hiệu của {place}."
        for unit in new_units:
            unit.changed_by, unit.is_added = change.source, True
        at = _insert_at(article, clause, point)
        article.units[at:at] = new_units
        return ""
    if not selected or all(article.units[i].is_repealed for i in selected):
        return f"Văn bản không có {place}."
    earlier = "\n".join(article.units[i].text for i in selected if not article.units[i].is_repealed)
    if amendment.action == "repeal":
        for i in selected:
            unit = article.units[i]
            unit.is_repealed, unit.changed_by, unit.earlier = True, change.source, unit.text
        return ""
    new_units = _new_units(amendment, clause, point)
    if new_units is None:
        return f"Nội dung mới không bắt đầu bằng số hiệu của {place}."
    for unit in new_units:
        unit.changed_by = change.source
    new_units[0].earlier = earlier
    article.units[selected[0]:selected[-1] + 1] = new_units
    return ""


def _apply_phrase(result: Consolidation, change: Change) -> str:
    """Replace or delete a phrase within the named article or clause, or across the whole text."""
    amendment = change.amendment
    articles = [result.article(amendment.article)] if amendment.article else result.articles
    if amendment.article and articles[0] is None:
        return f"Văn bản không có Điều {amendment.article}."
    found = False
    for article in articles:
        if article.is_repealed:
            continue
        before, before_clauses = article.text, _clauses(article)
        touched = set()
        for unit in article.units:
            if unit.is_repealed or (amendment.clause and unit.clause != amendment.clause) or \
                    (amendment.point and unit.point != amendment.point) or amendment.old_phrase not in unit.text:
                continue
            unit.earlier = unit.earlier or unit.text
            unit.text = _replace_phrase(unit.text, amendment.old_phrase, amendment.new_phrase)
            unit.changed_by = change.source
            touched.add(unit.clause)
        if touched:
            found = True
            result.applied.append(Applied(change, article.number, tuple(sorted(touched)), before, article.text,
                                          before_clauses, _clauses(article)))
    if not found:
        return f"Không tìm thấy cụm từ “{amendment.old_phrase}” tại {amendment.place}."
    return ""


def _replace_phrase(text: str, old: str, new: str) -> str:
    replaced = text.replace(old, new)
    if not new:
        # A deleted phrase leaves no double space or space before a comma behind.
        replaced = " ".join(replaced.split(" ")).replace("  ", " ").replace(" ,", ",").replace(" .", ".")
    return replaced


def _parsed_article(amendment: Amendment) -> Article | None:
    """The quoted wording read as an article ("Điều 35a. Tên\n1. …"), or None if it is not one."""
    text = amendment.text.strip()
    if not text.lower().startswith("điều"):
        return None
    parsed = parse_legal_text(text)
    return parsed.articles[0] if parsed.articles else None


def _new_units(amendment: Amendment, clause: str, point: str) -> list[Unit] | None:
    """The quoted wording of a clause ("3. …" with its points) or a point ("a) …") as units."""
    lines = [line for line in amendment.text.split("\n") if line.strip()]
    if not lines:
        return None
    if point:
        first = lines[0]
        if not first.startswith(f"{point})"):
            first = f"{point}) {first}"
        return [Unit(clause, point, "\n".join([first] + lines[1:]))]
    if not lines[0].startswith(f"{clause}."):
        if amendment.action == "add":
            return None
        lines[0] = f"{clause}. {lines[0]}"
    units = [Unit(clause, "", lines[0])]
    for line in lines[1:]:
        letter = line.split(")", 1)[0] if ")" in line[:3] else ""
        if letter and letter.isalpha() and len(letter) == 1:
            units.append(Unit(clause, letter, line))
        else:
            units[-1].text += "\n" + line
    return units


def _insert_at(article: ConsolidatedArticle, clause: str, point: str) -> int:
    """Where a new clause or point goes: after the last unit that sorts before it."""
    key = (_order(clause), _letter(point))
    for index, unit in enumerate(article.units):
        if (unit.clause or unit.point) and (_order(unit.clause), _letter(unit.point)) > key:
            return index
    return len(article.units)


def _letter(point: str) -> int:
    """Points sort in the Vietnamese order (a b c d đ e …); none (the clause's lead-in) first."""
    return POINT_LETTERS.index(point) + 1 if point in POINT_LETTERS and point else 0


def _insert_article(result: Consolidation, new: ConsolidatedArticle) -> None:
    key = _order(new.number)
    for index, article in enumerate(result.articles):
        if _order(article.number) > key:
            result.articles.insert(index, new)
            return
    result.articles.append(new)


def _order(label: str) -> tuple:
    """Sort key of "35a" after "35" and before "36"; letters after numbers."""
    digits = "".join(ch for ch in label if ch.isdigit())
    rest = label[len(digits):] if label.startswith(digits) and digits else label
    return (int(digits) if digits else -1, rest)


def _clauses(article: ConsolidatedArticle) -> dict[str, str]:
    return {unit.clause: article.clause_text(unit.clause) for unit in article.units
            if unit.clause and not unit.is_repealed}

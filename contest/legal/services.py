"""Storing legal documents, their articles, their status, and what follows for the questions."""
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from contest.extensions import db
from contest.legal.models import DOCUMENT_STATUSES, LegalAmendment, LegalArticle, LegalDocument
from questions.amendments import Amendment, is_amending, read_amendments
from questions.citation import parse_citation
from questions.consolidation import Change, Consolidation, Source, as_articles, consolidate
from questions.legal import LegalText, display_heading, parse_legal_text
from questions.text import clean


class LegalError(ValueError):
    """A document change that breaks a rule; the message is shown to the organizer."""


def find_document(number: str) -> LegalDocument | None:
    """The document with this number (e.g. "63/2010/NĐ-CP"), or None."""
    return db.session.scalar(sa.select(LegalDocument).where(LegalDocument.number == clean(number)))


def get_or_create_document(number: str, kind: str = "") -> tuple[LegalDocument, bool]:
    """The document with this number, created with what a citation tells if absent."""
    document = find_document(number)
    if document is not None:
        return document, False
    document = LegalDocument(number=clean(number), kind=kind)
    db.session.add(document)
    db.session.flush()
    return document, True


def _chapter_of(article) -> str:
    """The article's place, e.g. "Chương II. Quy định thủ tục hành chính — Mục 1. …"."""
    return " — ".join(f"{d.label}. {display_heading(d.heading)}".strip(" .") for d in article.divisions)


@dataclass
class LegalImport:
    """What importing a document did."""

    document: LegalDocument
    is_new: bool
    articles: int


def store_legal_text(legal: LegalText, source_text: str, filename: str = "",
                     number: str | None = None) -> LegalImport:
    """Store a parsed document (or refresh the one with the same number); the caller commits.

    Metadata already corrected by an organizer is kept; only empty fields are filled from the text.
    """
    number = clean(number or legal.meta.number)
    if not number:
        raise LegalError("Không đọc được số hiệu văn bản từ phần đầu; hãy nhập số hiệu (ví dụ 63/2010/NĐ-CP).")
    document, is_new = get_or_create_document(number, legal.meta.kind)
    meta = legal.meta
    document.kind = document.kind or meta.kind
    document.title = document.title or meta.title
    document.issuer = document.issuer or meta.issuer
    document.issued_on = document.issued_on or meta.issued_on
    document.effective_on = document.effective_on or meta.effective_on
    document.annex_text = "\n\n".join(f"{a.label}. {a.title}\n{a.text}".strip() for a in legal.annexes)
    document.source_text = source_text
    document.source_filename = filename
    # Delete the old articles before inserting the new: both use positions 0, 1, 2…
    document.articles.clear()
    db.session.flush()
    document.articles = [
        LegalArticle(position=index, number=article.number, title=article.title,
                     chapter=_chapter_of(article), text=article.text)
        for index, article in enumerate(legal.articles)]
    db.session.flush()
    return LegalImport(document=document, is_new=is_new, articles=len(document.articles))


def update_document(document: LegalDocument, *, kind: str, title: str, issuer: str,
                    issued_on: date | None, effective_on: date | None) -> None:
    """Correct a document's metadata."""
    document.kind, document.title, document.issuer = clean(kind), clean(title), clean(issuer)
    document.issued_on, document.effective_on = issued_on, effective_on


def change_document_status(document: LegalDocument, status: str, *, changed_on: date | None = None,
                           replaced_by: LegalDocument | None = None) -> None:
    """Mark a document in force, amended or replaced (by which document, from when)."""
    if status not in DOCUMENT_STATUSES:
        raise LegalError("Trạng thái văn bản không hợp lệ.")
    if status == "replaced" and replaced_by is None:
        raise LegalError("Cần chọn văn bản thay thế.")
    if replaced_by is not None and replaced_by.id == document.id:
        raise LegalError("Một văn bản không thể thay thế chính nó.")
    document.status = status
    document.status_changed_on = changed_on if status != "in_force" else None
    document.replaced_by = replaced_by if status == "replaced" else None


@dataclass
class AmendmentImport:
    """What reading an amending document found: changes stored, and those it could not place."""

    stored: int = 0
    problems: int = 0
    targets: list[LegalDocument] = field(default_factory=list)
    # Questions flagged "cần rà soát" as a result.
    flagged: int = 0


def store_amendments(document: LegalDocument, legal: LegalText) -> AmendmentImport:
    """Read the amendments a document makes and store them, replacing any read before; the caller
    commits. Each is checked against the amended text when that is loaded: one that does not fit
    keeps its reason in `problem` and is never applied."""
    result = AmendmentImport()
    db.session.execute(sa.delete(LegalAmendment).where(LegalAmendment.amending_id == document.id))
    if not is_amending(legal):
        return result
    reading = read_amendments(legal)
    targets: dict[str, LegalDocument] = {}
    rows = []
    for amendment in reading.amendments:
        if amendment.target not in targets:
            targets[amendment.target] = get_or_create_document(amendment.target,
                                                               parse_citation(amendment.target).kind)[0]
        rows.append(LegalAmendment(
            amending_id=document.id, target_id=targets[amendment.target].id, position=len(rows),
            action=amendment.action, article=amendment.article, clause=amendment.clause, point=amendment.point,
            new_text=amendment.text, old_phrase=amendment.old_phrase, new_phrase=amendment.new_phrase,
            source=amendment.source, instruction=amendment.instruction))
    for unplaced in reading.unplaced:
        target = targets.get(unplaced.target) or (get_or_create_document(unplaced.target)[0] if unplaced.target else None)
        rows.append(LegalAmendment(amending_id=document.id, target_id=target.id if target else None,
                                   position=len(rows), source=unplaced.source, instruction=unplaced.instruction,
                                   problem=unplaced.reason))
    db.session.add_all(rows)
    db.session.flush()
    result.targets = list(dict.fromkeys(targets.values()))
    for target in result.targets:
        check_placement(target)
    result.stored = sum(1 for row in rows if not row.problem)
    result.problems = sum(1 for row in rows if row.problem)
    return result


def stored_changes(target: LegalDocument) -> list[Change]:
    """The amendments of a document that were read, as changes to consolidate (key: the row)."""
    rows = db.session.scalars(sa.select(LegalAmendment).join(LegalAmendment.amending).where(
        LegalAmendment.target_id == target.id, LegalAmendment.action != "")
        .order_by(LegalDocument.issued_on, LegalAmendment.amending_id, LegalAmendment.position)).all()
    return [Change(Amendment(target.number, row.action, row.article, row.clause, row.point, row.new_text,
                             row.old_phrase, row.new_phrase, row.source, row.instruction),
                   Source(row.amending.display_name, row.amending.effective_on, row.source),
                   (row.amending.issued_on or date.min, row.amending_id, row.position), row)
            for row in rows]


def base_articles(document: LegalDocument) -> list:
    """The document's own articles as first issued, parsed from its stored text (none if not loaded)."""
    return parse_legal_text(document.source_text).articles if document.source_text else []


def check_placement(target: LegalDocument) -> None:
    """Mark the stored amendments of a document that do not fit its text (no such article, clause or
    phrase); clear the mark on those that now fit. Without the text loaded nothing can be checked."""
    changes = stored_changes(target)
    if not target.source_text:
        return
    result = consolidate(base_articles(target), changes, date.max)
    misplaced = {id(item.change): item.reason for item in result.misplaced}
    for change in changes:
        reason = misplaced.get(id(change), "")
        if not change.source.effective_on:
            reason = "Văn bản sửa đổi chưa có ngày có hiệu lực: hãy nhập ở trang của văn bản đó."
        change.key.problem = reason


def consolidated(document: LegalDocument, as_of: date) -> Consolidation:
    """The document's articles as in force on a date, with every loaded amendment in force by then."""
    return consolidate(base_articles(document), [c for c in stored_changes(document) if not c.key.problem], as_of)


def current_text(document: LegalDocument, as_of: date) -> LegalText:
    """The document's parsed text with the amendments in force on `as_of` applied: drafts rest on
    the law in force, never on a superseded wording."""
    legal = parse_legal_text(document.source_text)
    if any(not change.key.problem for change in stored_changes(document)):
        legal.articles = as_articles(consolidated(document, as_of), legal.articles)
    return legal


@dataclass
class DraftSource:
    """A text to draft from, what it cites, and (for an amending document) which provisions."""

    legal: LegalText
    number: str
    only: dict[str, set[str]] | None = None


def draft_sources(document: LegalDocument, as_of: date) -> list[DraftSource]:
    """What drafts of a document rest on: its own current text; for an amending document, the
    provisions it brings, in the wording of the amended document once they are in force."""
    rows = db.session.scalars(sa.select(LegalAmendment).where(
        LegalAmendment.amending_id == document.id, LegalAmendment.problem == "",
        LegalAmendment.action.in_(("amend", "add", "replace_phrase")))).all()
    sources = []
    for target in dict.fromkeys(row.target for row in rows if row.target is not None):
        mine = [row for row in rows if row.target is target and row.article]
        whole = {row.article for row in mine if not row.clause}
        only = {row.article: (set() if row.article in whole else
                              {other.clause for other in mine if other.article == row.article}) for row in mine}
        if target.source_text:
            day = max(as_of, document.effective_on or as_of)
            sources.append(DraftSource(current_text(target, day), target.number, only))
        else:
            # The amended text is not loaded: the new provisions alone, as the amendment words them.
            sources.append(DraftSource(_provisions(mine), target.number, only))
    if not rows:
        sources.append(DraftSource(current_text(document, as_of), document.number))
    return sources


def _provisions(rows: list[LegalAmendment]) -> LegalText:
    """The new wording of amended articles and clauses, read as a text of its own."""
    by_article: dict[str, list[str]] = {}
    for row in rows:
        if row.action in ("amend", "add") and row.new_text:
            body = row.new_text if row.new_text.lower().startswith("điều") else f"Điều {row.article}.\n{row.new_text}"
            by_article.setdefault(row.article, []).append(body)
    ordered = sorted(by_article.items(), key=lambda item: _article_order(item[0]))
    # One article heading each: the clauses of an article amended one by one follow its first.
    text = "\n".join(body for _, bodies in ordered
                     for body in bodies[:1] + [later.split("\n", 1)[-1] for later in bodies[1:]])
    return parse_legal_text(text)


def _article_order(number: str) -> tuple:
    digits = "".join(ch for ch in number if ch.isdigit())
    return (int(digits) if digits else 0, number)

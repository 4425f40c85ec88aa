"""Storing legal documents, their articles, their status, and what follows for the questions."""
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from contest.extensions import db
from contest.legal.models import DOCUMENT_STATUSES, LegalArticle, LegalDocument
from questions.legal import LegalText, display_heading
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

"""Reading legal documents and what rests on them."""
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from contest.bank.models import Question
from contest.extensions import db
from contest.legal.models import LegalAmendment, LegalDocument
from contest.legal.services import consolidated
from questions.consolidation import Consolidation


def all_documents() -> list[LegalDocument]:
    """Every document, by kind then number."""
    return db.session.scalars(sa.select(LegalDocument).order_by(LegalDocument.kind, LegalDocument.number)).all()


def question_counts_by_document() -> dict[int, int]:
    """How many current questions cite each document."""
    return dict(db.session.execute(sa.select(Question.document_id, sa.func.count())
                                   .where(Question.replaced_by_id.is_(None), Question.status != "retired")
                                   .group_by(Question.document_id)).all())


def questions_by_article(document: LegalDocument) -> dict[str, list[Question]]:
    """The document's current questions grouped by the article they cite ("" for none)."""
    grouped: dict[str, list[Question]] = {}
    for question in db.session.scalars(sa.select(Question).where(
            Question.document_id == document.id, Question.replaced_by_id.is_(None))
            .order_by(Question.id)):
        grouped.setdefault(question.article, []).append(question)
    return grouped


def amendments_made_by(document: LegalDocument) -> list[LegalAmendment]:
    """The changes a document makes to others, in its own order, those not understood included."""
    return db.session.scalars(sa.select(LegalAmendment).where(LegalAmendment.amending_id == document.id)
                              .order_by(LegalAmendment.position).options(joinedload(LegalAmendment.target))).all()


@dataclass
class ChangesView:
    """A document as in force on a date, for its page: None consolidation when nothing amends it."""

    as_of: date
    consolidation: Consolidation | None
    # The documents that amend it, and the changes stored against it that do not fit its text.
    amended_by: list[LegalDocument]
    problems: list[LegalAmendment]


def changes_view(document: LegalDocument, as_of: date) -> ChangesView:
    """What the document page shows of amendments: its consolidated text as of a date."""
    rows = db.session.scalars(sa.select(LegalAmendment).where(LegalAmendment.target_id == document.id)
                              .options(joinedload(LegalAmendment.amending))).all()
    amended_by = sorted({row.amending for row in rows}, key=lambda d: (d.issued_on or date.min, d.number))
    problems = [row for row in rows if row.problem]
    placed = [row for row in rows if not row.problem and row.action]
    consolidation = consolidated(document, as_of) if placed and document.source_text else None
    return ChangesView(as_of, consolidation, amended_by, problems)

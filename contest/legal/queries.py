"""Reading legal documents and what rests on them."""
import sqlalchemy as sa

from contest.bank.models import Question
from contest.extensions import db
from contest.legal.models import LegalDocument


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

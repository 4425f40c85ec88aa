"""Storing question banks: all-or-nothing imports with duplicates skipped."""
from dataclasses import dataclass, field

import sqlalchemy as sa

from contest.bank.models import LegalDocument, Question, QuestionBank
from contest.extensions import db
from questions.citation import parse_citation
from questions.records import QuestionRecord
from questions.text import fingerprint

DEFAULT_BANK = "Ngân hàng chung"


@dataclass
class ImportReport:
    """What an import added, and which rows it skipped as already in the bank."""

    bank_name: str
    added: int = 0
    duplicate_rows: list[int] = field(default_factory=list)
    documents_created: list[str] = field(default_factory=list)


def get_or_create_bank(name: str) -> QuestionBank:
    """The bank with this name, created if absent."""
    bank = db.session.scalar(sa.select(QuestionBank).where(QuestionBank.name == name))
    if bank is None:
        bank = QuestionBank(name=name)
        db.session.add(bank)
        db.session.flush()
    return bank


def get_or_create_document(number: str, kind: str = "") -> tuple[LegalDocument, bool]:
    """The legal document with this number, created with what the citation tells if absent."""
    document = db.session.scalar(sa.select(LegalDocument).where(LegalDocument.number == number))
    if document is not None:
        return document, False
    document = LegalDocument(number=number, kind=kind)
    db.session.add(document)
    db.session.flush()
    return document, True


def import_questions(records: list[QuestionRecord], bank_name: str = DEFAULT_BANK,
                     status: str = "approved") -> ImportReport:
    """Add records to a bank in the current transaction; questions already there are skipped.

    The caller commits, or rolls back for a dry run: either way nothing is half-stored.
    """
    bank = get_or_create_bank(bank_name)
    report = ImportReport(bank_name=bank.name)
    existing = set(db.session.scalars(
        sa.select(Question.fingerprint).where(Question.bank_id == bank.id)))
    documents: dict[str, LegalDocument] = {}
    for record in records:
        digest = fingerprint(record.text, record.choices)
        if digest in existing:
            report.duplicate_rows.append(record.source_row)
            continue
        existing.add(digest)
        citation = parse_citation(record.citation)
        document = None
        if citation.document_number:
            document = documents.get(citation.document_number)
            if document is None:
                document, created = get_or_create_document(citation.document_number, citation.kind)
                documents[citation.document_number] = document
                if created:
                    report.documents_created.append(document.number)
        db.session.add(Question(
            bank_id=bank.id, text=record.text, choices=record.choices, correct=record.correct,
            topic=record.topic, difficulty=record.difficulty, document=document,
            article=citation.article, clause=citation.clause, citation=record.citation,
            explanation=record.explanation, audience=record.audience, status=record.status or status,
            fingerprint=digest,
        ))
        report.added += 1
    db.session.flush()
    return report

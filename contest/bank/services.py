"""Writing question banks: all-or-nothing imports, edits that version, bulk status changes."""
from dataclasses import dataclass, field

import sqlalchemy as sa

from contest.attempts.models import AttemptItem
from contest.bank.models import QUESTION_STATUSES, Question, QuestionBank
from contest.database import utcnow
from contest.extensions import db
from contest.legal.models import LegalDocument
from contest.legal.services import get_or_create_document
from questions.citation import parse_citation
from questions.families import Member, find_families
from questions.records import QuestionRecord
from questions.text import clean, fingerprint, fold

DEFAULT_BANK = "Ngân hàng chung"


class BankError(ValueError):
    """An edit that breaks a rule; the message is shown to the organizer."""


@dataclass
class ImportReport:
    """What an import added, and which rows it skipped as already in the bank."""

    bank_name: str
    added: int = 0
    duplicate_rows: list[int] = field(default_factory=list)
    documents_created: list[str] = field(default_factory=list)
    # Questions of the bank in a family of related questions after the import (never two on a paper).
    in_families: int = 0


def get_or_create_bank(name: str) -> QuestionBank:
    """The bank with this name, created if absent."""
    name = clean(name) or DEFAULT_BANK
    bank = db.session.scalar(sa.select(QuestionBank).where(QuestionBank.name == name))
    if bank is None:
        bank = QuestionBank(name=name)
        db.session.add(bank)
        db.session.flush()
    return bank


def bump_revision(bank_id: int | None = None) -> None:
    """Mark a bank's drawable questions as changed (every bank when none is named)."""
    query = sa.update(QuestionBank).values(revision=QuestionBank.revision + 1)
    if bank_id is not None:
        query = query.where(QuestionBank.id == bank_id)
    db.session.execute(query.execution_options(synchronize_session=False))


def search_text(text: str, choices: list[str]) -> str:
    """What the bank search matches: the text and options, folded."""
    return fold(" ".join([text, *choices]))


class _Documents:
    """Resolves citation document numbers to documents, creating unknown ones once."""

    def __init__(self, report: ImportReport | None = None):
        self.cache: dict[str, LegalDocument] = {}
        self.report = report or ImportReport(bank_name="")

    def resolve(self, number: str, kind: str) -> LegalDocument | None:
        if not number:
            return None
        if number not in self.cache:
            document, created = get_or_create_document(number, kind)
            self.cache[number] = document
            if created:
                self.report.documents_created.append(document.number)
        return self.cache[number]


def import_questions(records: list[QuestionRecord], bank_name: str = DEFAULT_BANK,
                     status: str = "approved") -> ImportReport:
    """Add records to a bank in the current transaction; questions already there are skipped.

    The caller commits, or rolls back for a dry run: either way nothing is half-stored.
    """
    bank = get_or_create_bank(bank_name)
    report = ImportReport(bank_name=bank.name)
    existing = set(db.session.scalars(sa.select(Question.fingerprint).where(
        Question.bank_id == bank.id, Question.replaced_by_id.is_(None))))
    documents = _Documents(report)
    now = utcnow()
    rows = []
    for record in records:
        digest = fingerprint(record.text, record.choices)
        if digest in existing:
            report.duplicate_rows.append(record.source_row)
            continue
        existing.add(digest)
        citation = parse_citation(record.citation)
        document = documents.resolve(citation.document_number, citation.kind)
        rows.append({
            "bank_id": bank.id, "text": record.text, "choices": record.choices, "correct": record.correct,
            "topic": record.topic, "difficulty": record.difficulty,
            "document_id": document.id if document else None, "article": citation.article,
            "clause": citation.clause, "citation": record.citation, "explanation": record.explanation,
            "audience": record.audience, "status": record.status or status, "fingerprint": digest,
            "search_text": search_text(record.text, record.choices), "version": 1,
            "created_at": now, "updated_at": now,
        })
    # A Core executemany: thousands of rows in a few round trips, with no ids to read back.
    for start in range(0, len(rows), 2000):
        db.session.execute(sa.insert(Question), rows[start:start + 2000])
    report.added = len(rows)
    db.session.flush()
    report.in_families = refresh_families(bank.id)
    bump_revision(bank.id)
    db.session.flush()
    return report


def refresh_families(bank_id: int) -> int:
    """Group the bank's related questions into families (never two on one paper); returns how many
    questions are in a family. Retired and replaced versions are left out."""
    rows = db.session.execute(sa.select(
        Question.id, Question.document_id, Question.article, Question.text, Question.choices, Question.correct,
        Question.family_id).where(Question.bank_id == bank_id, Question.replaced_by_id.is_(None),
                                  Question.status != "retired")).all()
    members = [Member(row.id, row.document_id, row.article, row.text,
                      " ".join(row.choices[index] for index in row.correct if index < len(row.choices)))
               for row in rows]
    families = find_families(members)
    changes = [{"id": row.id, "family_id": families.get(row.id)} for row in rows
               if families.get(row.id) != row.family_id]
    stale = sa.update(Question).where(Question.bank_id == bank_id, Question.family_id.is_not(None),
                                      sa.or_(Question.replaced_by_id.is_not(None), Question.status == "retired"))
    db.session.execute(stale.values(family_id=None).execution_options(synchronize_session=False))
    if changes:
        # An ORM bulk update by primary key: one executemany.
        db.session.execute(sa.update(Question), changes)
    return len(families)


def was_shown(question: Question) -> bool:
    """True if some attempt has drawn this question (its wording is then part of a record)."""
    return db.session.scalar(sa.select(sa.exists().where(AttemptItem.question_id == question.id)))


def edit_question(question: Question, record: QuestionRecord, new_version: bool = False) -> Question:
    """Apply an edit; a question already shown in an attempt gets a new version instead.

    The old version is retired and points to the new one, so past attempts keep and score the
    wording they showed. Returns the question now current. The caller commits.
    """
    if record.status not in QUESTION_STATUSES:
        raise BankError("Trạng thái câu hỏi không hợp lệ.")
    if question.replaced_by_id is not None:
        raise BankError("Đây là phiên bản cũ; hãy sửa phiên bản hiện hành.")
    digest = fingerprint(record.text, record.choices)
    clash = db.session.scalar(sa.select(Question.id).where(
        Question.bank_id == question.bank_id, Question.fingerprint == digest,
        Question.replaced_by_id.is_(None), Question.id != question.id))
    if clash:
        raise BankError(f"Ngân hàng đã có câu hỏi giống hệt (câu #{clash}).")
    changes_paper = (record.text, record.choices, sorted(record.correct)) != \
        (question.text, question.choices, sorted(question.correct))
    citation = parse_citation(record.citation)
    document = _Documents().resolve(citation.document_number, citation.kind)
    target = question
    # A question under review always gets a new version: the wording it had stays on record.
    if new_version or (changes_paper and was_shown(question)):
        # The old version must leave the "current" unique index before the new one (often with
        # the same fingerprint) enters it: point it at itself for the moment, then at the new one.
        question.status = "retired"
        question.replaced_by_id = question.id
        db.session.flush()
        target = Question(bank_id=question.bank_id, version=question.version + 1)
        db.session.add(target)
    target.text, target.choices, target.correct = record.text, record.choices, sorted(record.correct)
    target.topic, target.difficulty, target.audience = record.topic, record.difficulty, record.audience
    target.citation, target.article, target.clause = record.citation, citation.article, citation.clause
    target.document = document
    target.explanation, target.status = record.explanation, record.status
    target.fingerprint, target.search_text = digest, search_text(record.text, record.choices)
    db.session.flush()
    if target is not question:
        question.replaced_by_id = target.id
        db.session.flush()
    refresh_families(question.bank_id)
    bump_revision(question.bank_id)
    return target


def set_status(question_ids: list[int], status: str) -> int:
    """Approve, retire or return to draft many current questions at once; returns how many changed."""
    if status not in QUESTION_STATUSES:
        raise BankError("Trạng thái câu hỏi không hợp lệ.")
    result = db.session.execute(sa.update(Question).where(
        Question.id.in_(question_ids), Question.replaced_by_id.is_(None), Question.status != status)
        .values(status=status).execution_options(synchronize_session=False))
    _refresh_banks_of(question_ids)
    bump_revision()
    return result.rowcount


def _refresh_banks_of(question_ids: list[int]) -> None:
    banks = set()
    for start in range(0, len(question_ids), 5000):
        banks.update(db.session.scalars(sa.select(Question.bank_id).distinct()
                                        .where(Question.id.in_(question_ids[start:start + 5000]))))
    for bank_id in banks:
        refresh_families(bank_id)


def retire_questions_citing(document: LegalDocument, article: str | None = None) -> int:
    """Retire every current question resting on the document (or one article of it); returns how many."""
    condition = [Question.document_id == document.id, Question.status != "retired",
                 Question.replaced_by_id.is_(None)]
    if article:
        condition.append(Question.article == article)
    banks = set(db.session.scalars(sa.select(Question.bank_id).distinct().where(*condition)))
    result = db.session.execute(sa.update(Question).where(*condition).values(status="retired")
                                .execution_options(synchronize_session=False))
    for bank_id in banks:
        refresh_families(bank_id)
    bump_revision()
    return result.rowcount

"""Flagging questions whose article changed, and the organizer's answer: confirm, edit or retire."""
import hashlib
from datetime import date, datetime

import sqlalchemy as sa

from contest.bank.models import Question
from contest.bank.services import BankError, bump_revision, edit_question, refresh_families
from contest.extensions import db
from contest.legal.models import LegalAmendment, LegalDocument
from contest.legal.services import (AmendmentImport, base_articles, check_placement, store_amendments,
                                    stored_changes)
from contest.reviews.models import QuestionReview
from questions.amendments import ACTIONS
from questions.consolidation import consolidate
from questions.legal import LegalText
from questions.records import QuestionRecord
from questions.text import clean


class ReviewError(ValueError):
    """A review action that breaks a rule; the message is shown to the organizer."""


def change_key(amendment: LegalAmendment) -> str:
    """What a change is, stable across imports of the same amending document."""
    phrase = hashlib.sha1(f"{amendment.old_phrase}\x1f{amendment.new_phrase}".encode()).hexdigest()[:12]
    return "|".join([amendment.amending.number, amendment.action, amendment.article, amendment.clause,
                     amendment.point, phrase])[:300]


def clause_number(clause: str) -> str:
    """ "khoản 3" -> "3"; "điểm a khoản 2" -> "2"; "" when the citation names no clause."""
    words = clean(clause).lower().split()
    return words[words.index("khoản") + 1] if "khoản" in words[:-1] else ""


def flag_changed_questions(target: LegalDocument) -> int:
    """Flag "cần rà soát" every current question citing an article or clause of `target` that a loaded
    amendment changed after the question was written (or that takes effect after it was written);
    returns how many flags were added. A change flags a question once, whatever is imported again."""
    changes = [c for c in stored_changes(target) if not c.key.problem]
    if not changes:
        return 0
    questions = db.session.scalars(sa.select(Question).where(
        Question.document_id == target.id, Question.replaced_by_id.is_(None), Question.status != "retired",
        Question.article != "")).all()
    if not questions:
        return 0
    existing = set(db.session.execute(sa.select(QuestionReview.question_id, QuestionReview.change_key).where(
        QuestionReview.question_id.in_([q.id for q in questions]), QuestionReview.change_key.is_not(None))).all())
    touched = _touched(target, changes)
    added, banks = 0, set()
    for question in questions:
        clause = clause_number(question.clause)
        for row, article, clauses, before, after in touched:
            if article != question.article or (clause and clauses and clause not in clauses):
                continue
            key = change_key(row)
            effective = row.amending.effective_on
            written = question.created_at.date()
            if (question.id, key) in existing or not (row.created_at > question.created_at or effective > written):
                continue
            existing.add((question.id, key))
            before_text, after_text = (before.get(clause, ""), after.get(clause, "")) if clause else ("", "")
            db.session.add(QuestionReview(
                question_id=question.id, amendment_id=row.id, change_key=key,
                reason=f"{row.amending.display_name} {ACTIONS[row.action].lower()} "
                       f"{_place(row)} của {target.display_name}, có hiệu lực từ {effective:%d/%m/%Y}.",
                before_text=before_text or before.get("", ""), after_text=after_text or after.get("", ""),
                changed_by=row.amending.display_name, changed_on=effective))
            added += 1
            banks.add(question.bank_id)
    db.session.flush()
    for bank_id in banks:
        bump_revision(bank_id)
    return added


def _place(row: LegalAmendment) -> str:
    parts = [f"điểm {row.point}" if row.point else "", f"khoản {row.clause}" if row.clause else "",
             f"Điều {row.article}" if row.article else "toàn văn"]
    return " ".join(part for part in parts if part)


def _touched(target: LegalDocument, changes) -> list[tuple]:
    """(amendment row, article, clauses touched, wording before, wording after) for every change.

    The wording is keyed by clause number, "" holding the whole article. Without the amended text
    loaded, a change is known only by its place and new wording."""
    articles = base_articles(target)
    if not articles:
        return [(c.key, c.amendment.article, (c.amendment.clause,) if c.amendment.clause else (),
                 {}, {"": c.amendment.text or f"“{c.amendment.old_phrase}” → “{c.amendment.new_phrase}”"})
                for c in changes if c.source.effective_on]
    result = consolidate(articles, changes, date.max)
    found = []
    for applied in result.applied:
        before = {"": applied.before, **applied.before_clauses}
        after = {"": applied.after or "(Điều này đã bị bãi bỏ.)", **applied.after_clauses}
        for clause in applied.clauses:
            after.setdefault(clause, "(Khoản này đã bị bãi bỏ.)")
        found.append((applied.change.key, applied.article, applied.clauses, before, after))
    return found


def flag_question(question: Question, reason: str) -> QuestionReview:
    """Flag a question "cần rà soát" by hand, with the reason; the caller commits."""
    reason = clean(reason)
    if not reason:
        raise ReviewError("Cần ghi lý do cần rà soát.")
    review = QuestionReview(question_id=question.id, reason=reason)
    db.session.add(review)
    db.session.flush()
    bump_revision(question.bank_id)
    return review


def open_reviews(question: Question) -> list[QuestionReview]:
    """The question's flags not yet resolved, oldest first."""
    return db.session.scalars(sa.select(QuestionReview).where(
        QuestionReview.question_id == question.id, QuestionReview.resolved_at.is_(None))
        .order_by(QuestionReview.id)).all()


def _resolve(question: Question, resolution: str, user_id: int, now: datetime, note: str = "") -> int:
    reviews = open_reviews(question)
    if not reviews:
        raise ReviewError("Câu hỏi này không có yêu cầu rà soát nào đang mở.")
    for review in reviews:
        review.resolved_at, review.resolved_by_id, review.resolution = now, user_id, resolution
        review.note = clean(note)
    bump_revision(question.bank_id)
    return len(reviews)


def confirm_question(question: Question, user_id: int, now: datetime, note: str = "") -> int:
    """The organizer confirms the question still holds under the new wording; who and when are kept."""
    return _resolve(question, "confirmed", user_id, now, note)


def retire_flagged(question: Question, user_id: int, now: datetime, note: str = "") -> int:
    """Retire a flagged question: it is drawn no more, and its flags are resolved as retired."""
    question.status = "retired"
    count = _resolve(question, "retired", user_id, now, note)
    db.session.flush()
    refresh_families(question.bank_id)
    return count


def edit_flagged(question: Question, record: QuestionRecord, user_id: int, now: datetime) -> Question:
    """Edit a flagged question into a new version (the old wording stays on record, retired) and
    resolve its flags as edited; returns the new version."""
    reviews = open_reviews(question)
    if not reviews:
        raise ReviewError("Câu hỏi này không có yêu cầu rà soát nào đang mở.")
    try:
        current = edit_question(question, record, new_version=True)
    except BankError as error:
        raise ReviewError(str(error))
    for review in reviews:
        review.resolved_at, review.resolved_by_id, review.resolution = now, user_id, "edited"
        review.note = f"Phiên bản mới: câu #{current.id}"
    return current


def follow_amendments(document: LegalDocument, legal: LegalText) -> AmendmentImport:
    """After a document is imported: read what it amends, check the changes made to it against its
    text, and flag the questions whose article changed. The caller commits."""
    result = store_amendments(document, legal)
    check_placement(document)
    result.flagged = sum(flag_changed_questions(target) for target in [*result.targets, document])
    return result


def follow_date_change(document: LegalDocument) -> int:
    """After an amending document's effective date is corrected: re-check its changes and flag."""
    targets = db.session.scalars(sa.select(LegalDocument).where(LegalDocument.id.in_(
        sa.select(LegalAmendment.target_id).where(LegalAmendment.amending_id == document.id)))).all()
    for target in targets:
        check_placement(target)
    return sum(flag_changed_questions(target) for target in targets)

"""Question banks and questions, each tied to the legal document and article it rests on."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.database import UTCDateTime, utcnow
from contest.extensions import db
from contest.legal.models import LegalDocument

QUESTION_STATUSES = ("draft", "approved", "retired")
DIFFICULTIES = ("easy", "medium", "hard")


class QuestionBank(db.Model):
    """A named set of questions (ngân hàng câu hỏi) a round draws from."""

    __tablename__ = "question_banks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    # Bumped whenever the set of approved questions may change: each worker's cache of the
    # drawable ids is keyed on it, so starting an attempt never scans the bank.
    revision: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Question(db.Model):
    """A multiple-choice question; `correct` lists indices into `choices`."""

    __tablename__ = "questions"
    __table_args__ = (
        # The same question lives once per bank; replaced versions keep their fingerprint.
        sa.Index("uq_questions_current_fingerprint", "bank_id", "fingerprint", unique=True,
                 sqlite_where=sa.text("replaced_by_id IS NULL"),
                 postgresql_where=sa.text("replaced_by_id IS NULL")),
        sa.Index("ix_questions_bank_status", "bank_id", "status"),
        sa.CheckConstraint(sa.text("status IN ('draft', 'approved', 'retired')"), name="status"),
        sa.CheckConstraint(sa.text("difficulty IN ('easy', 'medium', 'hard')"), name="difficulty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(sa.ForeignKey("question_banks.id"))
    text: Mapped[str] = mapped_column(sa.Text)
    choices: Mapped[list] = mapped_column(sa.JSON)
    correct: Mapped[list] = mapped_column(sa.JSON)
    topic: Mapped[str] = mapped_column(sa.String(200), default="")
    difficulty: Mapped[str] = mapped_column(sa.String(10), default="medium")
    document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("legal_documents.id"), index=True)
    article: Mapped[str] = mapped_column(sa.String(10), default="")
    clause: Mapped[str] = mapped_column(sa.String(100), default="")
    citation: Mapped[str] = mapped_column(sa.String(300), default="")
    explanation: Mapped[str] = mapped_column(sa.Text, default="")
    audience: Mapped[str] = mapped_column(sa.String(50), default="")
    status: Mapped[str] = mapped_column(sa.String(10), default="approved")
    # Text and choices folded (NFC, case, spacing): the same question is never stored twice.
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    # Text and choices without diacritics, lower-case: "kiem soat" finds "kiểm soát".
    search_text: Mapped[str] = mapped_column(sa.Text, default="")
    # Editing a question already shown in an attempt makes a new version; the old one is retired
    # and points here, and past attempts keep scoring the version they showed.
    version: Mapped[int] = mapped_column(default=1)
    replaced_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("questions.id"))
    # Related questions (near-duplicates that give each other away) share the smallest id among them.
    family_id: Mapped[int | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    bank: Mapped[QuestionBank] = relationship()
    document: Mapped[LegalDocument | None] = relationship()
    replaced_by: Mapped["Question | None"] = relationship(remote_side="Question.id")


class PendingImport(db.Model):
    """An uploaded bank or agency file between its preview and the organizer's confirmation.

    Kept in the database, not on one instance's disk, so the confirmation may reach any instance.
    """

    __tablename__ = "pending_imports"

    token: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    # What the file is: "questions" (a bank) or "agencies" (the agency list).
    kind: Mapped[str] = mapped_column(sa.String(20), default="questions", server_default="questions")
    filename: Mapped[str] = mapped_column(sa.String(255))
    bank_name: Mapped[str] = mapped_column(sa.String(200))
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

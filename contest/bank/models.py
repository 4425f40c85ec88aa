"""Legal documents and the questions that rest on them."""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.database import UTCDateTime, utcnow
from contest.extensions import db

DOCUMENT_STATUSES = ("in_force", "amended", "replaced")
QUESTION_STATUSES = ("draft", "approved", "retired")
DIFFICULTIES = ("easy", "medium", "hard")


class LegalDocument(db.Model):
    """A legal document (văn bản) such as Nghị định 63/2010/NĐ-CP."""

    __tablename__ = "legal_documents"
    __table_args__ = (
        sa.CheckConstraint(sa.text("status IN ('in_force', 'amended', 'replaced')"), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(60), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(60), default="")
    title: Mapped[str] = mapped_column(sa.String(500), default="")
    issuer: Mapped[str] = mapped_column(sa.String(200), default="")
    issued_on: Mapped[date | None] = mapped_column(sa.Date)
    effective_on: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.String(20), default="in_force")
    replaced_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("legal_documents.id"))

    @property
    def display_name(self) -> str:
        """Kind and number, e.g. "Nghị định 63/2010/NĐ-CP"."""
        return f"{self.kind} {self.number}".strip()


class QuestionBank(db.Model):
    """A named set of questions (ngân hàng câu hỏi) a round draws from."""

    __tablename__ = "question_banks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Question(db.Model):
    """A multiple-choice question; `correct` lists indices into `choices`."""

    __tablename__ = "questions"
    __table_args__ = (
        sa.UniqueConstraint("bank_id", "fingerprint"),
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
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    bank: Mapped[QuestionBank] = relationship()
    document: Mapped[LegalDocument | None] = relationship()

"""Legal documents (văn bản) and their articles."""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.database import UTCDateTime, utcnow
from contest.extensions import db

DOCUMENT_STATUSES = {"in_force": "Còn hiệu lực", "amended": "Đã được sửa đổi, bổ sung",
                     "replaced": "Đã bị thay thế"}


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
    # From when the amendment or replacement applies.
    status_changed_on: Mapped[date | None] = mapped_column(sa.Date)
    annex_text: Mapped[str] = mapped_column(sa.Text, default="")
    # The imported text, kept so drafts can be proposed again as the parser improves.
    source_text: Mapped[str] = mapped_column(sa.Text, default="")
    source_filename: Mapped[str] = mapped_column(sa.String(255), default="")

    articles: Mapped[list["LegalArticle"]] = relationship(
        back_populates="document", order_by="LegalArticle.position", cascade="all, delete-orphan")
    replaced_by: Mapped["LegalDocument | None"] = relationship(remote_side="LegalDocument.id")

    @property
    def display_name(self) -> str:
        """Kind and number, e.g. "Nghị định 63/2010/NĐ-CP"."""
        return f"{self.kind} {self.number}".strip()


class LegalArticle(db.Model):
    """An article (Điều) of a legal document, with its chapter and full text."""

    __tablename__ = "legal_articles"
    __table_args__ = (
        sa.UniqueConstraint("document_id", "position"),
        sa.Index("ix_legal_articles_document_number", "document_id", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("legal_documents.id", ondelete="CASCADE"))
    position: Mapped[int]
    number: Mapped[str] = mapped_column(sa.String(10))
    title: Mapped[str] = mapped_column(sa.String(500), default="")
    chapter: Mapped[str] = mapped_column(sa.String(500), default="")
    text: Mapped[str] = mapped_column(sa.Text, default="")

    document: Mapped[LegalDocument] = relationship(back_populates="articles")


class LegalAmendment(db.Model):
    """One change an amending document makes to another: where, what, and the new wording.

    Read from the amending document's text when it is imported; an instruction that could not be
    read, or does not fit the amended text, is kept with `problem` set and never applied."""

    __tablename__ = "legal_amendments"
    __table_args__ = (sa.UniqueConstraint("amending_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    amending_id: Mapped[int] = mapped_column(sa.ForeignKey("legal_documents.id", ondelete="CASCADE"))
    # The amended document; None when the instruction did not say which.
    target_id: Mapped[int | None] = mapped_column(sa.ForeignKey("legal_documents.id"), index=True)
    position: Mapped[int]
    # amend, add, repeal, replace_phrase, delete_phrase, amend_title (questions.amendments.ACTIONS)
    action: Mapped[str] = mapped_column(sa.String(20), default="")
    article: Mapped[str] = mapped_column(sa.String(10), default="")
    clause: Mapped[str] = mapped_column(sa.String(10), default="")
    point: Mapped[str] = mapped_column(sa.String(5), default="")
    new_text: Mapped[str] = mapped_column(sa.Text, default="")
    old_phrase: Mapped[str] = mapped_column(sa.Text, default="")
    new_phrase: Mapped[str] = mapped_column(sa.Text, default="")
    # Where the instruction sits in the amending document ("khoản 2 Điều 1") and its words.
    source: Mapped[str] = mapped_column(sa.String(100), default="")
    instruction: Mapped[str] = mapped_column(sa.Text, default="")
    # Why it is not applied; empty when it was read and placed.
    problem: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    amending: Mapped[LegalDocument] = relationship(foreign_keys=[amending_id])
    target: Mapped[LegalDocument | None] = relationship(foreign_keys=[target_id])

"""A review flag on a question: why it needs a look, the wording before and after, how it ended."""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.database import UTCDateTime, utcnow
from contest.extensions import db

RESOLUTIONS = {"confirmed": "Xác nhận vẫn đúng", "edited": "Đã sửa (phiên bản mới)", "retired": "Ngừng dùng"}


class QuestionReview(db.Model):
    """A flag "cần rà soát" on a question; open until an organizer confirms, edits or retires it."""

    __tablename__ = "question_reviews"
    __table_args__ = (
        # A change flags a question once, even when the amending document is imported again.
        sa.Index("uq_question_reviews_question_change", "question_id", "change_key", unique=True,
                 sqlite_where=sa.text("change_key IS NOT NULL"),
                 postgresql_where=sa.text("change_key IS NOT NULL")),
        sa.Index("ix_question_reviews_open", "question_id", "resolved_at"),
        sa.CheckConstraint(sa.text("resolution IS NULL OR resolution IN ('confirmed', 'edited', 'retired')"),
                           name="resolution"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("questions.id", ondelete="CASCADE"))
    amendment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("legal_amendments.id", ondelete="SET NULL"))
    # What the change was, stable across re-imports: "48/2013/NĐ-CP|amend|24||"; None for a flag set by hand.
    change_key: Mapped[str | None] = mapped_column(sa.String(300))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    # The cited article or clause before and after the change (empty when the text is not loaded).
    before_text: Mapped[str] = mapped_column(sa.Text, default="")
    after_text: Mapped[str] = mapped_column(sa.Text, default="")
    changed_by: Mapped[str] = mapped_column(sa.String(200), default="")
    changed_on: Mapped[date | None] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    resolution: Mapped[str | None] = mapped_column(sa.String(20))
    note: Mapped[str] = mapped_column(sa.Text, default="")

    question: Mapped["Question"] = relationship()  # noqa: F821
    resolved_by: Mapped["User | None"] = relationship()  # noqa: F821

    @property
    def is_open(self) -> bool:
        """True until an organizer has confirmed, edited or retired the question."""
        return self.resolved_at is None

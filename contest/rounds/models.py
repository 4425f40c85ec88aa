"""Contests and their timed rounds."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.database import UTCDateTime, utcnow
from contest.extensions import db


class Contest(db.Model):
    """A contest (cuộc thi) such as "Tìm hiểu hoạt động kiểm soát thủ tục hành chính"."""

    __tablename__ = "contests"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(100), unique=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    rules_text: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    rounds: Mapped[list["Round"]] = relationship(back_populates="contest", order_by="Round.opens_at")


class Round(db.Model):
    """A timed round (tuần thi / đợt thi) with its window and the rules of an attempt."""

    __tablename__ = "rounds"
    __table_args__ = (
        sa.CheckConstraint("closes_at > opens_at", name="window_not_empty"),
        sa.CheckConstraint("time_limit_seconds > 0", name="time_limit_positive"),
        sa.CheckConstraint("question_count > 0", name="question_count_positive"),
        sa.CheckConstraint("attempts_allowed IS NULL OR attempts_allowed > 0", name="attempts_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(sa.ForeignKey("contests.id"), index=True)
    bank_id: Mapped[int] = mapped_column(sa.ForeignKey("question_banks.id"))
    name: Mapped[str] = mapped_column(sa.String(200))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    time_limit_seconds: Mapped[int]
    question_count: Mapped[int]
    # None means unlimited attempts.
    attempts_allowed: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contest: Mapped[Contest] = relationship(back_populates="rounds")
    bank: Mapped["QuestionBank"] = relationship()  # noqa: F821

    def is_open_at(self, now: datetime) -> bool:
        """True while the round accepts new attempts."""
        return self.opens_at <= now < self.closes_at

    def state_at(self, now: datetime) -> str:
        """"upcoming", "open" or "closed" at `now`."""
        if now < self.opens_at:
            return "upcoming"
        return "open" if now < self.closes_at else "closed"

"""Attempts (bài thi) and the questions each one drew."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.database import UTCDateTime
from contest.extensions import db

OPEN_ATTEMPT = sa.text("submitted_at IS NULL")
ITEM_FILLFACTOR = 80  # percent of an attempt_items page filled by inserts (PostgreSQL)


class Attempt(db.Model):
    """One contestant's try at a round; the server's clock sets its deadline and score."""

    __tablename__ = "attempts"
    __table_args__ = (
        # The n-th attempt exists once: parallel starts cannot exceed the attempts allowed.
        sa.UniqueConstraint("user_id", "round_id", "number"),
        # At most one attempt in progress per contestant and round, whatever the race.
        sa.Index("uq_attempts_one_in_progress", "user_id", "round_id", unique=True,
                 sqlite_where=OPEN_ATTEMPT, postgresql_where=OPEN_ATTEMPT),
        sa.Index("ix_attempts_open_deadline", "deadline_at",
                 sqlite_where=OPEN_ATTEMPT, postgresql_where=OPEN_ATTEMPT),
        sa.CheckConstraint("number > 0", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id"), index=True)
    number: Mapped[int]
    # The seed of the draw, recorded so the paper can be reproduced when a result is checked.
    seed: Mapped[int] = mapped_column(sa.BigInteger)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_auto_submitted: Mapped[bool] = mapped_column(default=False)
    score: Mapped[int | None]
    max_score: Mapped[int]
    duration_ms: Mapped[int | None] = mapped_column(sa.BigInteger)
    # Where the attempt was started from, for the judges' integrity signals (never acted on alone).
    client_ip: Mapped[str] = mapped_column(sa.String(45), default="")
    device_id: Mapped[str] = mapped_column(sa.String(64), default="")
    # The contestant's answer to the round's tie-break prediction question, if it has one.
    prediction: Mapped[int | None] = mapped_column(sa.BigInteger)

    items: Mapped[list["AttemptItem"]] = relationship(
        back_populates="attempt", order_by="AttemptItem.position", cascade="all, delete-orphan")
    round: Mapped["Round"] = relationship()  # noqa: F821
    user: Mapped["User"] = relationship()  # noqa: F821

    @property
    def is_submitted(self) -> bool:
        """True once the attempt is final."""
        return self.submitted_at is not None


class AttemptItem(db.Model):
    """A question as one attempt shows it: its position, its shuffled choices and the answer."""

    __tablename__ = "attempt_items"
    # Each answer saved and the submission's marking rewrite an item: a fifth of each page is left free so
    # the new version fits beside the old one (a HOT update, no index entry written), measured 98 % of
    # them against two in three when packed full, and a quarter less WAL per save and per submission.
    __table_args__ = ({"postgresql_with": {"fillfactor": ITEM_FILLFACTOR}},)

    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("attempts.id", ondelete="CASCADE"),
                                            primary_key=True)
    position: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("questions.id"), index=True)
    # choice_order[k] is the index in question.choices shown k-th; the browser only sees k.
    choice_order: Mapped[list] = mapped_column(sa.JSON)
    # Positions as shown (k values) the contestant selected; None while unanswered.
    selected: Mapped[list | None] = mapped_column(sa.JSON)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The page numbers its saves; a save numbered at or below this one is stale or replayed.
    revision: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    is_correct: Mapped[bool | None]

    attempt: Mapped[Attempt] = relationship(back_populates="items")
    question: Mapped["Question"] = relationship()  # noqa: F821


class DrawnPaper(db.Model):
    """A paper drawn ahead of the round's opening (contest.attempts.ahead), waiting for a start to claim it."""

    __tablename__ = "drawn_papers"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id", ondelete="CASCADE"))
    bank_id: Mapped[int] = mapped_column(sa.ForeignKey("question_banks.id", ondelete="CASCADE"))
    # What the draw depended on (ahead.paper_recipe): a paper of another recipe is never claimed.
    recipe: Mapped[str] = mapped_column(sa.String(32))
    seed: Mapped[int] = mapped_column(sa.BigInteger)
    # [[question id, choice order], …] in paper order.
    items: Mapped[list] = mapped_column(sa.JSON)

    __table_args__ = (sa.Index("ix_drawn_papers_round_recipe", "round_id", "recipe", "id"),)

"""Prizes: the rules per round and stream, judges' exclusions and sign-offs, frozen result snapshots."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.database import UTCDateTime, utcnow
from contest.extensions import db


class PrizeRule(db.Model):
    """How many prizes of a kind a round awards in a stream (e.g. 1 Nhất, 2 Nhì, 3 Ba)."""

    __tablename__ = "prize_rules"
    __table_args__ = (sa.UniqueConstraint("round_id", "stream", "rank_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    stream: Mapped[str] = mapped_column(sa.String(50), default="CBCCVC")
    rank_order: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(60))
    count: Mapped[int]
    # Points an agency earns per prize of this kind, for the "rate plus prize points" formula.
    points: Mapped[int] = mapped_column(default=0)


class Exclusion(db.Model):
    """A judge's decision to leave an entry out of the prizes, with the written reason."""

    __tablename__ = "exclusions"
    __table_args__ = (sa.UniqueConstraint("round_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(sa.Text)
    judge_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped["User"] = relationship(foreign_keys=[user_id])  # noqa: F821
    judge: Mapped["User"] = relationship(foreign_keys=[judge_id])  # noqa: F821


class SignOff(db.Model):
    """A judge's signature on a round's proposed winners; two distinct judges freeze the results."""

    __tablename__ = "signoffs"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "judge_id"),
        # A live event's final table may be corrected after a first signature: a judge signs each checksum once.
        sa.UniqueConstraint("live_event_id", "judge_id", "checksum"),
        sa.CheckConstraint("(round_id IS NULL) <> (live_event_id IS NULL)", name="one_subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # What is signed: a round's winners, or a live event's final table (contest.live.judging).
    round_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rounds.id", ondelete="CASCADE"))
    live_event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("live_events.id", ondelete="CASCADE"))
    judge_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    # The checksum of the winners list the judge saw: a signature covers exactly that list.
    checksum: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    judge: Mapped["User"] = relationship()  # noqa: F821


class ResultSnapshot(db.Model):
    """The signed results of a round (the winners list) or of a live event (its final table), frozen, with
    the SHA-256 checksum of the payload."""

    __tablename__ = "result_snapshots"
    __table_args__ = (sa.CheckConstraint("(round_id IS NULL) <> (live_event_id IS NULL)", name="one_subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rounds.id"), unique=True)
    live_event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("live_events.id", ondelete="CASCADE"), unique=True)
    payload: Mapped[str] = mapped_column(sa.Text)
    checksum: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

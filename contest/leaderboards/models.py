"""Standings: each contestant's counted attempt per round, kept current on submission."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.database import UTCDateTime
from contest.extensions import db


class Standing(db.Model):
    """A contestant's best attempt in a round, with the keys the leaderboard sorts on."""

    __tablename__ = "standings"
    __table_args__ = (
        sa.Index("ix_standings_rank", "round_id", sa.text("score DESC"), "duration_ms",
                 "submitted_at", "user_id"),
        sa.Index("ix_standings_round_agency", "round_id", "agency_id"),
        sa.Index("ix_standings_round_path", "round_id", "agency_path",
                 postgresql_ops={"agency_path": "text_pattern_ops"}),
    )

    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"))
    # The agency's path at submission, so "this agency and everything under it" is a prefix match.
    agency_path: Mapped[str] = mapped_column(sa.String(255), default="")
    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("attempts.id"))
    score: Mapped[int]
    max_score: Mapped[int]
    duration_ms: Mapped[int] = mapped_column(sa.BigInteger)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    prediction: Mapped[int | None] = mapped_column(sa.BigInteger)

    user: Mapped["User"] = relationship()  # noqa: F821
    agency: Mapped["Agency | None"] = relationship()  # noqa: F821

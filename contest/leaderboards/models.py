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
        # After the close the prediction's distance to the truth breaks ties before time.
        sa.Index("ix_standings_final_rank", "round_id", sa.text("score DESC"), "prediction_error",
                 "duration_ms", "submitted_at", "user_id"),
        # The live sort keys ride along (PostgreSQL INCLUDE), so counting ranks within an agency's
        # subtree reads the index alone, never the table.
        sa.Index("ix_standings_round_path", "round_id", "agency_path",
                 postgresql_ops={"agency_path": "text_pattern_ops"},
                 postgresql_include=["score", "duration_ms", "submitted_at", "user_id"]),
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
    # |prediction − truth| once the round has closed (a missing prediction ranks last among equals).
    prediction_error: Mapped[int | None] = mapped_column(sa.BigInteger)
    # The result as it stood when the public board froze (None: not yet submitted then).
    frozen_score: Mapped[int | None]
    frozen_duration_ms: Mapped[int | None] = mapped_column(sa.BigInteger)
    frozen_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped["User"] = relationship()  # noqa: F821
    agency: Mapped["Agency | None"] = relationship()  # noqa: F821


class ContestStanding(db.Model):
    """A contestant's overall result in a contest: the sum of their rounds or their best round."""

    __tablename__ = "contest_standings"
    __table_args__ = (
        sa.Index("ix_contest_standings_rank", "contest_id", sa.text("score DESC"), "duration_ms",
                 "submitted_at", "user_id"),
        sa.Index("ix_contest_standings_path", "contest_id", "agency_path",
                 postgresql_ops={"agency_path": "text_pattern_ops"}),
    )

    contest_id: Mapped[int] = mapped_column(sa.ForeignKey("contests.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"))
    agency_path: Mapped[str] = mapped_column(sa.String(255), default="")
    score: Mapped[int]
    max_score: Mapped[int]
    duration_ms: Mapped[int] = mapped_column(sa.BigInteger)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rounds_taken: Mapped[int] = mapped_column(default=0)

    user: Mapped["User"] = relationship()  # noqa: F821
    agency: Mapped["Agency | None"] = relationship()  # noqa: F821


class SharedBoardTop(db.Model):
    """The first page of a board as every viewer sees it (contest.leaderboards.shared), built by one worker
    and read by every worker of every instance until it expires. A cache: on PostgreSQL the table is
    UNLOGGED (not written to the WAL, emptied after a crash), and losing a row only costs a rebuild."""

    __tablename__ = "shared_board_tops"

    key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    payload: Mapped[str] = mapped_column(sa.Text)

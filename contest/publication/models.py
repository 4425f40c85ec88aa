"""A round's publication: who made the signed results public, when, and what they published."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.database import UTCDateTime, utcnow
from contest.extensions import db


class Publication(db.Model):
    """An organizer's publication of a round's signed results (at most one per round)."""

    __tablename__ = "publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id", ondelete="CASCADE"), unique=True)
    organizer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    # The checksum of the signed snapshot that was made public: the page shows exactly that list.
    checksum: Mapped[str] = mapped_column(sa.String(64))
    # Whether every contestant with a submitted paper may download a participation certificate.
    is_participation_certified: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organizer: Mapped["User"] = relationship()  # noqa: F821

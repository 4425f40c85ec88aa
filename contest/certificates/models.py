"""Certificates (giấy chứng nhận): one per person and round, with the facts printed on it, frozen."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.database import UTCDateTime, utcnow
from contest.extensions import db

KINDS = {"prize": "Đạt giải", "participation": "Tham gia"}


class Certificate(db.Model):
    """A certificate as issued: its public code and what it certifies, as printed (later corrections to an
    account do not rewrite a certificate already handed out); `checksum` covers every printed fact."""

    __tablename__ = "certificates"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "user_id"),
        sa.CheckConstraint(sa.text("kind IN ('prize', 'participation')"), name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # 12 characters of Crockford base32, the last a check character (contest.certificates.codes).
    code: Mapped[str] = mapped_column(sa.String(12), unique=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    prize: Mapped[str] = mapped_column(sa.String(60), default="")
    stream: Mapped[str] = mapped_column(sa.String(50), default="")
    full_name: Mapped[str] = mapped_column(sa.String(150))
    agency: Mapped[str] = mapped_column(sa.String(300), default="")
    # The judges whose signatures froze the results, by name, and the checksum of what they signed.
    judges: Mapped[list] = mapped_column(sa.JSON, default=list)
    snapshot_checksum: Mapped[str] = mapped_column(sa.String(64))
    # The date printed on the certificate: the day the results were published.
    awarded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checksum: Mapped[str] = mapped_column(sa.String(64))

    round: Mapped["Round"] = relationship()  # noqa: F821

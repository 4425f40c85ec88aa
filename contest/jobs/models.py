"""A job: work too long for a web request (a 100,000-question import), run by `flask jobs work`."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from contest.database import UTCDateTime, utcnow
from contest.extensions import db

JOB_STATUSES = {"queued": "Đang chờ", "running": "Đang chạy", "done": "Đã xong", "failed": "Không thành công"}


class Job(db.Model):
    """A queued, running or finished job, its progress and its outcome, shared by every instance."""

    __tablename__ = "jobs"
    __table_args__ = (sa.Index("ix_jobs_queue", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(50))
    payload: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    status: Mapped[str] = mapped_column(sa.String(10), default="queued")
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    done_count: Mapped[int] = mapped_column(default=0)
    total_count: Mapped[int] = mapped_column(default=0)
    step: Mapped[str] = mapped_column(sa.String(200), default="")
    # What the page shows once done: {"message": …, "endpoint": where to go next}; else why it failed.
    result: Mapped[dict | None] = mapped_column(sa.JSON)
    error: Mapped[str | None] = mapped_column(sa.Text)
    worker: Mapped[str | None] = mapped_column(sa.String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Written every JOB_HEARTBEAT_SECONDS by the worker running the job: a running job whose heartbeat is
    # older than JOB_STALE_SECONDS lost its worker (killed, restarted, its machine gone) and is run again.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # How many times a worker has taken it (more than once only after a worker died running it).
    tries: Mapped[int] = mapped_column(default=0, server_default="0")
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def percent(self) -> int:
        """How far along, 0–100 (100 once done)."""
        if self.status == "done":
            return 100
        return min(99, 100 * self.done_count // self.total_count) if self.total_count else 0

    @property
    def is_finished(self) -> bool:
        """True once done or failed."""
        return self.status in ("done", "failed")

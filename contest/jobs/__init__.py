"""Background jobs: a job table in the database, claimed with SKIP LOCKED by `flask jobs work` workers.

Long work (a 100,000-question import, a big legal text) is enqueued by the request, which answers at
once with the job's page; a worker on any instance claims it, runs the function registered for its
kind with a JobContext, and the page follows its progress. PostgreSQL hands each queued job to one
worker (`FOR UPDATE SKIP LOCKED`, so several instances share the queue); SQLite, the demo's database,
takes one writer at a time, which serializes the claim the same way.
"""
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from contest.database import utcnow
from contest.extensions import db
from contest.jobs.models import Job

_KINDS: dict[str, Callable] = {}
_log = logging.getLogger("contest.jobs")


class JobFailed(Exception):
    """Raised by a job to fail with a message for the person who started it (in Vietnamese)."""


def job_kind(name: str):
    """Register the decorated function as the runner of jobs of kind `name`: fn(context, **payload)."""
    def register(function: Callable) -> Callable:
        _KINDS[name] = function
        return function
    return register


def enqueue(kind: str, payload: dict, user_id: int | None) -> Job:
    """Queue a job; the caller commits (the job exists once the request's transaction does)."""
    if kind not in _KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job(kind=kind, payload=payload, user_id=user_id, status="queued")
    db.session.add(job)
    db.session.flush()
    return job


@dataclass
class JobContext:
    """What a running job may do besides its work: report progress (committed at once, so the page sees it).

    Progress is written on its own connection and transaction: call it outside the job's own
    transaction's writes (on SQLite a second writer would wait for the first)."""

    job_id: int
    user_id: int | None

    def progress(self, done: int, total: int, step: str = "") -> None:
        """Record that `done` of `total` units are done, with what is being done now."""
        with db.engine.begin() as connection:
            connection.execute(sa.update(Job).where(Job.id == self.job_id)
                               .values(done_count=done, total_count=total, step=step[:200]))


def worker_name() -> str:
    """This worker's name in the job table: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def claim_next(worker: str) -> Job | None:
    """Take the oldest queued job for this worker, or None; commits the claim."""
    query = sa.select(Job).where(Job.status == "queued").order_by(Job.id).limit(1)
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    job = db.session.scalar(query)
    if job is None:
        db.session.rollback()
        return None
    claimed = db.session.execute(sa.update(Job).where(Job.id == job.id, Job.status == "queued")
                                 .values(status="running", worker=worker, started_at=utcnow()))
    db.session.commit()
    if claimed.rowcount != 1:  # SQLite: another worker took it between the read and the update
        return None
    db.session.refresh(job)
    return job


def run_job(job: Job) -> None:
    """Run a claimed job to its end: done with its result, or failed with a reason, committed either way."""
    runner = _KINDS.get(job.kind)
    job_id, user_id, payload = job.id, job.user_id, dict(job.payload or {})
    db.session.commit()  # the job starts with no transaction open (on SQLite it would hold the write lock)
    try:
        if runner is None:
            raise JobFailed("Loại công việc không còn được hỗ trợ.")
        result = runner(JobContext(job_id, user_id), **payload)
    except JobFailed as failure:
        db.session.rollback()
        _finish(job_id, "failed", None, str(failure))
    except Exception:
        db.session.rollback()
        _finish(job_id, "failed", None, "Hệ thống gặp lỗi khi thực hiện công việc; vui lòng thử lại hoặc báo "
                                        "quản trị viên.")
        raise
    else:
        _finish(job_id, "done", result or {}, None)


def _finish(job_id: int, status: str, result: dict | None, error: str | None) -> None:
    db.session.execute(sa.update(Job).where(Job.id == job_id).values(
        status=status, result=result, error=error, finished_at=utcnow()))
    db.session.commit()


def work(max_jobs: int | None = None, idle: Callable[[], bool] = lambda: False) -> int:
    """Claim and run jobs until `max_jobs` ran or, with none queued, `idle()` says stop; returns how many ran."""
    worker, ran = worker_name(), 0
    while max_jobs is None or ran < max_jobs:
        job = claim_next(worker)
        if job is None:
            if idle():
                break
            continue
        try:
            run_job(job)
        except Exception:  # logged; the job is marked failed and the worker goes on
            _log.exception("job %s (%s) failed", job.id, job.kind)
        ran += 1
    return ran

"""Background jobs: a job table in the database, claimed with SKIP LOCKED by `flask jobs work` workers.

Long work (a 100,000-question import, a big legal text) is enqueued by the request, which answers at
once with the job's page; a worker on any instance claims it, runs the function registered for its
kind with a JobContext, and the page follows its progress. PostgreSQL hands each queued job to one
worker (`FOR UPDATE SKIP LOCKED`, so several instances share the queue); SQLite, the demo's database,
takes one writer at a time, which serializes the claim the same way.

A worker killed mid-job (a restart, a deploy, its machine gone) leaves its job running with nobody on
it: while a job runs, a thread of its worker writes the job's heartbeat every JOB_HEARTBEAT_SECONDS,
and a job not heard of for JOB_STALE_SECONDS is queued again for any worker, JOB_MAX_TRIES times at most,
then failed with a message that says so. Every job kind is safe to run again: each stores its work in
one transaction (nothing, or all of it, was kept) or, as certificates do, skips what is already done.
"""
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from contest.database import utcnow
from contest.extensions import db
from contest.jobs.models import Job

_KINDS: dict[str, Callable] = {}
_CLEANUPS: dict[str, Callable] = {}
_log = logging.getLogger("contest.jobs")
# What the page shows of a job queued again after its worker died, until the job reports its own step.
RERUN_STEP = "Chạy lại từ đầu: máy chạy nền trước đó đã dừng giữa chừng"
GAVE_UP = ("Công việc đã bị gián đoạn {tries} lần (máy chạy nền dừng giữa chừng) nên không chạy tiếp; "
           "vui lòng thực hiện lại hoặc báo quản trị viên.")


class JobFailed(Exception):
    """Raised by a job to fail with a message for the person who started it (in Vietnamese)."""


def job_kind(name: str):
    """Register the decorated function as the runner of jobs of kind `name`: fn(context, **payload)."""
    def register(function: Callable) -> Callable:
        _KINDS[name] = function
        return function
    return register


def job_cleanup(name: str):
    """Register the decorated function as what `prune` does before forgetting a finished job of kind
    `name` (a file it wrote, say): fn(job)."""
    def register(function: Callable) -> Callable:
        _CLEANUPS[name] = function
        return function
    return register


def prune(older_than: timedelta) -> int:
    """Forget the jobs that finished (done or failed) longer ago than `older_than`, after their kind's
    cleanup (a certificates batch's file); commits. Returns how many. Queued and running jobs stay."""
    cutoff = utcnow() - older_than
    finished = db.session.scalars(sa.select(Job).where(Job.status.in_(("done", "failed")),
                                                       Job.finished_at < cutoff)).all()
    for job in finished:
        if job.kind in _CLEANUPS:
            _CLEANUPS[job.kind](job)
        db.session.delete(job)
    db.session.commit()
    return len(finished)


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


def recover_abandoned() -> int:
    """Running jobs whose worker has not been heard of for JOB_STALE_SECONDS: queued again while they
    have tries left, failed with GAVE_UP after JOB_MAX_TRIES; commits. Returns how many were queued again.

    Two workers doing this at once touch each job once: the second one's UPDATE finds it no longer running."""
    now, config = utcnow(), current_app.config
    silent = sa.and_(Job.status == "running", sa.func.coalesce(Job.heartbeat_at, Job.started_at)
                     < now - timedelta(seconds=config["JOB_STALE_SECONDS"]))
    requeued = db.session.execute(sa.update(Job).where(silent, Job.tries < config["JOB_MAX_TRIES"])
                                  .values(status="queued", worker=None, step=RERUN_STEP, done_count=0,
                                          total_count=0)).rowcount
    given_up = db.session.execute(sa.update(Job).where(silent, Job.tries >= config["JOB_MAX_TRIES"]).values(
        status="failed", error=GAVE_UP.format(tries=config["JOB_MAX_TRIES"]), finished_at=now)).rowcount
    db.session.commit()
    if requeued or given_up:
        _log.warning("jobs whose worker died: %s queued again, %s failed after %s tries", requeued, given_up,
                     config["JOB_MAX_TRIES"])
    return requeued


def claim_next(worker: str) -> Job | None:
    """Take the oldest queued job for this worker, or None; commits the claim."""
    query = sa.select(Job).where(Job.status == "queued").order_by(Job.id).limit(1)
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    job = db.session.scalar(query)
    if job is None:
        db.session.rollback()
        return None
    now = utcnow()
    claimed = db.session.execute(sa.update(Job).where(Job.id == job.id, Job.status == "queued")
                                 .values(status="running", worker=worker, started_at=now, heartbeat_at=now,
                                         tries=Job.tries + 1))
    db.session.commit()
    if claimed.rowcount != 1:  # SQLite: another worker took it between the read and the update
        return None
    db.session.refresh(job)
    return job


@contextmanager
def heartbeat(job_id: int, worker: str) -> Iterator[None]:
    """While the block runs, a thread writes the job's heartbeat every JOB_HEARTBEAT_SECONDS, on a
    connection of its own, as long as the job is still this worker's. A write that fails (the database
    away for a moment, SQLite's lock held by the job's own transaction) is tried again at the next beat."""
    engine, every = db.engine, current_app.config["JOB_HEARTBEAT_SECONDS"]
    stop = threading.Event()
    mine = sa.and_(Job.id == job_id, Job.worker == worker, Job.status == "running")

    def beat() -> None:
        while not stop.wait(every):
            try:
                with engine.begin() as connection:
                    connection.execute(sa.update(Job).where(mine).values(heartbeat_at=utcnow()))
            except sa.exc.SQLAlchemyError as error:
                _log.warning("job %s: heartbeat not written (%s); trying again in %s s", job_id,
                             error.__class__.__name__, every)

    thread = threading.Thread(target=beat, name=f"job-{job_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def run_job(job: Job) -> None:
    """Run a claimed job to its end: done with its result, or failed with a reason, committed either way
    (unless the job is no longer this worker's: taken as abandoned by another, whose outcome stands)."""
    runner = _KINDS.get(job.kind)
    job_id, user_id, payload, worker = job.id, job.user_id, dict(job.payload or {}), job.worker
    db.session.commit()  # the job starts with no transaction open (on SQLite it would hold the write lock)
    try:
        if runner is None:
            raise JobFailed("Loại công việc không còn được hỗ trợ.")
        with heartbeat(job_id, worker):
            result = runner(JobContext(job_id, user_id), **payload)
    except JobFailed as failure:
        db.session.rollback()
        _finish(job_id, worker, "failed", None, str(failure))
    except Exception:
        db.session.rollback()
        _finish(job_id, worker, "failed", None, "Hệ thống gặp lỗi khi thực hiện công việc; vui lòng thử lại hoặc "
                                                "báo quản trị viên.")
        raise
    else:
        _finish(job_id, worker, "done", result or {}, None)


def _finish(job_id: int, worker: str, status: str, result: dict | None, error: str | None) -> None:
    db.session.execute(sa.update(Job).where(Job.id == job_id, Job.worker == worker, Job.status == "running").values(
        status=status, result=result, error=error, finished_at=utcnow()))
    db.session.commit()


def work(max_jobs: int | None = None, idle: Callable[[], bool] = lambda: False) -> int:
    """Claim and run jobs until `max_jobs` ran or, with none queued, `idle()` says stop; returns how many ran."""
    worker, ran, looked = worker_name(), 0, None
    while max_jobs is None or ran < max_jobs:
        if looked is None or time.monotonic() - looked >= current_app.config["JOB_HEARTBEAT_SECONDS"]:
            recover_abandoned()  # not on every poll: once a heartbeat interval is soon enough
            looked = time.monotonic()
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

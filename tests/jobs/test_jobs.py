"""Background jobs: claimed once each (SKIP LOCKED on PostgreSQL), progress visible while they run, a
failure told in Vietnamese, a job's page only for the one who started it, and a job whose worker died
run again by another (or failed, saying so, after too many tries)."""
import os
import subprocess
import sys
import time
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from contest.accounts.models import Role
from contest.bank.imports import hold_upload
from contest.bank.models import Question
from contest.config import PROJECT_ROOT
from contest.database import utcnow
from contest.extensions import db
from contest.jobs import GAVE_UP, JobFailed, claim_next, enqueue, job_kind, recover_abandoned, work
from contest.jobs.models import Job
from tests import factories
from tests.questions.test_spreadsheet import good_row, write_book

SEEN = []


@job_kind("test.count")
def count_to(context, upto: int) -> dict:
    """A job that reports progress on each step; what the page saw is kept in SEEN."""
    for done in range(upto + 1):
        context.progress(done, upto, f"Bước {done}")
        with db.engine.connect() as connection:  # as another instance's page would read it
            SEEN.append(connection.execute(sa.select(Job.done_count).where(Job.id == context.job_id)).scalar())
    return {"message": f"Đã đếm đến {upto}.", "endpoint": "rounds.home"}


@job_kind("test.refuse")
def refuse(context) -> dict:
    raise JobFailed("Tệp không hợp lệ.")


def test_a_job_reports_progress_and_its_outcome(client, world, auth):
    SEEN.clear()
    job = enqueue("test.count", {"upto": 3}, world.contestant.id)
    db.session.commit()
    assert work(idle=lambda: True) == 1
    assert SEEN == [0, 1, 2, 3]  # each step visible outside the job's transaction at once
    auth.login(world.contestant.email)
    state = client.get(f"/jobs/{job.id}.json").get_json()
    assert state == {"status": "done", "status_label": "Đã xong", "percent": 100, "done": 3, "total": 3,
                     "step": "", "message": "Đã đếm đến 3.", "url": "/", "finished": True, "follow": False}
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "Đã đếm đến 3." in page and 'value="100"' in page


def test_a_failed_job_says_why_and_others_cannot_see_it(client, world, auth):
    job = enqueue("test.refuse", {}, world.contestant.id)
    db.session.commit()
    work(idle=lambda: True)
    db.session.refresh(job)
    assert job.status == "failed" and job.error == "Tệp không hợp lệ."
    factories.make_user("khac@example.vn", world.province, Role.CONTESTANT, name="Người khác")
    db.session.commit()
    auth.login("khac@example.vn")
    assert client.get(f"/jobs/{job.id}").status_code == 404
    assert client.get(f"/jobs/{job.id}.json").status_code == 404


def test_two_workers_never_claim_the_same_job(app, world):
    jobs = [enqueue("test.count", {"upto": 0}, None) for _ in range(2)]
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # Two workers looking at the same moment: the first's row is locked, the second skips to the next job.
        query = sa.select(Job.id).where(Job.status == "queued").order_by(Job.id).limit(1) \
            .with_for_update(skip_locked=True)
        with Session(db.engine) as first, Session(db.engine) as second:
            seen = [first.scalar(query), second.scalar(query)]
            assert seen == [jobs[0].id, jobs[1].id]
    claimed = claim_next("worker-1")
    assert claimed.id == jobs[0].id and claimed.status == "running" and claimed.worker == "worker-1"
    assert claim_next("worker-2").id == jobs[1].id
    assert claim_next("worker-3") is None


def _died_minutes_ago(job_id: int, minutes: int, tries: int | None = None) -> None:
    """What a worker killed mid-job leaves: the job running, its heartbeat as old as the worker's death."""
    values = {"heartbeat_at": utcnow() - timedelta(minutes=minutes)}
    if tries is not None:
        values["tries"] = tries
    db.session.execute(sa.update(Job).where(Job.id == job_id).values(**values))
    db.session.commit()


def test_a_job_whose_worker_died_is_run_by_another_worker_and_imports_once(app, database_url, world, tmp_path):
    organizer = factories.make_user("btc@example.vn", world.province, Role.ORGANIZER, name="Ban tổ chức")
    book = write_book(tmp_path / "ngan-hang.xlsx", [good_row(n) for n in range(1, 6)])
    token = hold_upload(organizer.id, "ngan-hang.xlsx", "Tuần 9", book.read_bytes())
    job = enqueue("bank.import", {"user_id": organizer.id, "token": token}, organizer.id)
    db.session.commit()
    assert claim_next("may-da-tat:4242").id == job.id  # the worker that took it was then killed
    _died_minutes_ago(job.id, 5)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Question))
    db.session.commit()  # the test's read would hold SQLite's lock the worker needs
    # Another worker, a real `flask jobs work` process, finds the job abandoned and runs it from the start.
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "contest", "jobs", "work", "--until-empty"],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "kiem-thu"})
    assert done.returncode == 0 and "Đã chạy 1 công việc." in done.stdout, done.stdout + done.stderr
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.status == "done" and job.tries == 2 and job.worker != "may-da-tat:4242"
    assert job.result["message"].startswith("Đã nhập 5 câu hỏi")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == before + 5


LINGER_SECONDS = 2.5
FOUND_ABANDONED = []


@job_kind("test.linger")
def linger(context) -> dict:
    """A long step that reports no progress: only the heartbeat says its worker is alive. Halfway past
    the stale limit, another worker's look for abandoned jobs runs (here, from inside the job)."""
    time.sleep(LINGER_SECONDS)
    FOUND_ABANDONED.append(recover_abandoned())
    return {"message": "Xong."}


def test_a_running_job_keeps_its_heartbeat_and_is_not_taken_from_its_worker(app, monkeypatch):
    monkeypatch.setitem(app.config, "JOB_HEARTBEAT_SECONDS", 0.05)
    monkeypatch.setitem(app.config, "JOB_STALE_SECONDS", 1.0)  # the job's step outlasts it 2.5 times
    FOUND_ABANDONED.clear()
    job = enqueue("test.linger", {}, None)
    db.session.commit()
    assert work(max_jobs=1) == 1
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert FOUND_ABANDONED == [0] and job.status == "done" and job.tries == 1
    assert job.heartbeat_at >= job.started_at + timedelta(seconds=LINGER_SECONDS - 1)


def test_a_job_abandoned_too_often_fails_and_says_why(client, world, auth):
    job = enqueue("test.count", {"upto": 1}, world.contestant.id)
    db.session.commit()
    claim_next("may-da-tat:4242")
    _died_minutes_ago(job.id, 5, tries=app_max_tries())
    assert recover_abandoned() == 0
    db.session.expire_all()
    assert claim_next("may-khac:1") is None
    auth.login(world.contestant.email)
    state = client.get(f"/jobs/{job.id}.json").get_json()
    assert state["status"] == "failed" and state["message"] == GAVE_UP.format(tries=app_max_tries())
    assert "bị gián đoạn 3 lần" in client.get(f"/jobs/{job.id}").get_data(as_text=True)


def test_a_job_abandoned_once_is_queued_again_and_its_page_says_so(client, world, auth):
    job = enqueue("test.count", {"upto": 1}, world.contestant.id)
    db.session.commit()
    claim_next("may-da-tat:4242")
    _died_minutes_ago(job.id, 5)
    assert recover_abandoned() == 1
    auth.login(world.contestant.email)
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "Đang chờ" in page and "Chạy lại từ đầu: máy chạy nền trước đó đã dừng giữa chừng" in page
    db.session.expire_all()
    assert work(max_jobs=1) == 1
    assert client.get(f"/jobs/{job.id}.json").get_json()["message"] == "Đã đếm đến 1."


def app_max_tries() -> int:
    return current_app.config["JOB_MAX_TRIES"]


def test_prune_forgets_old_finished_jobs_with_a_certificates_batch_file(app, runner, tmp_path, monkeypatch):
    from contest.certificates.jobs import KIND, batch_filename
    monkeypatch.setitem(app.config, "CERTIFICATE_BATCH_DIR", str(tmp_path))
    done_long_ago, failed_long_ago, done_lately, running = (enqueue("test.count", {"upto": 0}, None) for _ in range(4))
    batch = enqueue(KIND, {"round_id": 7, "user_id": None, "public_url": "https://thi.example.vn"}, None)
    db.session.commit()
    now = utcnow()
    for job, status, days in [(done_long_ago, "done", 100), (failed_long_ago, "failed", 95), (done_lately, "done", 10),
                              (batch, "done", 120)]:
        job.status, job.finished_at = status, now - timedelta(days=days)
    running.status, running.started_at = "running", now - timedelta(days=100)
    db.session.commit()
    files = [tmp_path / batch_filename(batch.id, 7), tmp_path / f".{batch_filename(batch.id, 7)}.part"]
    for path in files:
        path.write_bytes(b"%PDF-1.4")
    kept_file = tmp_path / batch_filename(batch.id + 1, 7)  # another build's file
    kept_file.write_bytes(b"%PDF-1.4")
    result = runner.invoke(args=["jobs", "prune", "--days", "90"])
    assert result.exit_code == 0 and "Đã xóa 3 công việc đã kết thúc từ hơn 90 ngày trước." in result.output
    db.session.expire_all()
    assert set(db.session.scalars(sa.select(Job.id))) == {done_lately.id, running.id}
    assert not any(path.exists() for path in files) and kept_file.exists()

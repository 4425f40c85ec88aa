"""Background jobs: claimed once each (SKIP LOCKED on PostgreSQL), progress visible while they run, a
failure told in Vietnamese, and a job's page only for the one who started it."""
import sqlalchemy as sa
from sqlalchemy.orm import Session

from contest.accounts.models import Role
from contest.extensions import db
from contest.jobs import JobFailed, claim_next, enqueue, job_kind, work
from contest.jobs.models import Job
from tests import factories

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

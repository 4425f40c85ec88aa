"""A job's page with its progress bar, and the same as JSON for the page's script to follow it."""
from flask import Blueprint, abort, jsonify, render_template, url_for
from flask_login import current_user, login_required

from contest.accounts.models import Role
from contest.extensions import db
from contest.jobs.models import JOB_STATUSES, Job

bp = Blueprint("jobs", __name__)


def _visible(job_id: int) -> Job:
    """The job if the viewer started it (or is an organizer), else 404."""
    job = db.session.get(Job, job_id)
    if job is None or (job.user_id != current_user.id and not current_user.has_role(Role.ORGANIZER)):
        abort(404)
    return job


def job_state(job: Job) -> dict:
    """What the page shows of a job: status, percent, step, and the outcome once finished."""
    finished = job.is_finished
    return {"status": job.status, "status_label": JOB_STATUSES[job.status], "percent": job.percent,
            # Once finished the steps are history: the outcome says what happened.
            "done": job.total_count if job.status == "done" else job.done_count, "total": job.total_count,
            "step": "" if finished else job.step,
            "message": (job.result or {}).get("message") if job.status == "done" else job.error,
            "url": url_for(job.result["endpoint"], **job.result.get("args", {}))
            if job.status == "done" and (job.result or {}).get("endpoint") else None, "finished": finished,
            # The page goes on by itself to a result the person is waiting to read (a file's preview).
            "follow": job.status == "done" and bool((job.result or {}).get("follow"))}


@bp.route("/jobs/<int:job_id>")
@login_required
def show(job_id: int):
    """The job's progress; the page's script follows it without reloading."""
    job = _visible(job_id)
    return render_template("jobs/show.html", job=job, state=job_state(job))


@bp.route("/jobs/<int:job_id>.json")
@login_required
def state(job_id: int):
    """The job's progress as JSON."""
    response = jsonify(job_state(_visible(job_id)))
    response.headers["Cache-Control"] = "no-store"
    return response

"""A round's certificates as one PDF, built by a jobs worker: issuing and drawing thousands of pages takes
minutes, which no web request may hold. The file goes to CERTIFICATE_BATCH_DIR, named by the job, and an
organizer downloads it from the job's page."""
import os
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from contest.audit.services import record
from contest.certificates.page import FontMissing
from contest.certificates.services import CertificateError, build_round_certificates
from contest.extensions import db
from contest.jobs import JobContext, JobFailed, job_cleanup, job_kind
from contest.jobs.models import Job

KIND = "certificates.build"
# Progress is written at most this many times per build (each is a committed update of the job's row).
PROGRESS_STEPS = 100


def batch_dir() -> Path:
    """The directory batch files are written to and served from."""
    return Path(current_app.config["CERTIFICATE_BATCH_DIR"])


def batch_filename(job_id: int, round_id: int) -> str:
    """The file of one build: named by its job, so two builds never write the same file."""
    return f"giay-chung-nhan-vong-{round_id}-{job_id}.pdf"


def _part_filename(filename: str) -> str:
    """Where a build writes its PDF until the file is whole (then renamed to `filename`)."""
    return f".{filename}.part"


@job_cleanup(KIND)
def remove_batch_file(job: Job) -> None:
    """When a build is forgotten (`flask jobs prune`), its PDF and any part a dead worker left go too."""
    filename = batch_filename(job.id, job.payload["round_id"])
    for path in (batch_dir() / filename, batch_dir() / _part_filename(filename)):
        path.unlink(missing_ok=True)


def builds_of(round_id: int, limit: int = 10) -> list[Job]:
    """The round's latest certificate builds, latest first."""
    return list(db.session.scalars(sa.select(Job).where(Job.kind == KIND,
                                                        Job.payload["round_id"].as_integer() == round_id)
                                   .order_by(Job.id.desc()).limit(limit)))


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


@job_kind(KIND)
def build_certificates(context: JobContext, user_id: int, round_id: int, public_url: str, title: str = "",
                       next_label: str = "") -> dict:
    """Issue and draw every certificate the round owes into one PDF; the file appears whole or not at all."""
    context.progress(0, 0, "Cấp giấy chứng nhận")
    directory = batch_dir()
    directory.mkdir(parents=True, exist_ok=True)
    filename = batch_filename(context.job_id, round_id)
    partial = directory / _part_filename(filename)
    reported = [0]

    def progress(done: int, total: int) -> None:
        if done == total or done - reported[0] >= max(1, total // PROGRESS_STEPS):
            reported[0] = done
            context.progress(done, total, f"Đã vẽ {_number(done)}/{_number(total)} giấy chứng nhận")

    try:
        pages = build_round_certificates(round_id, partial, public_url, current_app.config["CERTIFICATE_FONT_DIR"],
                                         progress, user_id=user_id)
    except (CertificateError, FontMissing) as error:
        partial.unlink(missing_ok=True)
        raise JobFailed(str(error)) from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, directory / filename)  # a download never sees a half-written file
    size = (directory / filename).stat().st_size
    record(user_id, "certificates.build", "round", round_id, pages=pages, file=filename, job=context.job_id)
    db.session.commit()
    shown = f"{_number(round(size / 1024 / 1024))} MB" if size >= 1024 * 1024 else f"{max(1, size // 1024)} kB"
    return {"message": f"Đã tạo {_number(pages)} giấy chứng nhận trong một tệp PDF ({shown}).",
            "endpoint": "certificates.batch_file", "args": {"job_id": context.job_id}, "pages": pages}

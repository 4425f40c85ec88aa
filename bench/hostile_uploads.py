"""Benchmark: hostile bank uploads against one gunicorn sync worker and PostgreSQL — how long the
worker is held by each file's import preview, and its peak resident memory (VmHWM) after each one,
against the target of 150 MB.

Each file of bench/hostile_files.py that is a question bank (the legal text goes to its own page) is
uploaded by an organizer to /organizer/bank/import, as the page does. The worker is a fresh process
(gunicorn with one worker): its peak after the last file is the worst any of them took it to.

Run: .venv/bin/python bench/hostile_uploads.py [--scale 1.0]
"""
import argparse
import secrets
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from common import child_pids, fresh_postgres, gunicorn_server, signed_session, wait_for_workers  # noqa: E402
from hostile_files import HOSTILE  # noqa: E402

from contest import create_app  # noqa: E402
from contest.accounts.models import Role, User  # noqa: E402
from contest.extensions import db  # noqa: E402

SECRET = secrets.token_hex(32)
TARGET_MIB = 150


def memory_mib(pid: int) -> tuple[float, float]:
    """(resident now, peak resident) of a process, in MiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            values[line.split(":")[0]] = int(line.split()[1]) / 1024
    return values["VmRSS"], values["VmHWM"]


def upload(base: str, cookie: str, token: str, path: Path) -> tuple[int, float]:
    """Post the file to the import preview; (status, seconds)."""
    boundary = uuid.uuid4().hex
    fields = {"csrf_token": token, "bank_id": "0", "new_bank_name": f"Thử {path.stem}"}
    body = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
                    for name, value in fields.items())
    body += (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
             "Content-Type: application/octet-stream\r\n\r\n").encode() + path.read_bytes() \
        + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(base + "/organizer/bank/import", data=body, method="POST", headers={
        "Cookie": f"session={cookie}", "Content-Type": f"multipart/form-data; boundary={boundary}"})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, time.monotonic() - started


def main() -> None:
    """Serve, upload each hostile bank file, print the time held and the worker's memory."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply each file's hostile size")
    args = parser.parse_args()
    with fresh_postgres() as url, tempfile.TemporaryDirectory() as folder:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET})
        with app.app_context():
            organizer = User(full_name="Ban tổ chức", email="btc@bench.vn", role=Role.ORGANIZER.value, password_hash="x")
            db.session.add(organizer)
            db.session.commit()
            organizer_id = db.session.scalar(sa.select(User.id))
        cookie, token = signed_session(SECRET, organizer_id)
        with gunicorn_server(url, SECRET, 1) as (base, master):
            wait_for_workers(master, 1)
            worker = child_pids(master)[0]
            urllib.request.urlopen(base + "/healthz").read()  # the worker has imported the app
            print(f"worker at rest: {memory_mib(worker)[0]:.0f} MiB resident")
            print(f"{'file':48} {'bytes':>10} {'status':>6} {'held s':>7} {'RSS MiB':>8} {'peak MiB':>8}")
            for name, build, size, reader in HOSTILE:
                if reader != "bank":
                    continue
                path = build(Path(folder), max(1, int(size * args.scale)))
                status, seconds = upload(base, cookie, token, path)
                now, peak = memory_mib(worker)
                print(f"{name:48} {path.stat().st_size:>10,} {status:>6} {seconds:>7.2f} {now:>8.0f} {peak:>8.0f}",
                      flush=True)
            peak = memory_mib(worker)[1]
            print(f"peak worker memory over every file: {peak:.0f} MiB (target ≤ {TARGET_MIB} MiB): "
                  f"{'met' if peak <= TARGET_MIB else 'NOT met'}")


if __name__ == "__main__":
    main()

"""Shared by the benchmarks: a fresh PostgreSQL database, a seeded contest, signed sessions, gunicorn."""
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import psycopg
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer

from contest.security.csrf import SIGNED_KEY

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@contextmanager
def fresh_postgres():
    """A new, migrated PostgreSQL database for one benchmark run, dropped afterwards."""
    name = f"contest_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = POSTGRES.rsplit("/", 1)[0] + f"/{name}"
    global _SESSION_DATABASE
    try:
        subprocess.run([sys.executable, "-m", "flask", "--app", "contest", "db", "upgrade"], cwd=ROOT, check=True,
                       env={**os.environ, "DATABASE_URL": url}, capture_output=True)
        _SESSION_DATABASE = url
        yield url
    finally:
        _SESSION_DATABASE = None
        with psycopg.connect(POSTGRES, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed_contest(app, contestants: int, questions: int = 2000, minutes: int = 15, agencies: int = 50):
    """A bank, an open round and `contestants` accounts spread over `agencies` units, inserted in bulk; returns
    (round id, user ids)."""
    import sqlalchemy as sa

    from contest.accounts.models import User
    from contest.agencies.services import add_agency
    from contest.bank.services import get_or_create_bank, import_questions
    from contest.database import utcnow
    from contest.extensions import db
    from contest.rounds.services import create_round, get_or_create_contest
    from questions.records import QuestionRecord

    with app.app_context():
        now = utcnow()
        province = add_agency(code="T", name="UBND tỉnh", headcount=100_000)
        units = [add_agency(code=f"S{n}", name=f"Đơn vị {n}", parent=province, headcount=500) for n in range(agencies)]
        import_questions([QuestionRecord(text=f"Câu hỏi {n}?", choices=[f"A{n}", f"B{n}", f"C{n}", f"D{n}"],
                                         correct=[n % 4], topic=f"Chủ đề {n % 5}", citation="Điều 3 Nghị định 63/2010/NĐ-CP")
                          for n in range(questions)], "Bench")
        round_ = create_round(contest=get_or_create_contest("bench", "Bench"), bank=get_or_create_bank("Bench"),
                              name="Tuần 1", opens_at=now - timedelta(minutes=5), closes_at=now + timedelta(days=1),
                              time_limit_minutes=minutes, question_count=20, attempts_allowed=None)
        db.session.execute(sa.insert(User), [
            {"full_name": f"Thí sinh {n}", "email": f"ts{n}@bench.vn", "role": "contestant", "password_hash": "x",
             "agency_id": units[n % agencies].id, "created_at": now} for n in range(contestants)])
        db.session.commit()
        ids = db.session.scalars(sa.select(User.id).order_by(User.id)).all()
        return round_.id, ids


_SESSION_DATABASE = None  # the database of the fresh_postgres block running, where log-ins are opened


def bench_session_id(user_id: int) -> str:
    """The id of the log-in signed_session opens for a user (one per user, shared by its clients)."""
    return f"bench{user_id:015d}"


def signed_session(secret_key: str, user_id: int) -> tuple[str, str]:
    """A logged-in session cookie and its CSRF form token, as the app would issue them after log-in: the
    log-in's row (user_sessions) is opened in the fresh_postgres database, as logging in would."""
    session_id = bench_session_id(user_id)
    if _SESSION_DATABASE is None:
        raise RuntimeError("signed_session needs a fresh_postgres() block to open the log-in in")
    with psycopg.connect(_SESSION_DATABASE, autocommit=True) as conn:
        conn.execute("INSERT INTO user_sessions (id, user_id, created_at, last_seen_at, expires_at, address, user_agent) "
                     "VALUES (%s, %s, now() AT TIME ZONE 'utc', now() AT TIME ZONE 'utc', "
                     "now() AT TIME ZONE 'utc' + interval '7 days', '127.0.0.1', 'bench') ON CONFLICT DO NOTHING",
                     (session_id, user_id))
    return signed_cookie(secret_key, {"_user_id": f"{user_id}.{session_id}", "_fresh": True})


def signed_cookie(secret_key: str, data: dict) -> tuple[str, str]:
    """A session cookie holding `data` (and a CSRF secret) and its CSRF form token, as the app signs them."""
    raw = secrets.token_hex(20)
    serializer = SecureCookieSessionInterface().get_signing_serializer(_FakeApp(secret_key))
    token = URLSafeTimedSerializer(secret_key, salt="wtf-csrf-token").dumps(raw)
    # As a browser holds it after its first page: the signed token kept beside the raw one (contest.security.csrf).
    cookie = serializer.dumps({**data, "csrf_token": raw, SIGNED_KEY: [raw, token]})
    return cookie, token


class _FakeApp:
    def __init__(self, secret_key):
        self.secret_key = secret_key
        self.config = {"SECRET_KEY_FALLBACKS": None}


def free_port() -> int:
    """An unused TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(database_url: str, secret_key: str, workers: int, port: int | None = None):
    """gunicorn serving the app with sync workers; yields the base URL."""
    with gunicorn_server(database_url, secret_key, workers, port) as (base, _):
        yield base


@contextmanager
def gunicorn_server(database_url: str, secret_key: str, workers: int, port: int | None = None,
                    worker_class: str = "sync", settings: dict | None = None):
    """gunicorn serving the app (sync workers unless told otherwise, `settings` added to its environment);
    yields (base URL, the master's process id)."""
    port = port or free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": secret_key, **(settings or {})}
    # Streams (gevent) end at their next heartbeat once the client has gone: do not wait 30 s for them at the end.
    graceful = ["--graceful-timeout", "2"] if worker_class != "sync" else []
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "--worker-class", worker_class, "--workers",
                                str(workers), "--bind", f"127.0.0.1:{port}", "--log-level", "warning", *graceful,
                                "contest.wsgi:app"], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    try:
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(timeout=10)


def child_pids(parent_pid: int) -> list[int]:
    """The processes whose parent is `parent_pid` (gunicorn's workers), read from /proc."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # the process ended while we looked
        # The command name may hold spaces and parentheses: the fields after the last ")" are fixed.
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent_pid:
            children.append(int(entry.name))
    return sorted(children)


def rss_kib(pid: int) -> int:
    """A process's resident set size in KiB (VmRSS in /proc/<pid>/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def wait_for_workers(master_pid: int, workers: int, timeout: float = 30) -> None:
    """Wait until the gunicorn master has forked all its workers (they then import the app)."""
    deadline = time.monotonic() + timeout
    while len(child_pids(master_pid)) < workers and time.monotonic() < deadline:
        time.sleep(0.1)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far; 0 if it has gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def processes_named(name: str) -> list[int]:
    """The running processes whose command name is `name` (e.g. the PostgreSQL backends)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "comm").read_text().strip() == name:
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def busy_cpu_seconds() -> float:
    """CPU time the whole machine has spent busy (all processes, all cores), from /proc/stat."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = fields[3] + fields[4]  # idle and iowait
    return (sum(fields) - idle) / os.sysconf("SC_CLK_TCK")


def cpu_snapshot(masters: list[int]) -> dict[str, float]:
    """CPU seconds used so far by the masters' gunicorn workers, PostgreSQL, this process and the machine."""
    return {"app": sum(cpu_seconds(pid) for master in masters for pid in child_pids(master)),
            "db": sum(cpu_seconds(pid) for pid in processes_named("postgres")),
            "client": time.process_time(), "machine": busy_cpu_seconds()}


def cpu_used(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """CPU seconds spent between two snapshots, with "others" for every other process on the machine."""
    used = {part: after[part] - before[part] for part in ("app", "db", "client")}
    used["others"] = max(0.0, after["machine"] - before["machine"] - sum(used.values()))
    return used


def autovacuum_pass(url: str) -> list[str]:
    """Do now what PostgreSQL's autovacuum would do at its next pass (once a minute on a server with the
    defaults) by its own rules and settings: VACUUM a table with more dead rows, or more rows inserted since
    its last vacuum, than its threshold plus its share of the table; ANALYZE one changed that much since
    its last analysis. A server running a contest has autovacuum on, and between two steps of a journey
    it would have passed; run before each step, the step's plans do not depend on when that pass fell
    (nor on whether this machine's server has autovacuum on at all). Returns what it did."""
    done = []
    with psycopg.connect(url, autocommit=True) as conn:
        setting = dict(conn.execute("SELECT name, setting::float FROM pg_settings WHERE name IN ("
                                    "'autovacuum_vacuum_threshold', 'autovacuum_vacuum_scale_factor', "
                                    "'autovacuum_vacuum_insert_threshold', 'autovacuum_vacuum_insert_scale_factor', "
                                    "'autovacuum_analyze_threshold', 'autovacuum_analyze_scale_factor')").fetchall())
        tables = conn.execute("SELECT stats.relname, greatest(reltuples, 0), n_dead_tup, n_ins_since_vacuum, "
                              "n_mod_since_analyze FROM pg_stat_user_tables AS stats JOIN pg_class ON pg_class.oid = relid "
                              "ORDER BY stats.relname").fetchall()
        for table, rows, dead, inserted, changed in tables:
            vacuum = dead > setting["autovacuum_vacuum_threshold"] + setting["autovacuum_vacuum_scale_factor"] * rows \
                or inserted > setting["autovacuum_vacuum_insert_threshold"] \
                + setting["autovacuum_vacuum_insert_scale_factor"] * rows
            analyze = changed > setting["autovacuum_analyze_threshold"] + setting["autovacuum_analyze_scale_factor"] * rows
            if vacuum or analyze:
                command = " ".join(word for word, wanted in (("VACUUM", vacuum), ("ANALYZE", analyze)) if wanted)
                conn.execute(f'{command} "{table}"')
                done.append(f"{command.lower()} {table}")
    return done


@contextmanager
def pgbouncer(database_url: str, pool_size: int = 20):
    """Debian's PgBouncer in transaction pooling, with its own ini in a temporary directory, on a free
    port, in front of the database of `database_url`; yields the URL that goes through it."""
    binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not Path(binary).exists():
        raise SystemExit("pgbouncer is not installed: apt-get install pgbouncer (scripts/test installs it when it can)")
    server = psycopg.conninfo.conninfo_to_dict(database_url)
    port = free_port()
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        (folder / "userlist.txt").write_text(f'"{server.get("user", "postgres")}" ""\n')
        (folder / "pgbouncer.ini").write_text(f"""[databases]
* = host={server.get("host", "127.0.0.1")} port={server.get("port", 5432)}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {folder / "userlist.txt"}
pool_mode = transaction
default_pool_size = {pool_size}
max_client_conn = 2000
ignore_startup_parameters = extra_float_digits,options
logfile = {folder / "pgbouncer.log"}
""")
        # PgBouncer will not run as root: it drops to the owner of the temporary directory, or `nobody`.
        user = ["-u", "nobody"] if os.geteuid() == 0 else []
        if user:
            os.chmod(folder, 0o777)
            for name in ("userlist.txt", "pgbouncer.ini"):
                os.chmod(folder / name, 0o644)
        process = subprocess.Popen([binary, *user, str(folder / "pgbouncer.ini")], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None:
                    log = folder / "pgbouncer.log"
                    raise RuntimeError("pgbouncer did not start:\n" + (log.read_text() if log.exists() else ""))
                time.sleep(0.1)
        try:
            yield f"postgresql://{server.get('user', 'postgres')}@127.0.0.1:{port}/{server['dbname']}"
        finally:
            process.terminate()
            process.wait(timeout=10)

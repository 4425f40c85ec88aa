"""Benchmark: a live event (hội thi sân khấu hóa) with 500 simulated devices.

Topology as README's production: pages, answers and the host's actions on gunicorn sync workers; the
Server-Sent Events streams on `--instances` separate gunicorn instances with gevent workers (default two,
so the fan-out crosses processes through PostgreSQL LISTEN/NOTIFY); one PostgreSQL. Every device is a
contestant of an individual event (one device a "team", so every answer counts), signed in as the join page
would sign it, with its stream on one of the stream instances (round robin). One projector screen watches too.

For each question the host presses "next" (POST to the sync instance) and each device:
- records when the open question reaches it (target: on every device ≤ 500 ms p99 after the press);
- answers at a random moment within the first seconds (open model: the latency of the acknowledgement is
  measured from the scheduled send time; target ≤ 200 ms p99);
- records when the locked state with the new scoreboard reaches it; the lock is the server's own (its
  clock, at the question's lock time; nobody presses anything) and the delay is measured from that lock
  time (target on the projector ≤ 1 s; every device's is reported too).
Then 10 % of the devices drop their stream and reconnect: the time to the current state is reported
(the product promises "within a second"). Memory per connected device is the stream workers' resident
memory with every device connected, less before any connected, divided by the devices.

Correctness (exit 1 if any fails): every device saw every question open and locked, every answer was
acknowledged, the database holds one answer per device and question, and every score equals the
points the client's own right answers earned.

The client (one asyncio loop, raw HTTP/1.1) shares the machine's cores with gunicorn and PostgreSQL.

Run: .venv/bin/python bench/live.py [--devices 500] [--questions 5] [--seconds 6] [--instances 2]
"""
import argparse
import asyncio
import json
import os
import random
import re
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (child_pids, cpu_snapshot, cpu_used, fresh_postgres, gunicorn_server, rss_kib,  # noqa: E402
                    signed_cookie, signed_session, wait_for_workers)
from load import percentile  # noqa: E402

from contest import create_app  # noqa: E402
from contest.accounts.models import Role  # noqa: E402
from contest.accounts.services import create_user  # noqa: E402
from contest.bank.models import Question  # noqa: E402
from contest.bank.services import get_or_create_bank, import_questions  # noqa: E402
from contest.database import utcnow  # noqa: E402
from contest.extensions import db  # noqa: E402
from contest.live import services  # noqa: E402
from contest.live.models import LiveTeam  # noqa: E402
from contest.live.rules import SegmentRules  # noqa: E402
from questions.records import QuestionRecord  # noqa: E402

SECRET = "bench-secret"
POINTS = 10
STATE_PHASE = re.compile(rb'"phase":"(\w+)"')
STATE_QUESTION = re.compile(rb'"question":\{"id":(\d+)')
STATE_LOCKS_AT = re.compile(rb'"locks_at_ms":(\d+)')


@dataclass
class Seeded:
    """What the benchmark needs of the event it built."""

    event_id: int
    code: str
    organizer_id: int
    team_ids: list[int]
    questions: list[int]            # live question ids in stage order
    correct: dict[int, int] = field(default_factory=dict)  # live question id → right option


def seed(app, devices: int, questions: int, seconds: int) -> Seeded:
    """An individual event with one contestant per device and one all-answer segment."""
    with app.app_context():
        now = utcnow()
        records = [QuestionRecord(text=f"Câu hỏi trực tiếp {n}?", choices=[f"A{n}", f"B{n}", f"C{n}", f"D{n}"],
                                  correct=[n % 4], topic="Chung", citation="Khoản 1 Điều 3 Nghị định 63/2010/NĐ-CP")
                   for n in range(questions)]
        import_questions(records, "Bench live")
        bank = get_or_create_bank("Bench live")
        organizer = create_user(full_name="Người dẫn", email="host@bench.vn", password="x" * 12, role=Role.ORGANIZER)
        db.session.flush()
        event = services.create_event("Hội thi trực tiếp (benchmark)", bank, "individuals", "", organizer, now)
        db.session.flush()
        db.session.execute(LiveTeam.__table__.insert(), [
            {"event_id": event.id, "position": n + 1, "name": f"Thí sinh {n + 1}", "members": "", "pin": "000000"}
            for n in range(devices)])
        db.session.expire(event)
        segment = services.add_segment(event, "all_answer", "Cùng trả lời", seconds, POINTS, SegmentRules(), organizer)
        bank_ids = db.session.scalars(db.select(Question.id).where(Question.bank_id == bank.id)
                                      .order_by(Question.id)).all()
        services.choose_questions(segment, bank_ids, organizer)
        db.session.commit()
        ordered = services.ordered_questions(event.id)
        seeded = Seeded(event.id, event.code, organizer.id,
                        db.session.scalars(db.select(LiveTeam.id).where(LiveTeam.event_id == event.id)
                                           .order_by(LiveTeam.position)).all(),
                        [q.id for q in ordered], {q.id: q.question.correct[0] for q in ordered})
        db.engine.dispose()
        return seeded


async def http_request(base: str, method: str, path: str, headers: dict, body: bytes = b"") -> tuple[int, bytes]:
    """One HTTP/1.1 request on its own connection; (status, body)."""
    host, port = urlsplit(base).hostname, urlsplit(base).port
    reader, writer = await asyncio.open_connection(host, port)
    head = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close",
            f"Content-Length: {len(body)}"] + [f"{name}: {value}" for name, value in headers.items()]
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
    await writer.drain()
    raw = await reader.read()
    writer.close()
    status = int(raw.split(b" ", 2)[1]) if raw else 0
    return status, raw.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in raw else b""


class Device:
    """One phone (or the projector): its stream, what reached it when, and its answers."""

    def __init__(self, index: int, team_id: int, cookie: str, token: str, stream_base: str, path: str):
        self.index, self.team_id, self.cookie, self.token = index, team_id, cookie, token
        self.stream_base, self.path = stream_base, path
        self.opened: dict[int, float] = {}     # question → when its open state arrived
        self.locked: dict[int, float] = {}     # question → when its locked state arrived
        self.locks_at: dict[int, float] = {}   # question → the server's lock time (s)
        self.first_state = asyncio.Event()
        self.state_at: float | None = None
        self.on_open = None
        self.task: asyncio.Task | None = None
        self.writer = None

    async def run(self) -> None:
        """Read the stream (chunked HTTP/1.1) and note each state's arrival."""
        host, port = urlsplit(self.stream_base).hostname, urlsplit(self.stream_base).port
        reader, self.writer = await asyncio.open_connection(host, port)
        self.writer.write((f"GET {self.path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/event-stream\r\n"
                           f"Cookie: session={self.cookie}\r\n\r\n").encode())
        await self.writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        if b" 200 " not in head.split(b"\r\n", 1)[0]:
            raise RuntimeError(f"stream refused: {head[:80]!r}")
        buffer = b""
        while True:
            size = int((await reader.readline()).strip() or b"0", 16)
            if size == 0:
                return
            buffer += await reader.readexactly(size)
            await reader.readexactly(2)
            while b"\n\n" in buffer:
                block, buffer = buffer.split(b"\n\n", 1)
                if b"event: state" in block:
                    self.saw_state(block, time.time())

    def saw_state(self, block: bytes, at: float) -> None:
        """Note what a state says, when it arrived."""
        self.state_at = self.state_at or at
        self.first_state.set()
        phase = STATE_PHASE.search(block)
        question = STATE_QUESTION.search(block)
        if not phase or not question:
            return
        phase, question = phase.group(1), int(question.group(1))
        if phase == b"open" and question not in self.opened:
            self.opened[question] = at
            locks_at = STATE_LOCKS_AT.search(block)
            if locks_at:
                self.locks_at[question] = int(locks_at.group(1)) / 1000
            if self.on_open:
                self.on_open(self, question, at)
        elif phase == b"locked" and question not in self.locked:
            self.locked[question] = at

    async def reconnect(self) -> float:
        """Drop the stream and open it again; seconds until the current state arrives."""
        self.task.cancel()
        self.writer.close()
        self.first_state = asyncio.Event()
        self.state_at = None
        started = time.time()
        self.task = asyncio.create_task(self.run())
        await self.first_state.wait()
        return self.state_at - started


async def scenario(args, seeded: Seeded, app_base: str, stream_bases: list[str], stream_pids: list[int],
                   masters: list[int]) -> dict:
    """Connect every device, run every question, reconnect some; return the measurements."""
    rng = random.Random(18)
    host_cookie, host_token = signed_session(SECRET, seeded.organizer_id)
    host_headers = {"Cookie": f"session={host_cookie}", "X-CSRFToken": host_token,
                    "Content-Type": "application/json"}
    devices = []
    for index, team_id in enumerate(seeded.team_ids):
        cookie, token = signed_cookie(SECRET, {"live": {seeded.code: [team_id, f"d{index}"]}})
        devices.append(Device(index, team_id, cookie, token, stream_bases[index % len(stream_bases)],
                              f"/live/{seeded.code}/stream"))
    projector = Device(-1, 0, "", "", stream_bases[0], f"/live/{seeded.code}/stream?screen=1")
    acks: list[tuple[float, int]] = []   # (latency from scheduled send, status)
    chosen: dict[tuple[int, int], int] = {}
    pending: set[asyncio.Task] = set()

    async def send_answer(device: Device, question: int, scheduled: float) -> None:
        await asyncio.sleep(max(0.0, scheduled - time.time()))
        choice = seeded.correct[question] if rng.random() < 0.6 else rng.randrange(4)
        chosen[(device.team_id, question)] = choice
        body = json.dumps({"run": run_id, "question": question, "choice": choice}).encode()
        status, _ = await http_request(app_base, "POST", f"/live/{seeded.code}/answer",
                                       {"Cookie": f"session={device.cookie}", "X-CSRFToken": device.token,
                                        "Content-Type": "application/json"}, body)
        acks.append((time.time() - scheduled, status))

    def on_open(device: Device, question: int, at: float) -> None:
        window = max(0.5, min(3.0, args.seconds - 2.0))
        task = asyncio.get_running_loop().create_task(send_answer(device, question, at + rng.uniform(0.2, window)))
        pending.add(task)
        task.add_done_callback(pending.discard)

    for base in stream_bases:  # each stream worker has served a stream: its hub, listener and pool are up
        for _ in range(args.stream_workers * 2):
            warm = Device(-2, 0, "", "", base, f"/live/{seeded.code}/stream")
            warm.task = asyncio.create_task(warm.run())
            await asyncio.wait([warm.task, asyncio.create_task(warm.first_state.wait())], timeout=120,
                               return_when=asyncio.FIRST_COMPLETED)
            if warm.task.done():
                warm.task.result()  # the stream ended or failed: say why
            if not warm.first_state.is_set():
                raise RuntimeError(f"no state from {base} within 120 s")
            warm.task.cancel()
            warm.writer.close()
    await asyncio.sleep(0.5)
    rss_before = sum(rss_kib(pid) for pid in stream_pids)
    for device in devices + [projector]:
        device.on_open = on_open if device is not projector else None
        device.task = asyncio.create_task(device.run())
        await asyncio.sleep(0.002)  # a hall of phones joining, not one packet
    await asyncio.wait_for(asyncio.gather(*(d.first_state.wait() for d in devices + [projector])), 60)
    await asyncio.sleep(0.5)
    rss_connected = sum(rss_kib(pid) for pid in stream_pids)

    status, body = await http_request(app_base, "POST", f"/organizer/live/{seeded.event_id}/host/start",
                                      host_headers, b"{}")
    assert status == 200, body
    with psycopg.connect(args.database_url) as connection:
        run_id = connection.execute("SELECT id FROM live_runs WHERE event_id = %s", (seeded.event_id,)).fetchone()[0]

    pressed: dict[int, float] = {}
    replied: dict[int, float] = {}
    cpu_before = cpu_snapshot(masters)
    streams_before = cpu_snapshot(masters[1:])
    for question in seeded.questions:
        pressed[question] = time.time()
        status, body = await http_request(app_base, "POST", f"/organizer/live/{seeded.event_id}/host/next",
                                          host_headers, b"{}")
        replied[question] = time.time()
        assert status == 200, body
        deadline = time.time() + args.seconds + 10
        while time.time() < deadline and not all(question in d.locked for d in devices + [projector]):
            await asyncio.sleep(0.05)
        while pending:
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)

    cpu = cpu_used(cpu_before, cpu_snapshot(masters))
    cpu["streams"] = cpu_used(streams_before, cpu_snapshot(masters[1:]))["app"]
    reconnecting = devices[:max(1, len(devices) // 10)]
    reconnects = list(await asyncio.gather(*(device.reconnect() for device in reconnecting)))
    status, _ = await http_request(app_base, "POST", f"/organizer/live/{seeded.event_id}/host/finish",
                                   host_headers, b"{}")
    rss_after = sum(rss_kib(pid) for pid in stream_pids)
    for device in devices + [projector]:
        device.task.cancel()
        device.writer.close()
    return {"devices": devices, "projector": projector, "pressed": pressed, "replied": replied, "acks": acks,
            "chosen": chosen,
            "reconnects": reconnects, "rss": (rss_before, rss_connected, rss_after), "run_id": run_id, "cpu": cpu,
            "finished": status == 200}


def wait_until_answering(base: str, timeout: float = 120) -> None:
    """Wait until the instance answers /healthz (its workers have imported the app)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{base} did not answer within {timeout:.0f} s")


def summary(label: str, values_ms: list[float]) -> dict:
    """Print p50/p99/max of a list of milliseconds; return them."""
    figures = {"p50": percentile(values_ms, .5), "p99": percentile(values_ms, .99), "max": max(values_ms, default=0)}
    print(f"  {label}: {len(values_ms)} samples, p50 {figures['p50']:.0f} ms, p99 {figures['p99']:.0f} ms, "
          f"max {figures['max']:.0f} ms")
    return figures


def check_database(url: str, seeded: Seeded, run_id: int, chosen: dict) -> bool:
    """Every answer stored once, every score what the client's right answers earned."""
    expected: dict[int, int] = {}
    for (team, question), choice in chosen.items():
        expected[team] = expected.get(team, 0) + (POINTS if choice == seeded.correct[question] else 0)
    with psycopg.connect(url) as connection:
        answers = connection.execute("SELECT count(*) FROM live_answers WHERE run_id = %s", (run_id,)).fetchone()[0]
        scores = dict(connection.execute("SELECT team_id, sum(points) FROM live_marks WHERE run_id = %s "
                                         "GROUP BY team_id", (run_id,)).fetchall())
    wrong = sum(1 for team in seeded.team_ids if scores.get(team, 0) != expected.get(team, 0))
    is_exact = answers == len(chosen) and wrong == 0
    print(f"Database: {answers} answers stored for {len(chosen)} sent; {wrong} scores differ from the client's "
          f"own count — {'as expected' if is_exact else 'EXPECTED every answer and every score'}")
    return is_exact


def main() -> None:
    """Seed, serve (sync instance + stream instances), run the event, report."""
    cores = os.cpu_count() or 1
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=500)
    parser.add_argument("--questions", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=6, help="time each question stays open")
    parser.add_argument("--instances", type=int, default=2, help="gunicorn instances serving the streams (gevent)")
    parser.add_argument("--stream-workers", type=int, default=1, help="gevent workers per stream instance")
    parser.add_argument("--workers", type=int, default=2 * cores + 1, help="sync workers for answers and actions")
    args = parser.parse_args()

    with fresh_postgres() as url:
        args.database_url = url
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET})
        seeded = seed(app, args.devices, args.questions, args.seconds)
        with gunicorn_server(url, SECRET, args.workers) as (app_base, app_master):
            stream_servers = [gunicorn_server(url, SECRET, args.stream_workers, worker_class="gevent")
                              for _ in range(args.instances)]
            entered = [server.__enter__() for server in stream_servers]
            try:
                for _, master in [(app_base, app_master)] + entered:
                    wait_for_workers(master, args.workers if master == app_master else args.stream_workers)
                for base in [app_base] + [base for base, _ in entered]:  # every worker has imported the app
                    wait_until_answering(base)
                stream_pids = [pid for _, master in entered for pid in child_pids(master)]
                print(f"Live event: {args.devices} devices (one contestant each) + 1 projector, {args.questions} "
                      f"questions of {args.seconds} s; answers and host on gunicorn {args.workers} sync workers, "
                      f"streams on {args.instances} gunicorn instance(s) × {args.stream_workers} gevent worker(s), "
                      f"fan-out by PostgreSQL LISTEN/NOTIFY; {cores} cores shared with the client.")
                result = asyncio.run(scenario(args, seeded, app_base, [base for base, _ in entered], stream_pids,
                                              [app_master] + [master for _, master in entered]))
                used = result["cpu"]
            finally:
                for server in stream_servers:
                    server.__exit__(None, None, None)
        devices, projector = result["devices"], result["projector"]
        shown = [(d.opened[q] - result["pressed"][q]) * 1000 for d in devices for q in seeded.questions
                 if q in d.opened]
        to_board = [(d.locked[q] - d.locks_at[q]) * 1000 for d in devices for q in seeded.questions
                    if q in d.locked and q in d.locks_at]
        on_projector = [(projector.locked[q] - projector.locks_at[q]) * 1000 for q in seeded.questions
                        if q in projector.locked and q in projector.locks_at]
        acks = [latency * 1000 for latency, _ in result["acks"]]
        failed = sum(1 for _, status in result["acks"] if status != 200)
        missing = sum(1 for d in devices + [projector] for q in seeded.questions
                      if q not in d.opened or q not in d.locked)
        print("Measured:")
        shown_f = summary("question shown on the device after the host's press", shown)
        summary("of which the host's request (sync worker, commit with NOTIFY)",
                [(result["replied"][q] - result["pressed"][q]) * 1000 for q in seeded.questions])
        ack_f = summary(f"answer acknowledged, from its scheduled send ({failed} not 200)", acks)
        board_f = summary("scoreboard (locked state) on the projector after the server's lock time", on_projector)
        summary("scoreboard on the devices after the lock time", to_board)
        reconnect_f = summary(f"current state after a reconnect ({len(result['reconnects'])} devices)",
                              [value * 1000 for value in result["reconnects"]])
        rss_before, rss_connected, rss_after = result["rss"]
        per_device = (rss_connected - rss_before) / max(1, args.devices + 1)
        print(f"  stream workers' memory: {rss_before / 1024:.1f} MB before, {rss_connected / 1024:.1f} MB with "
              f"{args.devices + 1} streams, {rss_after / 1024:.1f} MB at the end: {per_device:.1f} KiB per connected "
              f"device")
        answers = max(1, len(result["acks"]))
        per = {part: f"{seconds * 1000 / answers:.2f}" if seconds >= 0 else "n/a (backends ended meanwhile)"
               for part, seconds in used.items()}
        print("  CPU per answer (ms; everything from the first question to the lock of the last, divided by the "
              "answers): gunicorn workers {app} (of which the stream workers {streams}), PostgreSQL {db}, this "
              "client {client}, other processes on the machine {others}".format(**per))
        print(f"  {missing} (device, question) pairs missing an open or a locked state; host's finish "
              f"{'accepted' if result['finished'] else 'REFUSED'}")
        is_exact = check_database(url, seeded, result["run_id"], result["chosen"]) and missing == 0 \
            and failed == 0 and len(result["acks"]) == args.devices * args.questions and result["finished"]
        print("Targets:")
        print(f"  question shown on every device ≤ 500 ms p99: {shown_f['p99']:.0f} ms "
              f"{'met' if shown_f['p99'] <= 500 else 'MISSED'}")
        print(f"  answer acknowledged ≤ 200 ms p99: {ack_f['p99']:.0f} ms {'met' if ack_f['p99'] <= 200 else 'MISSED'}")
        print(f"  scoreboard on the projector ≤ 1 s after the lock: {board_f['max']:.0f} ms (worst question) "
              f"{'met' if board_f['max'] <= 1000 else 'MISSED'}")
        print(f"  current state within a second of a reconnect: {reconnect_f['p99']:.0f} ms p99 "
              f"{'met' if reconnect_f['p99'] <= 1000 else 'MISSED'}")
        print(f"  memory per connected device reported: {per_device:.1f} KiB")
        print(f"Result: {'all correct' if is_exact else 'INCORRECT'}")
        with app.app_context():
            db.engine.dispose()
    if not is_exact:
        sys.exit(1)


if __name__ == "__main__":
    main()

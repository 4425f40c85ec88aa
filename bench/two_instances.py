"""Benchmark and check: two gunicorn instances on two ports sharing one PostgreSQL database.

A few hundred contestants each run a whole journey (start, 20 answer saves, submit) with their
requests split across both instances: a contestant starts on one, saves alternate between the two
(some answers changed later from the other instance, a few sent only with the submission), and the
paper is submitted on the instance it did not start on; every fourth contestant takes a second
attempt the other way round. Afterwards the stored answers are compared with what the client last
sent, the app's own recount (contest.scoring.verify.verify_all) must find no difference, and the
standings must equal an independent recount in SQL from the attempts (each item marked again
from its shown order and the question's key; best attempt per contestant by score descending,
duration ascending, submission ascending). Both instances must show the same public board.

Both instances reach PostgreSQL through Debian's PgBouncer in transaction pooling (started here with
its own ini in a temporary directory, on a free port; --direct skips it), with
DATABASE_TRANSACTION_POOLER=1 so that no statement is prepared (PgBouncer 1.18 cannot carry
prepared statements across transactions). The checks read the database directly.

Closed model: N client threads, each running one contestant's journey at a time. The client shares
the machine's cores with both instances and PostgreSQL.

Run: .venv/bin/python bench/two_instances.py [--contestants 300] [--clients 16]
"""
import argparse
import hashlib
import http.client
import json
import os
import random
import re
import sys
import threading
import time
from collections import defaultdict
from contextlib import nullcontext
from pathlib import Path
from urllib.parse import urlencode

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (cpu_snapshot, cpu_used, fresh_postgres, gunicorn_server, pgbouncer, seed_contest,  # noqa: E402
                    signed_session, wait_for_workers)
from load import Request, closed_model, percentile, send  # noqa: E402

from contest import create_app  # noqa: E402
from contest.extensions import db  # noqa: E402
from contest.scoring.verify import verify_all  # noqa: E402

SECRET = "bench-secret"
FORM = "application/x-www-form-urlencoded"
ATTEMPT_URL = re.compile(r"/attempts/(\d+)$")

# The standings as a recount from the attempts would give them, written without the app's code.
RECOUNT = """
WITH marked AS (
    SELECT a.id, a.user_id, a.started_at, a.submitted_at, a.score AS stored_score,
           count(*) FILTER (WHERE i.selected IS NOT NULL AND json_array_length(i.selected) > 0 AND
               ARRAY(SELECT DISTINCT (i.choice_order ->> shown::int)::int
                     FROM json_array_elements_text(i.selected) AS shown ORDER BY 1)
               = ARRAY(SELECT DISTINCT key::int FROM json_array_elements_text(q.correct) AS key ORDER BY 1)) AS score
    FROM attempts a JOIN attempt_items i ON i.attempt_id = a.id JOIN questions q ON q.id = i.question_id
    WHERE a.round_id = %(round)s AND a.submitted_at IS NOT NULL
    GROUP BY a.id),
timed AS (
    SELECT *, floor(extract(epoch FROM submitted_at - started_at) * 1000)::bigint AS duration_ms FROM marked),
best AS (
    SELECT DISTINCT ON (user_id) user_id, id, score, duration_ms, submitted_at FROM timed
    ORDER BY user_id, score DESC, duration_ms, submitted_at)
SELECT (SELECT count(*) FROM best) AS counted,
       (SELECT count(*) FROM timed WHERE score <> stored_score) AS rescored,
       (SELECT count(*) FROM best b FULL JOIN (SELECT * FROM standings WHERE round_id = %(round)s) s
            ON s.user_id = b.user_id
        WHERE (b.id, b.score, b.duration_ms, b.submitted_at)
              IS DISTINCT FROM (s.attempt_id, s.score, s.duration_ms, s.submitted_at)) AS differences
"""


class Contestant:
    """One contestant's journeys over the two instances, and what they last sent for each answer."""

    def __init__(self, index: int, user_id: int, rng: random.Random):
        self.index = index
        cookie, self.token = signed_session(SECRET, user_id)
        self.cookie = f"session={cookie}"
        self.rng = rng
        self.sent: dict[tuple[int, int], list[int]] = {}  # (attempt id, position) → shown options

    def run(self, connections: list, round_id: int, timings: dict, lock: threading.Lock) -> list[str]:
        """Every attempt of this contestant's plan; returns the failures."""
        first = self.index % 2
        failures = []
        for number in range(2 if self.index % 4 == 0 else 1):
            home = first if number == 0 else 1 - first
            failures += self.attempt(connections, home, round_id, timings, lock)
        return failures

    def _call(self, connections, instance, kind, request, timings, lock):
        started = time.perf_counter()
        status, location, _, _ = send(connections[instance], request)
        with lock:
            timings[kind].append(time.perf_counter() - started)
        return status, location

    def attempt(self, connections, home: int, round_id: int, timings: dict, lock) -> list[str]:
        """Start on `home`, save across both instances, submit on the other one."""
        status, location = self._call(connections, home, "start", Request(
            "POST", f"/rounds/{round_id}/start", urlencode({"csrf_token": self.token}).encode(),
            {"Cookie": self.cookie, "Content-Type": FORM}), timings, lock)
        match = status == 302 and ATTEMPT_URL.search(location)
        if not match:
            return [f"start {status}"]
        attempt_id, failures = int(match.group(1)), []
        form_only = {18, 19} if self.index % 3 == 0 else set()  # sent only with the submission
        for position in range(20):
            if position in form_only:
                continue
            # Every fifth answer is changed later from the other instance (a second device, a retry).
            for revision in (1, 2) if position % 5 == 0 else (1,):
                selected = [self.rng.randrange(4)]
                body = json.dumps({"position": position, "selected": selected, "revision": revision}).encode()
                status, _ = self._call(connections, (self.index + position + revision) % 2, "save", Request(
                    "POST", f"/attempts/{attempt_id}/answers", body,
                    {"Cookie": self.cookie, "X-CSRFToken": self.token, "Content-Type": "application/json"}),
                    timings, lock)
                if status != 200:
                    failures.append(f"save {status}")
                else:
                    self.sent[(attempt_id, position)] = selected
        fields = {"csrf_token": self.token}
        for position in form_only:
            selected = [self.rng.randrange(4)]
            fields[f"q{position}"] = str(selected[0])
            self.sent[(attempt_id, position)] = selected
        status, location = self._call(connections, 1 - home, "submit", Request(
            "POST", f"/attempts/{attempt_id}/submit", urlencode(fields).encode(),
            {"Cookie": self.cookie, "Content-Type": FORM}), timings, lock)
        if status != 302 or not location.endswith(f"/attempts/{attempt_id}/result"):
            failures.append(f"submit {status}")
        return failures


def journeys(bases: list[str], contestants: list[Contestant], round_id: int, clients: int,
             time_limit: float) -> tuple[float, dict, list[str]]:
    """Run the contestants' journeys from `clients` threads; returns (seconds, latencies by kind, failures)."""
    timings: dict[str, list[float]] = defaultdict(list)
    failures: list[str] = []
    lock = threading.Lock()
    queue = list(reversed(contestants))
    started = time.perf_counter()

    def worker():
        connections = [http.client.HTTPConnection("127.0.0.1", int(base.rsplit(":", 1)[1]), timeout=30)
                       for base in bases]
        while time.perf_counter() - started < time_limit:
            with lock:
                if not queue:
                    break
                contestant = queue.pop()
            found = contestant.run(connections, round_id, timings, lock)
            with lock:
                failures.extend(found)
        for connection in connections:
            connection.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, timings, failures


def stored_answers_differing(url: str, contestants: list[Contestant]) -> tuple[int, int]:
    """(answers checked, answers whose stored selection is not what the client last sent)."""
    sent = {key: value for contestant in contestants for key, value in contestant.sent.items()}
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT attempt_id, position, selected FROM attempt_items "
                            "WHERE attempt_id = ANY(%s)", ([attempt for attempt, _ in sent],)).fetchall()
    stored = {(attempt, position): selected for attempt, position, selected in rows}
    return len(sent), sum(1 for key, value in sent.items() if stored.get(key) != value)


def main() -> None:
    """Seed, serve twice, run the split journeys, then check the standings three ways."""
    cores = os.cpu_count() or 1
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contestants", type=int, default=300)
    parser.add_argument("--clients", type=int, default=16, help="contestants on their journey at once")
    parser.add_argument("--workers", type=int, default=2 * cores + 1, help="sync workers per instance")
    parser.add_argument("--time-limit", type=float, default=120, help="seconds after which no journey starts")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--direct", action="store_true", help="no PgBouncer: both instances connect to PostgreSQL")
    parser.add_argument("--pool-size", type=int, default=20, help="PgBouncer's server connections per database")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    with fresh_postgres() as url:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET})
        round_id, user_ids = seed_contest(app, args.contestants)
        contestants = [Contestant(n, user_id, random.Random(rng.random())) for n, user_id in enumerate(user_ids)]
        pooler = nullcontext(url) if args.direct else pgbouncer(url, args.pool_size)
        settings = {} if args.direct else {"DATABASE_TRANSACTION_POOLER": "1"}
        with pooler as served_url, \
                gunicorn_server(served_url, SECRET, args.workers, settings=settings) as (first, first_master), \
                gunicorn_server(served_url, SECRET, args.workers, settings=settings) as (second, second_master):
            for base, master in ((first, first_master), (second, second_master)):
                wait_for_workers(master, args.workers)
                closed_model(base, [Request("GET", "/healthz")] * 300, 8, 15)  # workers booted
            print(("Both through PgBouncer (transaction pooling, " + f"{args.pool_size} server connections, {served_url}); "
                   if not args.direct else "Both connected directly; ") + "the checks read PostgreSQL directly.")
            print(f"Two instances ({first}, {second}), {args.workers} sync workers each, one PostgreSQL database, "
                  f"{cores} cores shared with the client; {len(contestants)} contestants, {args.clients} at once:")
            before = cpu_snapshot([first_master, second_master])
            seconds, timings, failures = journeys([first, second], contestants, round_id, args.clients,
                                                  args.time_limit)
            used = cpu_used(before, cpu_snapshot([first_master, second_master]))
            requests = sum(len(values) for values in timings.values())
            print(f"  {len(timings['submit'])} papers submitted in {seconds:.1f} s "
                  f"({len(timings['submit']) / seconds:.1f} papers/s, {requests / seconds:.1f} requests/s); "
                  f"failures: {len(failures)}" + (f" ({', '.join(sorted(set(failures)))})" if failures else ""))
            print("  CPU seconds: gunicorn workers {app:.1f}, PostgreSQL {db:.1f}, this client {client:.1f}, "
                  "other processes on the machine {others:.1f}".format(**used))
            for kind, values in timings.items():
                values = [value * 1000 for value in values]
                print(f"  {kind:<7} n={len(values):<5} p50 {percentile(values, .5):6.1f} ms  "
                      f"p95 {percentile(values, .95):6.1f} ms  p99 {percentile(values, .99):6.1f} ms  "
                      "(closed model, latencies of a busy server)")
            # Each worker shares a board's first page for up to BOARD_SHARED_SECONDS (1 s): let a page
            # built during the journeys run out before comparing the instances' boards.
            time.sleep(1.1)
            boards = []
            for base in (first, second):
                conn = http.client.HTTPConnection("127.0.0.1", int(base.rsplit(":", 1)[1]), timeout=30)
                status, _, body, _ = send(conn, Request("GET", f"/rounds/{round_id}/leaderboard"), keep_body=True)
                boards.append((status, hashlib.sha256(body).hexdigest()))
                conn.close()
            print(f"  public board from each instance: HTTP {boards[0][0]} and {boards[1][0]}, "
                  f"{'identical' if boards[0] == boards[1] else 'DIFFERENT'} pages")

        checked, differing = stored_answers_differing(url, contestants)
        print(f"Stored answers: {checked} checked against what the client last sent, {differing} differ")
        with app.app_context():
            report = verify_all()
            db.session.rollback()
            db.engine.dispose()  # before the database is dropped
        print(f"verify_all(): {len(report)} differences" + "".join(f"\n    {line}" for line in report[:10]))
        with psycopg.connect(url) as conn:
            counted, rescored, differences = conn.execute(RECOUNT, {"round": round_id}).fetchone()
        print(f"SQL recount: {counted} contestants on the recounted board, {rescored} papers whose stored score "
              f"differs from the recount, {differences} standings differing from the recount")
        is_clean = not failures and not differing and not report and not rescored and not differences \
            and counted == len(contestants) and boards[0] == boards[1]
        print(f"Result: {'all agree' if is_clean else 'DIFFERENCES FOUND'}")
    if not is_clean:
        sys.exit(1)  # a correctness failure, not a slow figure: the run fails


if __name__ == "__main__":
    main()

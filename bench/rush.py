"""Benchmark: the opening rush. 1,000 distinct contestants start their attempt within about two
seconds (open model: a fixed arrival rate of 500 starts/s, each request's latency measured from its
scheduled send time) against gunicorn with 2 × cores + 1 sync workers and PostgreSQL. Each start is a
real POST /rounds/<id>/start from a signed-in contestant: 20 questions drawn from a 2,000-question
bank and shuffled. Afterwards the database must hold exactly one attempt per contestant, each with
20 items.

Every request gets its own client connection (a thread), as a thousand browsers would; requests the
workers cannot take at once wait in gunicorn's listen queue. The client shares the machine's cores
with gunicorn and PostgreSQL. The workers are booted and have answered /healthz, but have not yet
started any attempt (their question pools are cold, as at a real opening). Before the opening the
papers are drawn ahead (`flask attempts draw-ahead`, as an organizer would run it), so each start
claims a ready paper; --on-demand skips that and every start draws its own.

Run: .venv/bin/python bench/rush.py [--contestants 1000] [--rate 500]
"""
import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (ROOT, cpu_snapshot, cpu_used, fresh_postgres, gunicorn_server, seed_contest, signed_session,  # noqa: E402
                    wait_for_workers)
from load import Request, closed_model, describe, open_model, percentile  # noqa: E402

from contest import create_app  # noqa: E402
from contest.extensions import db  # noqa: E402

SECRET = "bench-secret"
ATTEMPT_URL = re.compile(r"^(?:http://[^/]+)?/attempts/(\d+)$")


def check_database(url: str, round_id: int, contestants: int) -> bool:
    """Print what the database holds after the rush; True if it is one 20-item attempt per contestant."""
    with psycopg.connect(url) as conn:
        attempts, users = conn.execute("SELECT count(*), count(DISTINCT user_id) FROM attempts WHERE round_id = %s",
                                       (round_id,)).fetchone()
        short = conn.execute("SELECT count(*) FROM attempts a WHERE a.round_id = %s AND "
                             "(SELECT count(*) FROM attempt_items i WHERE i.attempt_id = a.id) <> 20",
                             (round_id,)).fetchone()[0]
        items = conn.execute("SELECT count(*) FROM attempt_items i JOIN attempts a ON a.id = i.attempt_id "
                             "WHERE a.round_id = %s", (round_id,)).fetchone()[0]
        left = conn.execute("SELECT count(*) FROM drawn_papers WHERE round_id = %s", (round_id,)).fetchone()[0]
    print(f"Papers drawn ahead still unclaimed: {left}")
    is_exact = attempts == users == contestants and short == 0 and items == 20 * contestants
    print(f"Database: {attempts} attempts for {users} contestants, {items} items, {short} attempts without "
          f"exactly 20 items — {'as expected' if is_exact else f'EXPECTED {contestants} attempts of 20 items'}")
    return is_exact


def main() -> None:
    """Seed, serve, fire the starts at a fixed rate, then count what the database holds."""
    cores = os.cpu_count() or 1
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contestants", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=500, help="starts sent per second")
    parser.add_argument("--connections", type=int, default=0, help="client connections (default: one per start)")
    parser.add_argument("--workers", type=int, default=2 * cores + 1)
    parser.add_argument("--time-limit", type=float, default=60, help="seconds after which no start is sent")
    parser.add_argument("--on-demand", action="store_true", help="no papers drawn ahead: each start draws its own")
    args = parser.parse_args()

    with fresh_postgres() as url:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET})
        round_id, user_ids = seed_contest(app, args.contestants)
        if not args.on_demand:
            subprocess.run([sys.executable, "-m", "flask", "--app", "contest", "attempts", "draw-ahead",
                            str(round_id), "--count", str(args.contestants)], cwd=ROOT, check=True,
                           env={**os.environ, "DATABASE_URL": url}, capture_output=True)
        starts = []
        for user_id in user_ids:
            cookie, token = signed_session(SECRET, user_id)
            starts.append(Request("POST", f"/rounds/{round_id}/start", f"csrf_token={token}".encode(),
                                  {"Cookie": f"session={cookie}", "Content-Type": "application/x-www-form-urlencoded"}))
        with gunicorn_server(url, SECRET, args.workers) as (base, master):
            wait_for_workers(master, args.workers)
            closed_model(base, [Request("GET", "/healthz")] * 500, 10, 15)  # workers booted
            print(f"Opening rush ({'papers drawn on demand' if args.on_demand else 'papers drawn ahead'}; load "
                  f"average {' '.join(f'{x:.1f}' for x in os.getloadavg())}): "
                  f"{len(starts)} distinct contestants start at {args.rate:.0f}/s "
                  f"(all sent within {len(starts) / args.rate:.1f} s), gunicorn {args.workers} sync workers, "
                  f"PostgreSQL, {cores} cores shared with the client.")
            before = cpu_snapshot([master])
            run = open_model(base, starts, args.rate, args.connections or len(starts), args.time_limit)
            used = cpu_used(before, cpu_snapshot([master]))
        done = run.done()
        succeeded = [o for o in done if o.status == 302 and ATTEMPT_URL.match(o.location)]
        figures = describe("start, latency from scheduled send", run, 302)
        services = [o.service * 1000 for o in done]
        print(f"  {len(succeeded)} succeeded (302 to /attempts/<id>), {len(done) - len(succeeded)} failed, "
              f"{len(starts) - len(done)} not sent; service time (send to reply) p50 "
              f"{percentile(services, .5):.1f} ms, p99 {percentile(services, .99):.1f} ms; last reply "
              f"{max(o.latency for o in done):.2f} s after its scheduled send, {run.seconds:.2f} s after the first")
        print("  CPU per start (ms): gunicorn workers {app:.1f}, PostgreSQL {db:.1f}, this client {client:.1f}, "
              "other processes on the machine {others:.1f}".format(
                  **{part: seconds * 1000 / max(1, len(done)) for part, seconds in used.items()}))
        distinct = len({ATTEMPT_URL.match(o.location).group(1) for o in succeeded})
        print(f"  {distinct} distinct attempt ids in the redirects")
        is_exact = check_database(url, round_id, len(starts))
        print("Targets:")
        is_all = len(succeeded) == len(starts) and is_exact
        print(f"  all {len(starts)} starts succeed: {'met' if is_all else 'MISSED'}")
        print(f"  p99 ≤ 1 s: {figures['p99'] / 1000:.2f} s {'met' if figures['p99'] <= 1000 else 'MISSED'}")
        per_start = used["app"] * 1000 / max(1, len(done))
        print(f"  worker CPU per start ≤ 3 ms: {per_start:.1f} ms {'met' if per_start <= 3 else 'MISSED'}")
        with app.app_context():
            db.engine.dispose()  # before the database is dropped
    if not is_exact:
        sys.exit(1)  # the database does not hold one whole paper per contestant: a correctness failure


if __name__ == "__main__":
    main()

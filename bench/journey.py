"""Benchmark: the contestant journey over HTTP, against gunicorn (sync workers, 2 × cores + 1) and
PostgreSQL on this machine, measured by wrk (Debian's compiled client, bench/wrk.py): log in, start
an attempt, see the paper, save answers, submit, see the result and the boards (whole contest and
own agency, top 50 and own rank).

Measured like a skeptic (issue 19): each step runs in slices of --slice-seconds, each slice just
after a slice of the bare endpoint B (/healthz: no session, no database) of the same length, with
the workers let go idle before every slice (requests still queued would spill into the next slice);
a step's figure is the median of its slices' ratios (step rate ÷ the bare rate beside it), with the
lowest and highest. wrk's own CPU per request is printed beside the workers' and PostgreSQL's.
Every request is sent once (a submit or a start is never counted twice); GET steps repeat their
list. Sessions are signed cookies as the app issues them after log-in, each with its CSRF token.
Before each step the bench does what PostgreSQL's autovacuum would have done since the last one
(common.autovacuum_pass), so that no step runs on plans made for an empty table.

Then the boards again while a constant-rate client (bench/load.py open model, latency from each
request's scheduled send) submits --bg-submits papers/s and saves --bg-saves answers/s in the
background; there the workers never go idle, so slices follow each other without the wait. Last,
the resident memory of each worker. Figures measured on a shared host: quote the ratios, not rates.

Run: .venv/bin/python bench/journey.py [--slices 5] [--slice-seconds 2] [--connections 32]
"""
import argparse
import json
import os
import random
import re
import statistics
import sys
import threading
from pathlib import Path
from urllib.parse import urlencode

import psycopg
from werkzeug.security import generate_password_hash

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (autovacuum_pass, child_pids, cpu_snapshot, cpu_used, fresh_postgres,  # noqa: E402
                    gunicorn_server, rss_kib, seed_contest, signed_session, wait_for_workers)
from load import Request, closed_model, open_model, percentile  # noqa: E402
from wrk import Sliced, run_wrk, sliced  # noqa: E402

from contest import create_app  # noqa: E402
from contest.extensions import db  # noqa: E402

SECRET = "bench-secret"
PASSWORD = "mat-khau-bench-2026"
FORM = "application/x-www-form-urlencoded"
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
ATTEMPT_URL = re.compile(r"/attempts/(\d+)$")
# What Chrome (and Cốc Cốc, built on it) says it accepts: pages are compressed as they would be for them
# (Flask-Compress picks zstd), so a page's figure includes the compression a phone's browser costs.
BROWSER = {"Accept-Encoding": "gzip, deflate, br, zstd"}


def set_passwords(url: str, count: int, method: str) -> list[str]:
    """Give the first `count` contestants a real password hash; returns their e-mails."""
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT id, email FROM users ORDER BY id LIMIT %s", (count,)).fetchall()
        conn.cursor().executemany("UPDATE users SET password_hash = %s WHERE id = %s",
                                  [(generate_password_hash(PASSWORD, method=method), user_id) for user_id, _ in rows])
    return [email for _, email in rows]


def seen_minutes_ago(url: str, minutes: int) -> None:
    """Mark every live log-in as last seen `minutes` ago (0: now, so no page of the next step is due to
    note it again; contest.accounts.sessions.TOUCH_EVERY)."""
    with psycopg.connect(url) as conn:
        conn.execute("UPDATE user_sessions SET last_seen_at = (now() AT TIME ZONE 'utc') - make_interval(mins => %s) "
                     "WHERE ended_at IS NULL", (minutes,))


def statistics_note(url: str) -> str:
    """How old the planner's statistics of the standings are (autovacuum analyzes a table some time after
    it has grown; until then a plan may be chosen for an empty table): said beside each step's figures."""
    with psycopg.connect(url) as conn:
        rows, age = conn.execute(
            "SELECT n_live_tup, extract(epoch FROM now() - greatest(last_analyze, last_autoanalyze)) "
            "FROM pg_stat_user_tables WHERE relname = 'standings'").fetchone()
    return f"standings {rows:,} rows, " + ("never analyzed" if age is None else f"analyzed {age:.0f} s before")


def session_cookie(headers: list) -> str:
    """The value of the session cookie a response sets."""
    for name, value in headers:
        if name.lower() == "set-cookie" and value.startswith("session="):
            return value.split(";", 1)[0].removeprefix("session=")
    return ""


def signed_in(user_id: int) -> dict:
    """Headers and form token of a logged-in contestant."""
    cookie, token = signed_session(SECRET, user_id)
    return {"cookie": f"session={cookie}", "token": token}


def form_post(path: str, who: dict, fields: dict | None = None) -> Request:
    """A form POST with the contestant's CSRF token."""
    body = urlencode({"csrf_token": who["token"], **(fields or {})}).encode()
    return Request("POST", path, body, {**BROWSER, "Cookie": who["cookie"], "Content-Type": FORM})


def answer_save(paper: dict, position: int, selected: int, revision: int) -> Request:
    """The JSON save the paper's page sends when an option is ticked."""
    body = json.dumps({"position": position, "selected": [selected], "revision": revision}).encode()
    return Request("POST", f"/attempts/{paper['attempt']}/answers", body,
                   {**BROWSER, "Cookie": paper["cookie"], "X-CSRFToken": paper["token"],
                    "Content-Type": "application/json"})


def attempts_of(url: str, round_id: int, submitted: bool = False) -> dict[int, int]:
    """Each contestant's latest attempt in the round (only submitted ones if asked): user id → attempt id."""
    with psycopg.connect(url) as conn:
        return dict(conn.execute("SELECT user_id, max(id) FROM attempts WHERE round_id = %s"
                                 + (" AND submitted_at IS NOT NULL" if submitted else "") + " GROUP BY user_id",
                                 (round_id,)).fetchall())


def report(result: Sliced, expected: int) -> dict:
    """Print a sliced step's line (rate, latency, failures), its ratio to B and the CPU per request."""
    run, low_high = result.merged(), result.spread()
    failed = run.unexpected(expected)
    print(f"  {result.label:<40} {run.rate():8.1f}/s  p50 {run.p50_ms:7.1f} ms  p99 {run.p99_ms:7.1f} ms  "
          f"n={run.requests}  failed {failed}" + ("  (list ran out: figures not used)" if run.exhausted else "")
          + (f"  statuses {run.statuses} socket errors {run.errors}" if failed else ""))
    print(f"      ÷ B: median {result.median_ratio():.3f} [{low_high[0]:.3f}–{low_high[1]:.3f}] of "
          f"{len(result.step)} slices; B {statistics.median(b.rate() for b in result.bare):.0f}/s; "
          f"CPU ms/request workers {run.per_request_ms('app'):.2f}, PostgreSQL {run.per_request_ms('db'):.2f}, "
          f"wrk {run.per_request_ms('client'):.3f} (B: workers {result.merged_bare().per_request_ms('app'):.2f}, "
          f"wrk {result.merged_bare().per_request_ms('client'):.3f})")
    return {"ratio": result.median_ratio(), "spread": low_high, "rate": run.rate(), "p99": run.p99_ms,
            "failed": failed, "app_ms": run.per_request_ms("app"), "db_ms": run.per_request_ms("db")}


# Starts sent in one unmeasured run: about 4 s of them at the rates seen here (350–400 a second).
START_RUN = 1_500


def chunks(requests: list[Request], count: int) -> list[list[Request]]:
    """The list cut into `count` consecutive slices (each request in one slice only)."""
    size = -(-len(requests) // count)
    return [requests[n:n + size] for n in range(0, len(requests), size)][:count]


def repeated(requests: list[Request], count: int, length: int) -> list[list[Request]]:
    """`count` slices of `length` requests cycling through the list (GETs may repeat)."""
    return [[requests[(n * length + i) % len(requests)] for i in range(length)] for n in range(count)]


def main() -> None:
    """Seed, serve, then measure each step in slices beside B, the boards under background load, and memory."""
    cores = os.cpu_count() or 1
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contestants", type=int, default=14000)
    parser.add_argument("--logins", type=int, default=200, help="accounts with a real password hash")
    # Lists long enough for 5 slices of 2 s on a quiet host (saves about 1,400/s, submits 550/s): a list
    # that runs out ends its slices early and says so.
    parser.add_argument("--papers", type=int, default=10000, help="attempts started, viewed, submitted")
    parser.add_argument("--saved-papers", type=int, default=1200, help="papers whose 20 answers are saved")
    parser.add_argument("--bg-papers", type=int, default=2500, help="papers the background client submits")
    parser.add_argument("--bg-save-papers", type=int, default=400, help="papers the background client saves on")
    parser.add_argument("--connections", type=int, default=32, help="wrk's connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk's threads")
    parser.add_argument("--slices", type=int, default=5)
    parser.add_argument("--slice-seconds", type=float, default=2)
    parser.add_argument("--get-requests", type=int, default=20_000, help="length of each GET slice's list")
    parser.add_argument("--bg-submits", type=float, default=50, help="background submits per second")
    parser.add_argument("--bg-saves", type=float, default=300, help="background saves per second")
    parser.add_argument("--bg-connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2 * cores + 1)
    parser.add_argument("--hash-method", default="pbkdf2:sha256:1000")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--warmup-seconds", type=int, default=3)
    parser.add_argument("--questions", type=int, default=2000, help="questions in the bank")
    parser.add_argument("--load-boards", nargs="+", default=["board", "agency board"],
                        help="the boards measured again under background load")
    args = parser.parse_args()
    if args.contestants < args.logins + args.papers + args.bg_papers + args.bg_save_papers \
            or args.saved_papers > args.papers:
        parser.error("need contestants ≥ logins + papers + bg-papers + bg-save-papers and saved-papers ≤ papers")
    rng = random.Random(args.seed)

    with fresh_postgres() as url:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET})
        round_id, user_ids = seed_contest(app, args.contestants, questions=args.questions)
        emails = set_passwords(url, args.logins, args.hash_method)
        with psycopg.connect(url) as conn:
            agency_of = dict(conn.execute("SELECT id, agency_id FROM users").fetchall())
        starters = user_ids[args.logins:]
        with gunicorn_server(url, SECRET, args.workers) as (base, master):
            wait_for_workers(master, args.workers)
            masters = [master]
            bare = Request("GET", "/healthz", None, BROWSER)
            run_wrk(base, [bare] * 200_000, args.warmup_seconds, args.connections, args.threads, masters)  # warm-up
            booted_rss = {pid: rss_kib(pid) / 1024 for pid in child_pids(master)}
            print(f"Journey: gunicorn {args.workers} sync workers, PostgreSQL, {cores} cores shared with wrk "
                  f"({args.threads} threads, {args.connections} connections); load average "
                  f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}; {args.contestants:,} contestants, a "
                  f"{args.questions:,}-question bank, 20 questions a paper; {args.slices} slices of {args.slice_seconds:g} s "
                  f"a step, each beside a slice of B (GET /healthz), workers idle before each:")
            figures = {}

            def measure(name: str, label: str, slices: list[list[Request]], expected: int, idle: bool = True,
                        last_page_minutes_ago: int = 0):
                # Every log-in last seen at a fixed time before the step, so that which steps pay the
                # last-seen touch (one write per log-in in five minutes) does not depend on the run's pace.
                seen_minutes_ago(url, last_page_minutes_ago)
                maintained = autovacuum_pass(url)  # as a server's autovacuum would have between two steps
                planner = statistics_note(url) + (f" (autovacuum's pass: {', '.join(maintained)})" if maintained else "")
                result = sliced(label, base, masters, slices, bare, args.slice_seconds, args.connections,
                                args.threads, idle=idle)
                figures[name] = report(result, expected)
                print(f"      the step began with {planner}")

            # Log in: the forms (a session and its CSRF token each) fetched first, unmeasured.
            forms_run = closed_model(base, [Request("GET", "/login")] * args.logins, 8, 60, keep_body=True)
            forms = []
            for email, outcome in zip(emails, forms_run.outcomes):
                match = outcome and CSRF_FIELD.search(outcome.body.decode())
                if match and session_cookie(outcome.headers):
                    forms.append((email, session_cookie(outcome.headers), match.group(1)))
            logins = [Request("POST", "/login", urlencode({"csrf_token": token, "email": email,
                                                           "password": PASSWORD}).encode(),
                              {**BROWSER, "Cookie": f"session={cookie}", "Content-Type": FORM})
                      for email, cookie, token in forms]
            measure("login", f"log in (POST /login, {args.hash_method})",
                    repeated(logins, args.slices, args.get_requests // 4), 302)

            people = {user_id: signed_in(user_id) for user_id in starters}
            measure("start", "start (POST /rounds/<id>/start)",
                    chunks([form_post(f"/rounds/{round_id}/start", people[u]) for u in starters], args.slices), 302)
            attempts, left_before = attempts_of(url, round_id), None
            # The slices' time ran out before their lists: start the others, unmeasured, in runs of a few
            # seconds: wrk lasts its whole -d, and a thread done with its share leaves its connections
            # open, each holding a sync worker in recv until gunicorn's timeout kills it.
            while rest := [form_post(f"/rounds/{round_id}/start", people[u]) for u in starters if u not in attempts]:
                if len(rest) == left_before:
                    raise RuntimeError(f"{len(rest)} starts made no progress")
                left_before = len(rest)
                run_wrk(base, rest[:START_RUN], 5, args.connections, args.threads, masters)
                attempts = attempts_of(url, round_id)
            started = [u for u in starters if u in attempts]
            papers = [{**people[u], "user": u, "attempt": attempts[u]} for u in started]
            # Disjoint sets (a start slice may end before its list: fewer papers, never shared ones).
            bg_save_papers = papers[:args.bg_save_papers]
            bg_papers = papers[args.bg_save_papers:args.bg_save_papers + args.bg_papers]
            papers = papers[args.bg_save_papers + args.bg_papers:][:args.papers]

            def get(path: str, who: dict) -> Request:
                return Request("GET", path, None, {**BROWSER, "Cookie": who["cookie"]})

            measure("paper", "paper (GET /attempts/<id>)",
                    repeated([get(f"/attempts/{p['attempt']}", p) for p in papers], args.slices, args.get_requests),
                    200)
            # Position-major: concurrent saves land on different papers, as thousands of contestants' would.
            saves = [answer_save(paper, position, rng.randrange(4), 1)
                     for position in range(20) for paper in papers[:args.saved_papers]]
            measure("save", "save answer (POST …/answers)", chunks(saves, args.slices), 200)
            measure("submit", "submit (POST …/submit)",
                    chunks([form_post(f"/attempts/{p['attempt']}/submit", p) for p in papers], args.slices), 302)
            done = attempts_of(url, round_id, submitted=True)
            papers = [p for p in papers if done.get(p["user"]) == p["attempt"]]  # a slice may end before its list
            # At a round's close a contestant's result is their first page since the paper (saves and the
            # submit do not note the log-in as seen): each log-in's first result pays the touch, as it would.
            measure("result", "result (GET …/result, the first after 15 min pays the last-seen touch)",
                    repeated([get(f"/attempts/{p['attempt']}/result", p) for p in papers], args.slices,
                             args.get_requests), 200, last_page_minutes_ago=15)
            boards = {
                "board": ("board, whole contest (GET …/leaderboard)",
                          [get(f"/rounds/{round_id}/leaderboard", p) for p in papers]),
                "agency board": ("board, own agency (…?agency=)",
                                 [get(f"/rounds/{round_id}/leaderboard?agency={agency_of[p['user']]}", p)
                                  for p in papers]),
            }
            for name, (label, requests) in boards.items():
                measure(name, label, repeated(requests, args.slices, args.get_requests), 200)

            # The boards while submits and saves arrive at a constant rate in the background.
            period = 1 / (args.bg_submits + args.bg_saves)
            every = max(1, round((args.bg_submits + args.bg_saves) / max(args.bg_submits, 1e-9)))
            background, laps, submits = [], [(pos, p) for pos in range(20) for p in bg_save_papers], iter(bg_papers)
            for n in range(int(len(bg_papers) * every)):
                if n % every == 0:
                    paper = next(submits)
                    background.append(form_post(f"/attempts/{paper['attempt']}/submit", paper))
                else:
                    k = len(background) - len(background) // every
                    position, paper = laps[k % len(laps)]
                    background.append(answer_save(paper, position, rng.randrange(4), 2 + k // len(laps)))
            seconds = len(background) * period
            print(f"Under background load: {args.bg_submits:g} submits/s and {args.bg_saves:g} saves/s from a "
                  f"constant-rate client (open model, {args.bg_connections} connections) for up to {seconds:.0f} s:")
            outcome: dict = {}
            thread = threading.Thread(target=lambda: outcome.update(run=open_model(
                base, background, 1 / period, args.bg_connections, seconds)), daemon=True)
            before = cpu_snapshot(masters)
            thread.start()
            for name, (label, requests) in boards.items():
                if name not in args.load_boards:
                    continue
                measure(f"{name} under load", label, repeated(requests, args.slices, args.get_requests), 200,
                        idle=False)
            thread.join()
            used = cpu_used(before, cpu_snapshot(masters))
            run = outcome["run"]
            done = run.done()
            latencies = [o.latency * 1000 for o in done]
            bad = sum(1 for o in done if o.status not in (200, 302))
            if bad:
                print("  background statuses:", sorted({(o.status, o.location) for o in done if o.status not in (200, 302)})[:5])
            achieved, wanted = len(done) / run.seconds, args.bg_submits + args.bg_saves
            kept_up = achieved >= 0.9 * wanted
            print(f"  background: {len(done)} sent in {run.seconds:.1f} s ({len(done) / run.seconds:.0f}/s), "
                  f"{bad} failed; latency from scheduled send p50 {percentile(latencies, .5):.0f} ms, "
                  f"p99 {percentile(latencies, .99):.0f} ms; the client's CPU {used['client']:.1f} s "
                  f"(Python: it shares the cores with the server)")

            workers = child_pids(master)
            sizes = {pid: rss_kib(pid) / 1024 for pid in workers}
            print("Memory (VmRSS): each worker after the journey " + ", ".join(f"{size:.1f}" for size in sizes.values())
                  + " MB; after boot " + ", ".join(f"{size:.1f}" for size in booted_rss.values()) + " MB")
            print("Targets (median ratio to B in the same run):")
            for name, target in [("save", 0.35), ("submit", 0.2), ("paper", 0.2), ("result", 0.2), ("board", 0.3),
                                 ("agency board", 0.3), ("board under load", 0.2), ("agency board under load", 0.2)]:
                if name not in figures:
                    continue
                figure = figures[name]
                if name.endswith("under load") and not kept_up:
                    print(f"  {name:<26} ≥ {target:.2f} × B: NOT MEASURED (the background client reached "
                          f"{achieved:.0f} of {wanted:.0f} requests/s: the host was too busy)")
                    continue
                print(f"  {name:<26} ≥ {target:.2f} × B: {figure['ratio']:.3f} [{figure['spread'][0]:.3f}–"
                      f"{figure['spread'][1]:.3f}] {'met' if figure['ratio'] >= target else 'MISSED'}")
            for name in [f"{board} under load" for board in args.load_boards]:
                p99 = figures[name]["p99"]
                if not kept_up:
                    continue
                print(f"  {name:<26} p99 ≤ 100 ms (wrk, {args.connections} connections): {p99:.0f} ms "
                      f"{'met' if p99 <= 100 else 'MISSED'}")
        with app.app_context():
            db.engine.dispose()  # before the database is dropped


if __name__ == "__main__":
    main()

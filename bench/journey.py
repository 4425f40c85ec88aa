"""Benchmark: the contestant journey over HTTP, against gunicorn (sync workers, 2 × cores + 1) and
PostgreSQL on this machine: log in, start an attempt, see the paper, save 20 answers, submit, see
the result and the leaderboard.

Phase 1 (closed model: N client connections, each sending its next request when the previous one
answers) finds each step's peak throughput, beside a bare endpoint of the same app (/healthz: no
session, no database) measured in the same run with the same server and client. The save and
submit steps, whose ratios are targets, run in slices, each beside a slice of the bare endpoint
(one before each slice and one after the last); their ratios are the step's rate over all its
slices to the bare endpoint's over all of its: on a shared host whose speed drifts by tens of
percent within a minute, a bare rate measured a minute earlier says little. Phase-1 latencies are
those of a saturated server. Phase 2 (open model) sends answer saves at a fixed arrival rate, 70 % of
their phase-1 peak, for 20 s, and quotes latency from each request's scheduled send time (no
coordinated omission). Last, the resident memory of each gunicorn worker.

Every step but log-in uses signed session cookies (as the app issues them after log-in). Log-in
uses accounts whose passwords are hashed with pbkdf2:sha256 at 1,000 iterations, far cheaper than
the app's default (scrypt): the log-in figure measures the request, not the password hash; pass
--hash-method scrypt for the production cost. The client (Python threads) shares the machine's
cores with gunicorn and PostgreSQL.

Run: .venv/bin/python bench/journey.py [--contestants 4000] [--clients 20] [--open-seconds 20] [--slices 5]
"""
import argparse
import json
import os
import random
import re
import sys
from pathlib import Path
from urllib.parse import urlencode

import psycopg
from werkzeug.security import generate_password_hash

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (child_pids, cpu_snapshot, cpu_used, fresh_postgres, gunicorn_server, rss_kib,  # noqa: E402
                    seed_contest, signed_session, wait_for_workers)
from load import Request, Run, closed_model, describe, open_model, percentile  # noqa: E402

from contest import create_app  # noqa: E402
from contest.extensions import db  # noqa: E402

SECRET = "bench-secret"
PASSWORD = "mat-khau-bench-2026"
FORM = "application/x-www-form-urlencoded"
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
ATTEMPT_URL = re.compile(r"/attempts/(\d+)$")


def set_passwords(url: str, count: int, method: str) -> list[str]:
    """Give the first `count` contestants a real password hash; returns their e-mails."""
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT id, email FROM users ORDER BY id LIMIT %s", (count,)).fetchall()
        conn.cursor().executemany("UPDATE users SET password_hash = %s WHERE id = %s",
                                  [(generate_password_hash(PASSWORD, method=method), user_id) for user_id, _ in rows])
    return [email for _, email in rows]


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
    return Request("POST", path, body, {"Cookie": who["cookie"], "Content-Type": FORM})


def answer_save(paper: dict, position: int, selected: int, revision: int) -> Request:
    """The JSON save the paper's page sends when an option is ticked."""
    body = json.dumps({"position": position, "selected": [selected], "revision": revision}).encode()
    return Request("POST", f"/attempts/{paper['attempt']}/answers", body,
                   {"Cookie": paper["cookie"], "X-CSRFToken": paper["token"], "Content-Type": "application/json"})


def main() -> None:
    """Seed, serve, then measure each step's peak, the saves' latency at a fixed rate, and memory."""
    cores = os.cpu_count() or 1
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contestants", type=int, default=4000)
    parser.add_argument("--logins", type=int, default=200, help="accounts with a real password hash")
    parser.add_argument("--login-requests", type=int, default=1000)
    parser.add_argument("--papers", type=int, default=3000, help="attempts started, viewed, submitted in phase 1")
    parser.add_argument("--saved-papers", type=int, default=300, help="papers whose 20 answers phase 1 saves")
    parser.add_argument("--open-papers", type=int, default=400, help="papers kept open for phase 2's saves")
    parser.add_argument("--bare-requests", type=int, default=4000)
    parser.add_argument("--board-requests", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=20, help="phase-1 client connections")
    parser.add_argument("--step-seconds", type=float, default=25, help="time limit of each phase-1 step")
    parser.add_argument("--slices", type=int, default=5, help="slices of the save and submit steps, each beside "
                        "a slice of the bare endpoint")
    parser.add_argument("--bare-slice-seconds", type=float, default=1.0)
    parser.add_argument("--open-fraction", type=float, default=0.7)
    parser.add_argument("--open-seconds", type=float, default=20)
    parser.add_argument("--open-connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2 * cores + 1)
    parser.add_argument("--hash-method", default="pbkdf2:sha256:1000")
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    if args.contestants < args.logins + args.papers + args.open_papers or args.saved_papers > args.papers:
        parser.error("need contestants ≥ logins + papers + open-papers and saved-papers ≤ papers")
    rng = random.Random(args.seed)

    with fresh_postgres() as url:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET})
        round_id, user_ids = seed_contest(app, args.contestants)
        emails = set_passwords(url, args.logins, args.hash_method)
        starters = user_ids[args.logins:args.logins + args.papers + args.open_papers]
        with gunicorn_server(url, SECRET, args.workers) as (base, master):
            wait_for_workers(master, args.workers)
            closed_model(base, [Request("GET", "/healthz")] * 1000, args.clients, 15)  # workers booted and warm
            booted_rss = {pid: rss_kib(pid) / 1024 for pid in child_pids(master)}
            print(f"Journey: gunicorn {args.workers} sync workers, PostgreSQL, {cores} cores shared with the client "
                  f"(Python threads); {args.contestants:,} contestants, a 2,000-question bank, 20 questions a paper.")
            print(f"Phase 1, closed model, {args.clients} client connections (no keep-alive: gunicorn sync workers "
                  f"close each connection); latencies here are those of a saturated server:")
            figures, cpu = {}, {}

            def timed(requests: list[Request], seconds: float, used: dict, keep_body: bool = False) -> Run:
                """A closed-model run; adds the CPU it cost, by part, to `used`."""
                before = cpu_snapshot([master])
                run = closed_model(base, requests, args.clients, seconds, keep_body)
                for part, spent in cpu_used(before, cpu_snapshot([master])).items():
                    used[part] = used.get(part, 0.0) + spent
                return run

            def note_cpu(label: str, used: dict, run: Run) -> None:
                cpu[label] = {part: seconds * 1000 / max(1, len(run.done())) for part, seconds in used.items()}

            def step(label: str, requests: list[Request], expected: int, keep_body: bool = False):
                """Run one step at its peak; returns (the run, its figures), and notes where the CPU went."""
                used = {}
                run = timed(requests, args.step_seconds, used, keep_body)
                note_cpu(label, used, run)
                return run, describe(label, run, expected)

            def interleaved(label: str, requests: list[Request], expected: int):
                """A target step run in slices, each beside a slice of the bare endpoint (one before each
                and one after the last): on a shared host whose speed drifts by tens of percent within
                a minute, a ratio means something only if both rates were measured side by side.
                Returns (the step's run, its figures, its ratio to the bare slices' rate)."""
                size = -(-len(requests) // args.slices)
                step_runs, bare_runs, used = [], [], {}

                def bare_slice():
                    bare_runs.append(closed_model(base, [Request("GET", "/healthz")] * 100_000, args.clients,
                                                  args.bare_slice_seconds))
                for start in range(0, len(requests), size):
                    bare_slice()
                    step_runs.append(timed(requests[start:start + size], args.step_seconds / args.slices, used))
                bare_slice()
                run = Run(sum(r.seconds for r in step_runs), [o for r in step_runs for o in r.outcomes])
                bare = Run(sum(r.seconds for r in bare_runs), [o for r in bare_runs for o in r.done()])
                note_cpu(label, used, run)
                figures = describe(label, run, expected)
                describe("  bare endpoint, in the slices beside it", bare, 200)
                ratio = run.rate() / bare.rate()
                print(f"    {len(step_runs)} slices: {label.split(' (')[0]} " + ", ".join(f"{r.rate():.0f}" for r in step_runs)
                      + "/s; bare " + ", ".join(f"{r.rate():.0f}" for r in bare_runs) + f"/s; ratio {ratio:.3f}")
                return run, figures, ratio

            _, figures["bare"] = step("bare endpoint (GET /healthz)", [Request("GET", "/healthz")] * args.bare_requests,
                                      200)

            run, figures["login page"] = step("login page (GET /login)", [Request("GET", "/login")] * args.logins, 200,
                                              keep_body=True)
            forms = []
            for email, outcome in zip(emails, run.outcomes):
                match = outcome and CSRF_FIELD.search(outcome.body.decode())
                if match and session_cookie(outcome.headers):
                    forms.append((email, session_cookie(outcome.headers), match.group(1)))
            logins = [Request("POST", "/login", urlencode({"csrf_token": token, "email": email,
                                                           "password": PASSWORD}).encode(),
                              {"Cookie": f"session={cookie}", "Content-Type": FORM})
                      for n in range(args.login_requests) for email, cookie, token in [forms[n % len(forms)]]]
            _, figures["login"] = step(f"log in (POST /login, {args.hash_method})", logins, 302)

            contestants = [signed_in(user_id) for user_id in starters]
            run, figures["start"] = step("start (POST /rounds/<id>/start)",
                                         [form_post(f"/rounds/{round_id}/start", who) for who in contestants], 302)
            papers = []
            for who, outcome in zip(contestants, run.outcomes):
                match = outcome and outcome.status == 302 and ATTEMPT_URL.search(outcome.location)
                if match:
                    papers.append({**who, "attempt": int(match.group(1))})
            open_papers = papers[len(papers) - args.open_papers:]
            papers = papers[:len(papers) - args.open_papers]

            _, figures["paper"] = step("paper (GET /attempts/<id>)",
                                       [Request("GET", f"/attempts/{p['attempt']}", None, {"Cookie": p["cookie"]})
                                        for p in papers], 200)

            # Position-major: concurrent saves land on different papers, as thousands of contestants' would.
            saves = [answer_save(paper, position, rng.randrange(4), 1)
                     for position in range(20) for paper in papers[:args.saved_papers]]
            _, figures["save"], save_ratio = interleaved("save answer (POST …/answers)", saves, 200)
            run, figures["submit"], submit_ratio = interleaved(
                "submit (POST …/submit)", [form_post(f"/attempts/{p['attempt']}/submit", p) for p in papers], 302)
            papers = [paper for paper, outcome in zip(papers, run.outcomes) if outcome and outcome.status == 302]
            _, figures["result"] = step("result (GET …/result)",
                                        [Request("GET", f"/attempts/{p['attempt']}/result", None,
                                                 {"Cookie": p["cookie"]}) for p in papers], 200)
            _, figures["board"] = step("leaderboard (GET /rounds/<id>/…)",
                                       [Request("GET", f"/rounds/{round_id}/leaderboard", None,
                                                {"Cookie": papers[n % len(papers)]["cookie"]})
                                        for n in range(args.board_requests)], 200)

            print("  CPU per request (ms) — gunicorn workers / PostgreSQL / this client / other processes:")
            for label, c in cpu.items():
                print(f"    {label.split(' (')[0]:<14} {c['app']:6.1f} / {c['db']:5.1f} / {c['client']:4.1f} / "
                      f"{c['others']:5.1f}")
            bare = figures["bare"]["rate"]
            print("  throughput ÷ bare (the run's first bare measurement): " + ", ".join(
                f"{name} {f['rate'] / bare:.3f}" for name, f in figures.items() if name != "bare"))
            print(f"  throughput ÷ the bare slices beside it: save {save_ratio:.3f}, submit {submit_ratio:.3f}")

            rate = args.open_fraction * figures["save"]["rate"]
            count = int(rate * args.open_seconds)
            laps = [(position, paper) for position in range(20) for paper in open_papers]
            requests = [answer_save(paper, position, rng.randrange(4), 1 + n // len(laps))
                        for n in range(count) for position, paper in [laps[n % len(laps)]]]
            print(f"Phase 2, open model: answer saves at {rate:.1f}/s ({args.open_fraction:.0%} of the phase-1 peak) "
                  f"for {args.open_seconds:.0f} s on {len(open_papers)} open papers, up to {args.open_connections} "
                  f"connections; latency from each request's scheduled send time:")
            before = cpu_snapshot([master])
            run = open_model(base, requests, rate, args.open_connections, args.open_seconds + 1)
            used = cpu_used(before, cpu_snapshot([master]))
            open_figures = describe("save answer, fixed arrival rate", run, 200)
            done = run.done()
            print("  CPU per save (ms): gunicorn workers {app:.1f}, PostgreSQL {db:.1f}, this client {client:.1f}, "
                  "other processes {others:.1f}; machine busy {busy:.0%} of {cores} cores".format(
                      **{part: seconds * 1000 / max(1, len(done)) for part, seconds in used.items()},
                      busy=sum(used.values()) / (run.seconds * cores), cores=cores))
            late = sum(1 for o in done if o.latency - o.service > 0.005)
            print(f"  achieved {len(done) / run.seconds:.1f}/s; service time (send to reply) p50 "
                  f"{percentile([o.service * 1000 for o in done], .5):.1f} ms, p99 "
                  f"{percentile([o.service * 1000 for o in done], .99):.1f} ms; {late} of {len(done)} left more "
                  f"than 5 ms after their scheduled time")

            workers = child_pids(master)
            sizes = {pid: rss_kib(pid) / 1024 for pid in workers}
            print(f"Memory (VmRSS): master {rss_kib(master) / 1024:.1f} MB; each worker after the journey "
                  + ", ".join(f"{pid}: {size:.1f} MB" for pid, size in sizes.items())
                  + "; after boot and /healthz only "
                  + ", ".join(f"{size:.1f}" for size in booted_rss.values()) + " MB")

            max_rss = max(sizes.values(), default=0)
            print("Targets:")
            for label, value, target, is_met in [
                ("save ÷ bare ≥ 0.35 (bare slices beside it)", save_ratio, "", save_ratio >= 0.35),
                ("submit ÷ bare ≥ 0.15 (bare slices beside it)", submit_ratio, "", submit_ratio >= 0.15),
                ("save p99 at 70 % of peak ≤ 100 ms", open_figures["p99"], " ms", open_figures["p99"] <= 100),
                ("worker RSS ≤ 100 MB", max_rss, " MB", max_rss <= 100),
            ]:
                print(f"  {label:<44} {value:8.3f}{target:<4} {'met' if is_met else 'MISSED'}")
        with app.app_context():
            db.engine.dispose()  # before the database is dropped


if __name__ == "__main__":
    main()

"""Profile: where a request's worker CPU goes. Seeds a contest on a fresh PostgreSQL database, has
contestants start, answer and submit through the app's own routes (Flask's test client, in this
process), then runs each read step many times under cProfile and prints the CPU per request and the
functions that take it (cumulative). The figures are in-process (no sockets, no gunicorn), so they
say where the time goes, not the rate a server reaches.

Run: .venv/bin/python bench/profile_requests.py [--contestants 300] [--requests 300] [--step board]
"""
import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (autovacuum_pass, cpu_seconds, fresh_postgres, processes_named, seed_contest,  # noqa: E402
                    signed_session)

from contest import create_app  # noqa: E402
from contest.extensions import db  # noqa: E402

SECRET = "bench-secret"


def main() -> None:
    """Seed, play the contestants' attempts, then profile each step."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contestants", type=int, default=300)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--step", action="append", help="start, board, agency-board, result, paper, save, "
                        "submit (default: all; submit needs --contestants of at least six times --requests)")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--drawn-ahead", action="store_true",
                        help="draw the papers ahead of the starts, as bench/rush.py does (flask attempts draw-ahead)")
    args = parser.parse_args()
    steps = args.step or ["start", "board", "agency-board", "result", "paper", "save"]
    with fresh_postgres() as url:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET, "WTF_CSRF_ENABLED": True})
        round_id, user_ids = seed_contest(app, args.contestants)
        if args.drawn_ahead:
            from contest.attempts.ahead import draw_ahead
            from contest.rounds.models import Round
            with app.app_context():
                draw_ahead(db.session.get(Round, round_id), args.contestants)
                db.session.commit()
        client = app.test_client()
        played = []
        profiler = cProfile.Profile(time.process_time)
        began = time.process_time()
        for user_id in user_ids:
            cookie, token = signed_session(SECRET, user_id)
            client.set_cookie("session", cookie)
            profiler.enable()
            response = client.post(f"/rounds/{round_id}/start", data={"csrf_token": token})
            profiler.disable()
            attempt = int(response.headers["Location"].rsplit("/", 1)[1])
            played.append((user_id, cookie, token, attempt))
        if "start" in steps:
            show("start", profiler, (time.process_time() - began) * 1000 / len(user_ids), args.top)
        # Half submit (the board and the result pages), half stay open (the paper and the saves).
        for user_id, cookie, token, attempt in played[: len(played) // 2]:
            client.set_cookie("session", cookie)
            client.post(f"/attempts/{attempt}/submit", data={"csrf_token": token})
        with app.app_context():
            agency_of = dict(db.session.execute(db.text("SELECT id, agency_id FROM users")).all())
        submitted, still_open = played[: len(played) // 2], played[len(played) // 2:]
        paths = {
            "board": lambda n, who: ("GET", f"/rounds/{round_id}/leaderboard", None),
            # Each viewer their own agency's board, as at a round's close (50 agencies: the shared tops
            # are rebuilt as often as they expire).
            "agency-board": lambda n, who: ("GET", f"/rounds/{round_id}/leaderboard?agency={agency_of[who[0]]}", None),
            "result": lambda n, who: ("GET", f"/attempts/{who[3]}/result", None),
            "paper": lambda n, who: ("GET", f"/attempts/{who[3]}", None),
            "save": lambda n, who: ("POST", f"/attempts/{who[3]}/answers",
                                    {"position": n % 20, "selected": [n % 4], "revision": 1 + n // len(still_open)}),
            # Each paper submitted once, the last step run (the open papers are used up).
            "submit": lambda n, who: ("SUBMIT", f"/attempts/{who[3]}/submit", None),
        }
        steps = [step for step in steps if step != "submit"] + (["submit"] if "submit" in steps else [])
        for step in [step for step in steps if step != "start"]:
            people = still_open if step in ("paper", "save", "submit") else submitted
            # Three passes with fresh numbers each (a save's revision must move on): warm the worker's
            # caches, time without the profiler, then profile.
            passes = [[(people[n % len(people)], paths[step](n, people[n % len(people)]))
                       for n in range(start, start + args.requests)] for start in range(0, 3 * args.requests, args.requests)]
            autovacuum_pass(url)  # as a server's autovacuum would have since the papers were played
            for who, (method, path, body) in passes[0][:20]:
                send(client, who, method, path, body)
            began, database_began = time.process_time(), postgres_cpu()
            for who, (method, path, body) in passes[1]:
                assert send(client, who, method, path, body) == 200, (step, path)
            plain_ms = (time.process_time() - began) * 1000 / args.requests
            database_ms = (postgres_cpu() - database_began) * 1000 / args.requests
            profiler = cProfile.Profile(time.process_time)
            began = time.process_time()
            profiler.enable()
            for who, (method, path, body) in passes[2]:
                status = send(client, who, method, path, body)
                assert status == 200, (step, path, status)
            profiler.disable()
            show(step, profiler, (time.process_time() - began) * 1000 / args.requests, args.top, plain_ms, database_ms)
        with app.app_context():
            db.engine.dispose()


def postgres_cpu() -> float:
    """CPU seconds every PostgreSQL process of this machine has used so far (read it on a quiet host)."""
    return sum(cpu_seconds(pid) for pid in processes_named("postgres"))


def show(step: str, profiler: cProfile.Profile, spent_ms: float, top: int, plain_ms: float | None = None,
         database_ms: float | None = None) -> None:
    """Print a step's CPU per request and its profile's top functions (cumulative)."""
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats(os.environ.get("PROFILE_SORT", "cumulative"))
    stats.print_stats(top)
    if os.environ.get("PROFILE_CALLEES"):  # what each named function spends its time in
        stats.print_callees(os.environ["PROFILE_CALLEES"])
    if os.environ.get("PROFILE_CALLERS"):  # who calls each named function
        stats.print_callers(os.environ["PROFILE_CALLERS"])
    plain = f"{plain_ms:.2f} ms CPU per request in process without the profiler " \
        f"(PostgreSQL {database_ms:.2f} ms), " if plain_ms is not None else ""
    print(f"== {step}: {plain}{spent_ms:.2f} ms with it (the profile counts CPU time, not waits)")
    print("\n".join(line for line in out.getvalue().splitlines()[6:] if line.strip()))


def send(client, who, method: str, path: str, body) -> int:
    """One request as the contestant `who` (user id, cookie, token, attempt)."""
    client.set_cookie("session", who[1])
    if method == "GET":
        return client.get(path).status_code
    if method == "SUBMIT":  # the paper's script sends the form and is told where to go in JSON
        return client.post(path, data={"csrf_token": who[2]}, headers={"Accept": "application/json"}).status_code
    return client.post(path, data=json.dumps(body), content_type="application/json",
                       headers={"X-CSRFToken": who[2]}).status_code


if __name__ == "__main__":
    main()

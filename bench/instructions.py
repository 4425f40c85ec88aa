"""Instructions a request costs the worker, counted by valgrind (callgrind): the same figure on every run of the
same code, whatever else the host is doing, so two versions of the code compare to a few tenths of a percent
where timing them on a shared two-core machine moves by ±20 % (docs/PERFORMANCE.md).

Seeds a contest on a fresh PostgreSQL database as bench/profile_requests.py does (half the contestants
submit), then, in this process under valgrind, sends each step's requests through Flask's test client with
the counting switched on for them alone: instructions per request for each step and for the bare endpoint B
(/healthz, which also carries the test client's own share). PostgreSQL's work is in its own processes and
not counted. Counting runs ~50 times slower than the code: a few hundred requests a step are enough.

Run: .venv/bin/python bench/instructions.py [--steps board,agency-board,result,paper] [--requests 100]
     [--agencies 2] (150 submitted a unit: two viewers in three outside their agency's top 50, as in the journey)
Needs Debian's valgrind (it brings callgrind.h) and a C compiler.
"""
import argparse
import ctypes
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import autovacuum_pass, fresh_postgres, seed_contest, signed_session  # noqa: E402

SECRET = "bench-secret"
# Switched on around the measured requests alone (valgrind's client requests, from its own header).
CONTROL = r"""
#include <valgrind/callgrind.h>
void count_start(void) { CALLGRIND_START_INSTRUMENTATION; CALLGRIND_ZERO_STATS; }
void count_dump(const char *name) { CALLGRIND_DUMP_STATS_AT(name); }
void count_stop(void) { CALLGRIND_STOP_INSTRUMENTATION; }
"""
STEPS = ("healthz", "board", "agency-board", "result", "paper")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", default="board,agency-board,result,paper")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--contestants", type=int, default=600)
    parser.add_argument("--agencies", type=int, default=50,
                        help="units the contestants are spread over (fewer: more viewers outside their agency's top 50)")
    args = parser.parse_args()
    steps = ["healthz"] + [step for step in args.steps.split(",") if step != "healthz"]
    unknown = set(steps) - set(STEPS)
    if unknown:
        parser.error(f"unknown steps: {', '.join(sorted(unknown))} (known: {', '.join(STEPS)})")
    if os.environ.get("INSTRUCTIONS_CHILD"):
        measure(steps, args.requests, args.contestants, args.agencies, os.environ["INSTRUCTIONS_CHILD"])
        return
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (Debian: apt-get install valgrind)")
    with tempfile.TemporaryDirectory() as folder:
        library = Path(folder) / "count.so"
        source = Path(folder) / "count.c"
        source.write_text(CONTROL)
        subprocess.run(["cc", "-shared", "-fPIC", "-O1", "-o", str(library), str(source)], check=True)
        out = Path(folder) / "callgrind.out"
        subprocess.run(["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}.%p",
                        sys.executable, __file__, "--steps", ",".join(steps), "--requests", str(args.requests),
                        "--contestants", str(args.contestants), "--agencies", str(args.agencies)],
                       check=True, env={**os.environ, "INSTRUCTIONS_CHILD": str(library)}, stderr=subprocess.DEVNULL)
        counts = {}
        for dump in Path(folder).glob("callgrind.out.*.*"):
            name = total = None
            for line in dump.read_text(errors="replace").splitlines():
                if line.startswith("desc: Trigger:"):
                    name = line.rsplit(":", 1)[1].strip()
                elif line.startswith("summary:"):
                    total = int(line.split()[1])
            if name in steps and total is not None:
                counts[name] = total / args.requests
    bare = counts["healthz"]
    print(f"Instructions per request, in process (Flask's test client), {args.requests} requests a step:")
    for step in steps:
        print(f"  {step:13s} {counts[step] / 1e6:7.3f} M   {counts[step] / bare:5.2f} × B"
              f"   {(counts[step] - bare) / 1e6:7.3f} M beyond B")


def measure(steps: list[str], requests: int, contestants: int, agencies: int, library: str) -> None:
    """Under valgrind: seed, warm each step, then count its requests."""
    from contest import create_app
    from contest.extensions import db
    count = ctypes.CDLL(library)
    with fresh_postgres() as url:
        # Shared tops kept for the run: every request of a step costs what a request costs between rebuilds.
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET, "WTF_CSRF_ENABLED": True,
                          "BOARD_SHARED_SECONDS": 3600, "BOARD_AGENCY_SHARED_SECONDS": 3600})
        round_id, user_ids = seed_contest(app, contestants, agencies=agencies)
        client = app.test_client()
        played = []
        for user_id in user_ids:
            cookie, token = signed_session(SECRET, user_id)
            client.set_cookie("session", cookie)
            response = client.post(f"/rounds/{round_id}/start", data={"csrf_token": token})
            played.append((user_id, cookie, int(response.headers["Location"].rsplit("/", 1)[1]), token))
        submitted, still_open = played[: len(played) // 2], played[len(played) // 2:]
        for _, cookie, attempt, token in submitted:
            client.set_cookie("session", cookie)
            client.post(f"/attempts/{attempt}/submit", data={"csrf_token": token})
        with app.app_context():
            agency_of = dict(db.session.execute(db.text("SELECT id, agency_id FROM users")).all())
        autovacuum_pass(url)
        paths = {"healthz": lambda who: "/healthz",
                 "board": lambda who: f"/rounds/{round_id}/leaderboard",
                 "agency-board": lambda who: f"/rounds/{round_id}/leaderboard?agency={agency_of[who[0]]}",
                 "result": lambda who: f"/attempts/{who[2]}/result",
                 "paper": lambda who: f"/attempts/{who[2]}"}
        for step in steps:
            people = still_open if step == "paper" else submitted

            def send(start: int) -> None:
                for n in range(start, start + requests):
                    who = people[n % len(people)]
                    client.set_cookie("session", who[1])
                    # As the journey's browsers ask: the encoding chosen (zstd) is part of the cost.
                    response = client.get(paths[step](who), headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
                    assert response.status_code == 200, (step, response.status_code)

            send(0)  # warm: the worker's caches, the shared tops, the prepared statements
            count.count_start()
            send(requests)
            count.count_dump(step.encode())
            count.count_stop()


if __name__ == "__main__":
    main()

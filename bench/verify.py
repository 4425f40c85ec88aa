"""Benchmark: `flask scores verify` on the national board's data. One million contestants in 5,000
agencies, five million attempts and their standings (bench/national_board.py's build, by COPY), the
contest standings filled from them in SQL; the round then closed and settled. Then verify_all() is
timed in-process: every check is one SQL statement over the whole tables.

The generated papers carry no attempt_items (questions and answers), so the marks recount finds no
right answer on any paper and reports every paper with a score above 0 (the first 1,000 listed): the
time is that of the full recount all the same, which reads every attempt. The other checks agree.

Run: .venv/bin/python bench/verify.py [--contestants 1000000]
"""
import argparse
import random
import sys
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import fresh_postgres  # noqa: E402
from national_board import build  # noqa: E402

from contest import create_app  # noqa: E402
from contest.scoring.verify import verify_all  # noqa: E402


def close_and_settle(url: str) -> None:
    """The contest standings from the round standings (one round: the same figures), the round closed
    an hour ago and marked settled (its papers are all submitted)."""
    with psycopg.connect(url) as conn:
        conn.execute("INSERT INTO contest_standings (contest_id, user_id, agency_id, agency_path, score, max_score, "
                     "duration_ms, submitted_at, rounds_taken) SELECT 1, user_id, agency_id, agency_path, score, "
                     "max_score, duration_ms, submitted_at, 1 FROM standings WHERE round_id = 1")
        conn.execute("UPDATE rounds SET closes_at = now() AT TIME ZONE 'UTC' - interval '1 hour', "
                     "settled_at = now() AT TIME ZONE 'UTC' WHERE id = 1")
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")


def main() -> None:
    """Build the national data, then time verify_all()."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contestants", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    with fresh_postgres() as url:
        started = time.perf_counter()
        ids = build(url, args.contestants, random.Random(2026))
        close_and_settle(url)
        print(f"{args.contestants:,} contestants, {sum(ids['attempts']):,} attempts, their standings and contest "
              f"standings loaded in {time.perf_counter() - started:.0f} s")
        app = create_app({"DATABASE_URL": url})
        with app.app_context():
            for _ in range(args.runs):
                began = time.perf_counter()
                report = verify_all()
                elapsed = time.perf_counter() - began
                print(f"verify_all(): {elapsed:.1f} s, {len(report):,} lines reported; not about marks: "
                      f"{sum(1 for line in report if not line.startswith(('Bài #', '… và')))}")


if __name__ == "__main__":
    main()

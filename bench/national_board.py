"""Benchmark: the national board. One million contestants in 5,000 agencies (a four-level tree) with
their standings, loaded into a fresh PostgreSQL database with COPY; then the board queries are timed
through the app's own query functions (database and ORM time, no HTTP).

Run: python bench/national_board.py [--contestants 1000000] [--repeat 30]
"""
import argparse
import io
import random
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import fresh_postgres  # noqa: E402

from contest import create_app  # noqa: E402
from contest.agencies.models import Agency  # noqa: E402
from contest.extensions import db  # noqa: E402
from contest.judging.queries import agency_table  # noqa: E402
from contest.leaderboards.models import Standing  # noqa: E402
from contest.leaderboards.queries import board_page, rank_of  # noqa: E402
from contest.rounds.models import Round  # noqa: E402


def copy_rows(conn, table: str, columns: list[str], rows) -> None:
    """COPY rows (tuples) into a table."""
    with conn.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def build(url: str, contestants: int, rng: random.Random) -> dict:
    """Agencies 1 → 40 → 400 → 4,559 (5,000 in all), users, one round, standings; returns ids to query."""
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    with psycopg.connect(url) as conn:
        agencies, next_id = [], 1
        def add(parent, level, headcount):
            nonlocal next_id
            agency_id = next_id
            next_id += 1
            path = (parent[2] if parent else "/") + f"{agency_id}/"
            agencies.append((agency_id, f"A{agency_id}", f"Đơn vị {agency_id}", parent[0] if parent else None,
                             level, headcount, path, ""))
            return (agency_id, level, path)
        root = add(None, 1, 500)
        level2 = [add(root, 2, 300) for _ in range(40)]
        level3 = [add(rng.choice(level2), 3, 150) for _ in range(400)]
        leaves = [add(rng.choice(level3), 4, 250) for _ in range(5000 - 441)]
        copy_rows(conn, "agencies", ["id", "code", "name", "parent_id", "level", "headcount", "path", "group_name"],
                  agencies)
        conn.execute("SELECT setval('agencies_id_seq', %s)", (next_id,))
        conn.execute("INSERT INTO question_banks (id, name, revision, created_at) VALUES (1, 'B', 0, %s)", (now,))
        conn.execute("INSERT INTO contests (id, slug, title, rules_text, overall_rule, name_mask, agency_min_rate, "
                     "agency_formula, agency_rate_weight, is_one_prize_per_person, created_at) "
                     "VALUES (1, 'n', 'Quốc gia', '', 'sum', 'initials', 0, 'rate_and_score', 0.5, true, %s)", (now,))
        conn.execute("INSERT INTO rounds (id, contest_id, bank_id, name, opens_at, closes_at, time_limit_seconds, "
                     "question_count, counting_rule, quotas, prediction_prompt, is_all_required, review_policy, "
                     "created_at) VALUES (1, 1, 1, 'Tuần 1', %s, %s, 900, 20, 'best', '[]', '', false, "
                     "'after_close', %s)", (now - timedelta(days=1), now + timedelta(days=6), now))
        members = [rng.choice(leaves) if rng.random() < 0.9 else rng.choice(level3 + level2) for _ in range(contestants)]
        copy_rows(conn, "users", ["id", "full_name", "email", "role", "stream", "password_hash", "agency_id", "created_at"],
                  ((n, f"Thí sinh {n}", f"t{n}@x.vn", "contestant", "CBCCVC", "x", members[n - 1][0], now)
                   for n in range(1, contestants + 1)))
        # Scores skewed high as in real rounds (most papers near perfect); attempt ids are placeholders.
        conn.execute("ALTER TABLE standings DROP CONSTRAINT fk_standings_attempt_id_attempts")
        copy_rows(conn, "standings", ["round_id", "user_id", "agency_id", "agency_path", "attempt_id", "score",
                                      "max_score", "duration_ms", "submitted_at", "frozen_score",
                                      "frozen_duration_ms", "frozen_submitted_at"],
                  ((1, n, members[n - 1][0], members[n - 1][2], n, score, 20, duration, submitted, score, duration,
                    submitted)
                   for n in range(1, contestants + 1)
                   for score in [min(20, int(rng.betavariate(6, 1.2) * 21))]
                   for duration in [rng.randint(60_000, 900_000)]
                   for submitted in [now - timedelta(seconds=rng.randint(0, 86_400))]))
        conn.execute("ANALYZE")
        conn.commit()
    return {"leaf": leaves[0][0], "district": level3[0][0], "province_dept": level2[0][0], "root": root[0]}


def timed(label: str, function, repeat: int) -> None:
    """Run a query function repeatedly and print its p50 and p95."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    print(f"  {label:<52} p50 {statistics.median(samples):7.1f} ms   p95 {samples[int(0.95 * len(samples)) - 1]:7.1f} ms")


def main() -> None:
    """Build the national data, then time the board queries."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--contestants", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    rng = random.Random(2026)
    with fresh_postgres() as url:
        started = time.perf_counter()
        ids = build(url, args.contestants, rng)
        print(f"{args.contestants:,} contestants, 5,000 agencies, standings loaded in {time.perf_counter() - started:.0f} s")
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
        with app.app_context():
            round_ = db.session.get(Round, 1)
            for label, agency_id in [("whole country", None), ("level-2 agency (~25,000 people)", ids["province_dept"]),
                                     ("level-3 agency (~2,500)", ids["district"]), ("leaf agency (~200)", ids["leaf"])]:
                agency = db.session.get(Agency, agency_id) if agency_id else None
                viewer = db.session.scalar(db.select(Standing).where(
                    Standing.round_id == 1, *( [Standing.agency_path.like(f"{agency.path}%")] if agency else []))
                    .order_by(Standing.score, Standing.duration_ms.desc()).limit(1))  # near the bottom
                timed(f"top 50 + own rank, {label}",
                      lambda: (board_page(round_, "live", agency, None, 50), rank_of(viewer, agency)), args.repeat)
            page = board_page(round_, "live", None, None, 50)
            cursor = None
            for _ in range(200):  # walk 10,000 rows down to get a deep cursor
                page = board_page(round_, "live", None, cursor, 50)
                cursor = page.next_cursor
            timed("a page 10,000 rows deep (keyset)", lambda: board_page(round_, "live", None, cursor, 50), args.repeat)
            timed("agency table, 5,000 agencies", lambda: agency_table(1), max(3, args.repeat // 10))
            db.session.rollback()


if __name__ == "__main__":
    main()

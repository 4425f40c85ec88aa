"""Benchmark: the judges' integrity page on a round that gives everyone the same questions.

A round of 20 questions drawn from a bank of exactly 20, so every paper holds the same questions
(shuffled, with shuffled options): the case where a key of score and question set makes nearly every
paper a candidate for "identical papers". --papers contestants each submit one paper, answered as a
crowd does (each question right with its own probability, 35-97 %; a wrong answer picks the popular
wrong option most often; a few left blank), and --rings groups of three accounts hand in one paper
between them (the copying the signal is for). Loaded with COPY into a fresh PostgreSQL database.

Timed in process (the page's queries and Python, no HTTP): identical_papers alone and the whole
report, --runs times each; printed with the groups found and how many of the planted rings are among
them (all of them, or the signal is broken).

Run: .venv/bin/python bench/integrity.py [--papers 20000] [--rings 5] [--runs 3]
"""
import argparse
import json
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import fresh_postgres, seed_contest  # noqa: E402

from contest import create_app  # noqa: E402

QUESTIONS = 20


def crowd_paper(rng: random.Random, rights: list[float]) -> list[int | None]:
    """The stored option a contestant picks for each question (None: left blank); option 0 is right
    (seed_contest's questions are right at n % 4: mapped when written)."""
    picks = []
    for right in rights:
        roll = rng.random()
        picks.append(None if roll > 0.97 else 0 if roll < right * 0.97 else rng.choices([1, 2, 3], [6, 3, 1])[0])
    return picks


def load(url: str, round_id: int, user_ids: list[int], papers: int, rings: int, rng: random.Random) -> list[set]:
    """Attempts and their items by COPY; returns the planted rings as sets of attempt ids."""
    with psycopg.connect(url) as conn:
        questions = conn.execute("SELECT id, correct FROM questions ORDER BY id").fetchall()
        now = conn.execute("SELECT opens_at FROM rounds WHERE id = %s", (round_id,)).fetchone()[0]
        rights = [0.35 + 0.62 * rng.random() for _ in questions]
        answers = [crowd_paper(rng, rights) for _ in range(papers)]
        ring_ids = []
        for ring in range(rings):  # three accounts, one paper, at least one answer wrong
            first = 3 * ring
            answers[first][ring % QUESTIONS] = 1
            answers[first + 1] = answers[first + 2] = list(answers[first])
            ring_ids.append({first + 1, first + 2, first + 3})
        attempts, items = [], []
        for number, (user_id, paper) in enumerate(zip(user_ids, answers), start=1):
            started = now + timedelta(seconds=rng.randint(0, 86_400))
            order = rng.sample(range(QUESTIONS), QUESTIONS)
            score = 0
            for position, index in enumerate(order):
                question_id, correct = questions[index]
                pick = paper[index]
                stored = None if pick is None else (correct[0] + pick) % 4  # pick 0 is the right option
                choice_order = rng.sample(range(4), 4)
                is_correct = stored == correct[0]
                score += is_correct
                selected = None if stored is None else json.dumps([choice_order.index(stored)])
                items.append((number, position, question_id, json.dumps(choice_order), selected, 1, is_correct))
            duration = rng.randint(120_000, 900_000)
            attempts.append((number, user_id, round_id, 1, number, started, started + timedelta(minutes=15),
                             started + timedelta(milliseconds=duration), score, QUESTIONS, duration, False,
                             "10.%d.%d.%d" % (number >> 16 & 255, number >> 8 & 255, number & 255), f"d{number}"))
        with conn.cursor().copy("COPY attempts (id, user_id, round_id, number, seed, started_at, deadline_at, "
                                "submitted_at, score, max_score, duration_ms, is_auto_submitted, client_ip, "
                                "device_id) FROM STDIN") as copy:
            for row in attempts:
                copy.write_row(row)
        with conn.cursor().copy("COPY attempt_items (attempt_id, position, question_id, choice_order, selected, "
                                "revision, is_correct) FROM STDIN") as copy:
            for row in items:
                copy.write_row(row)
        conn.execute("SELECT setval('attempts_id_seq', %s)", (len(attempts),))
        conn.execute("ANALYZE")
    return ring_ids


def timed(function, runs: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(runs):
        began = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - began)
    return times, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=20_000)
    parser.add_argument("--rings", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(19)
    with fresh_postgres() as url:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
        round_id, user_ids = seed_contest(app, args.papers, questions=QUESTIONS)
        rings = load(url, round_id, user_ids, args.papers, args.rings, rng)
        from contest.integrity.queries import identical_papers, integrity_report
        with app.app_context():
            identical, groups = timed(lambda: identical_papers(round_id), args.runs)
            whole, _ = timed(lambda: integrity_report(round_id), args.runs)
        found = [{paper.attempt_id for paper in group.papers} for group in groups]
        caught = sum(any(ring <= group for group in found) for ring in rings)
        print(f"Integrity page, one round of {args.papers:,} papers with the same {QUESTIONS} questions "
              f"({args.runs} runs each, in process):")
        print(f"  identical papers: median {statistics.median(identical) * 1000:.0f} ms "
              f"[{min(identical) * 1000:.0f}-{max(identical) * 1000:.0f}]; {len(groups)} groups, "
              f"{sum(len(group) for group in found)} papers; planted rings found {caught} of {len(rings)}")
        print(f"  whole report: median {statistics.median(whole) * 1000:.0f} ms "
              f"[{min(whole) * 1000:.0f}-{max(whole) * 1000:.0f}]")


if __name__ == "__main__":
    main()

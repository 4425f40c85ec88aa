"""Benchmark: import a 10,000-question .xlsx through `flask questions import`, on SQLite and PostgreSQL.

Prints the time to read and check the file and the time for the whole command (read, store,
commit). Not a test: run it by hand, `python bench/import_bank.py [--count 10000] [--postgres URL]`.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
from openpyxl import Workbook

from questions.formats import read_bank

ROOT = Path(__file__).resolve().parent.parent
HEADER = ["STT", "Chủ đề", "Câu hỏi", "Phương án A", "Phương án B", "Phương án C", "Phương án D",
          "Đáp án", "Căn cứ", "Mức độ", "Đối tượng", "Giải thích"]


def make_bank(path: Path, count: int) -> None:
    """A realistic bank: Vietnamese text, four options, a citation per row."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["NGÂN HÀNG CÂU HỎI CUỘC THI TÌM HIỂU KIỂM SOÁT THỦ TỤC HÀNH CHÍNH"])
    sheet.append(HEADER)
    for n in range(1, count + 1):
        sheet.append([n, f"Chủ đề {n % 7 + 1}", f"Câu hỏi số {n}: theo quy định về kiểm soát thủ tục hành chính, "
                      f"thời hạn giải quyết trong trường hợp {n} là bao lâu?",
                      f"{n % 30 + 1:02d} ngày làm việc", f"{n % 30 + 2:02d} ngày làm việc",
                      f"{n % 30 + 3:02d} ngày làm việc", "Không quy định", "ABCD"[n % 4],
                      f"Khoản {n % 5 + 1} Điều {n % 37 + 1} Nghị định 63/2010/NĐ-CP",
                      ["Dễ", "Trung bình", "Khó"][n % 3], "CBCCVC", "Giải thích ngắn."])
    book.save(path)


def timed_import(path: Path, database_url: str) -> float:
    """Seconds for `flask db upgrade` excluded: only the import command, on a migrated database."""
    env = {**os.environ, "DATABASE_URL": database_url}
    flask = [sys.executable, "-m", "flask", "--app", "contest"]
    subprocess.run([*flask, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    started = time.perf_counter()
    result = subprocess.run([*flask, "questions", "import", str(path), "--bank", "Bench"], env=env, cwd=ROOT,
                            capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode:
        sys.exit(result.stderr)
    print(f"    {result.stdout.strip().splitlines()[0]}")
    return elapsed


def main() -> None:
    """Build the file, then time reading it and importing it on each database."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--postgres", default=os.environ.get("TEST_POSTGRES_URL",
                                                             "postgresql://postgres@127.0.0.1:5432/postgres"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "bank.xlsx"
        make_bank(path, args.count)
        print(f"{args.count} questions, {path.stat().st_size / 1e6:.1f} MB .xlsx")
        started = time.perf_counter()
        records = read_bank(path)
        print(f"  read and check (questions.formats.read_bank): {time.perf_counter() - started:.2f} s "
              f"for {len(records)} questions")
        timings = {"SQLite": timed_import(path, f"sqlite:///{directory}/bench.db")}
        print(f"  flask questions import, SQLite: {timings['SQLite']:.2f} s")
        name = f"contest_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(args.postgres, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            url = args.postgres.rsplit("/", 1)[0] + f"/{name}"
            timings["PostgreSQL"] = timed_import(path, url)
            print(f"  flask questions import, PostgreSQL: {timings['PostgreSQL']:.2f} s")
        finally:
            with psycopg.connect(args.postgres, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print("Targets:")
    for database, seconds in timings.items():
        print(f"  {args.count:,}-question import ≤ 10 s, {database}: {seconds:.2f} s "
              f"{'met' if seconds <= 10 else 'MISSED'}")


if __name__ == "__main__":
    main()

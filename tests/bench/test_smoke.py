"""Smoke runs of every benchmark at a tiny size: each script still runs end to end against gunicorn
and PostgreSQL and its correctness checks hold. The figures of so small a run mean nothing and are
not asserted; the full runs are in README. Run by scripts/test after the database suites (-m bench)."""
import os
import shutil
import subprocess
import sys

import psycopg
import pytest

from contest.config import PROJECT_ROOT
from tests.conftest import POSTGRES_URL, skip_or_fail

pytestmark = pytest.mark.bench


@pytest.fixture(scope="module", autouse=True)
def postgres_reachable():
    try:
        psycopg.connect(POSTGRES_URL, connect_timeout=5).close()
    except psycopg.OperationalError as error:
        skip_or_fail(f"PostgreSQL is not reachable at {POSTGRES_URL} ({error.__class__.__name__}); "
                     "start it or set TEST_POSTGRES_URL to run the benchmark smoke runs")


def run_bench(script: str, *args: str) -> str:
    """Run bench/<script> with arguments; fail with its output unless it exits 0. Returns stdout."""
    env = {**os.environ, "TEST_POSTGRES_URL": POSTGRES_URL}
    result = subprocess.run([sys.executable, f"bench/{script}", *args], cwd=PROJECT_ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{script} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def measured_lines(output: str) -> list[str]:
    """The lines that report a measured step (rate, percentiles, failures)."""
    return [line for line in output.splitlines() if " failed " in line and "/s " in line]


def test_the_journey_runs_every_step_through_wrk_without_a_failed_request():
    output = run_bench("journey.py", "--contestants", "90", "--logins", "10", "--papers", "40", "--saved-papers",
                       "10", "--bg-papers", "20", "--bg-save-papers", "10", "--connections", "4", "--threads", "1",
                       "--slices", "1", "--slice-seconds", "1", "--get-requests", "300", "--bg-submits", "10",
                       "--bg-saves", "30", "--bg-connections", "8", "--workers", "2", "--warmup-seconds", "1",
                       "--load-boards", "board", "--questions", "100")
    steps = [line for line in output.splitlines() if " failed " in line and "/s " in line]
    # log in, start, paper, save, submit, result, the two boards, the board under background load
    assert len(steps) == 9, output
    assert all(" failed 0" in line for line in steps), "\n".join(steps)
    assert output.count("÷ B: median") == 9 and "wrk " in output
    assert "background: " in output and ", 0 failed;" in output.split("background: ")[1].splitlines()[0]
    assert "board under load" in output.split("Targets")[1]


def test_the_rush_stores_one_whole_paper_per_contestant():
    output = run_bench("rush.py", "--contestants", "30", "--rate", "60", "--workers", "2")
    assert "30 succeeded (302 to /attempts/<id>), 0 failed" in output
    assert "Database: 30 attempts for 30 contestants, 600 items, 0 attempts without exactly 20 items" in output


def test_the_national_board_loads_and_serves_every_board():
    output = run_bench("national_board.py", "--contestants", "3000", "--requests", "5", "--submissions", "5",
                       "--workers", "1")
    assert "3,000 contestants, 5,000 agencies" in output
    boards = measured_lines(output)
    assert len(boards) == 8  # bare, four scopes, tied at the top, a deep page, the agency table
    assert all(line.rstrip().endswith("failed 0") for line in boards), "\n".join(boards)
    assert "standings update ≤ 2 ms database time" in output


def test_the_import_benchmark_imports_every_question_on_both_databases():
    output = run_bench("import_bank.py", "--count", "100")
    assert output.count("Đã nhập 100 câu hỏi") == 2


def test_two_instances_agree_with_a_recount():
    output = run_bench("two_instances.py", "--contestants", "10", "--clients", "4", "--workers", "1")
    assert "Result: all agree" in output


def test_the_one_worker_start_benchmark_starts_every_attempt():
    output = run_bench("starts.py", "--starts", "20")
    assert "start attempt" in output and "failures 0" in output.split("start attempt")[1].splitlines()[0]


def test_the_network_benchmark_loads_both_pages_cold_and_warm_on_both_networks():
    output = run_bench("network.py", "--runs", "1", "--contestants", "5", "--workers", "2")
    lines = [line for line in output.splitlines() if line.startswith(("Slow 3G", "Fast 3G"))]
    assert len(lines) == 8, output
    # A warm load fetches only the page: the style sheet and scripts come from the browser's cache.
    warm = [line.split() for line in lines if " warm " in line]
    assert all(int(fields[-2]) == 1 for fields in warm), output
    assert "load of a working paper" in output


def test_the_live_event_reaches_every_device_and_counts_every_answer():
    output = run_bench("live.py", "--devices", "20", "--questions", "2", "--seconds", "3", "--instances", "2",
                       "--workers", "2")
    assert "Result: all correct" in output
    assert "0 (device, question) pairs missing an open or a locked state" in output
    assert "KiB per connected device" in output


def test_the_verify_benchmark_times_a_recount_that_agrees_beyond_the_missing_items():
    output = run_bench("verify.py", "--contestants", "2000")
    assert "2,000 contestants" in output
    assert "verify_all():" in output and "not about marks: 0" in output


def test_the_integrity_benchmark_finds_every_planted_ring_of_identical_papers():
    output = run_bench("integrity.py", "--papers", "600", "--rings", "4", "--runs", "1")
    assert "planted rings found 4 of 4" in output, output


def test_the_instruction_count_counts_each_step_apart_from_the_bare_endpoint():
    if shutil.which("valgrind") is None or shutil.which("cc") is None:
        skip_or_fail("valgrind and a C compiler count the instructions (Debian: valgrind, gcc)")
    output = run_bench("instructions.py", "--contestants", "12", "--requests", "3", "--steps", "board,result")
    counts = {line.split()[0]: float(line.split()[1]) for line in output.splitlines() if " × B" in line}
    assert set(counts) == {"healthz", "board", "result"}, output
    # Counted around each step's own requests: a page that reads the database and renders costs more than B.
    assert 0 < counts["healthz"] < counts["result"] and counts["healthz"] < counts["board"], output

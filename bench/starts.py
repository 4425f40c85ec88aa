"""Benchmark: how many attempt starts per second one gunicorn sync worker sustains on PostgreSQL.

Each request is a real POST /rounds/<id>/start from a distinct logged-in contestant: it draws 20
questions from a 2,000-question bank, shuffles them and inserts the attempt. Closed model: N client
threads each send their next start as soon as the previous answers. Also times a bare endpoint
(/healthz: no session, no database) with the same server and client, for the ratio.
Run: python bench/starts.py [--starts 2000] [--clients 4]
"""
import argparse
import http.client
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import fresh_postgres, gunicorn, seed_contest, signed_session  # noqa: E402

from contest import create_app  # noqa: E402


def hammer(base: str, requests: list[tuple[str, str, bytes, dict]], clients: int) -> tuple[float, list[float], int]:
    """Send the requests from `clients` keep-alive connections; returns (seconds, latencies, failures)."""
    host, port = base.removeprefix("http://").split(":")
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    queue = list(reversed(requests))

    def worker():
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        while True:
            with lock:
                if not queue:
                    break
                method, path, body, headers = queue.pop()
            started = time.perf_counter()
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if response.status >= 400:
                    failures[0] += 1
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies, failures[0]


def report(label: str, seconds: float, latencies: list[float], failures: int) -> float:
    """Print throughput and percentiles; return the throughput."""
    latencies.sort()
    rate = len(latencies) / seconds
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    print(f"  {label:<28} {rate:8.1f}/s   p50 {pick(.5):6.1f} ms   p95 {pick(.95):6.1f} ms   "
          f"p99 {pick(.99):6.1f} ms   failures {failures}")
    return rate


def main() -> None:
    """Seed, serve with one worker, then time bare requests and starts."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--starts", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    secret = "bench-secret"
    with fresh_postgres() as url:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": secret})
        round_id, users = seed_contest(app, args.starts)
        starts = []
        for user_id in users:
            cookie, token = signed_session(secret, user_id)
            starts.append(("POST", f"/rounds/{round_id}/start", f"csrf_token={token}".encode(),
                           {"Cookie": f"session={cookie}", "Content-Type": "application/x-www-form-urlencoded"}))
        bare = [("GET", "/healthz", None, {})] * args.starts
        with gunicorn(url, secret, workers=1) as base:
            hammer(base, bare[:200], args.clients)  # warm up
            print(f"One sync worker, PostgreSQL, {args.clients} client connections, {args.starts} requests each:")
            bare_rate = report("bare endpoint (/healthz)", *hammer(base, bare, args.clients))
            start_rate = report("start attempt (20 of 2,000)", *hammer(base, starts, args.clients))
            print(f"  starts ÷ bare: {start_rate / bare_rate:.2f}")


if __name__ == "__main__":
    main()

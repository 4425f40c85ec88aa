"""Load generators for the HTTP benchmarks, standard library only (http.client and threads).

closed_model: N connections, each sending its next request as soon as the previous one answers;
it finds the peak throughput, and its latencies are those of a saturated server.
open_model: requests leave at a fixed arrival rate whatever the server does, and each latency is
measured from the request's scheduled send time, so time spent queued behind a slow response
counts (no coordinated omission).

Both stop at the end of their request list or their time limit, whichever comes first. gunicorn's
sync workers close the connection after every response (no keep-alive), so each request opens a
new TCP connection; http.client reconnects by itself.
"""
import http.client
import math
import threading
import time
from dataclasses import dataclass, field
from typing import NamedTuple

SOCKET_TIMEOUT = 30


class Request(NamedTuple):
    """One HTTP request to send."""

    method: str
    path: str
    body: bytes | None = None
    headers: dict | None = None


@dataclass
class Outcome:
    """What one request got back. status 0: the connection failed or timed out."""

    status: int
    latency: float  # seconds; in the open model, from the scheduled send time
    service: float  # seconds from the actual send to the end of the response
    location: str = ""
    body: bytes = b""
    headers: list = field(default_factory=list)


@dataclass
class Run:
    """The outcomes of one load run, by request index (None: not sent before the time limit)."""

    seconds: float
    outcomes: list

    def done(self) -> list[Outcome]:
        """The requests that were sent."""
        return [outcome for outcome in self.outcomes if outcome is not None]

    def rate(self) -> float:
        """Completed requests per second."""
        return len(self.done()) / self.seconds if self.seconds else 0.0


def _address(base: str) -> tuple[str, int]:
    host, port = base.removeprefix("http://").split(":")
    if host != "127.0.0.1":
        raise ValueError("the benchmarks only target 127.0.0.1")
    return host, int(port)


def send(conn: http.client.HTTPConnection, request: Request, keep_body: bool = False) -> tuple:
    """Send one request on a connection; returns (status, Location, body, headers), status 0 on error."""
    try:
        conn.request(request.method, request.path, body=request.body, headers=request.headers or {})
        response = conn.getresponse()
        body = response.read()
        return (response.status, response.getheader("Location", ""), body if keep_body else b"",
                response.getheaders() if keep_body else [])
    except (OSError, http.client.HTTPException):
        conn.close()
        return 0, "", b"", []


def closed_model(base: str, requests: list[Request], clients: int, time_limit: float,
                 keep_body: bool = False) -> Run:
    """Send the requests from `clients` connections, each waiting for its previous answer."""
    host, port = _address(base)
    outcomes: list[Outcome | None] = [None] * len(requests)
    lock = threading.Lock()
    cursor = [0]
    started = time.perf_counter()
    deadline = started + time_limit

    def worker():
        conn = http.client.HTTPConnection(host, port, timeout=SOCKET_TIMEOUT)
        while True:
            with lock:
                index = cursor[0]
                cursor[0] += 1
            if index >= len(requests) or time.perf_counter() > deadline:
                break
            sent = time.perf_counter()
            status, location, body, headers = send(conn, requests[index], keep_body)
            elapsed = time.perf_counter() - sent
            outcomes[index] = Outcome(status, elapsed, elapsed, location, body, headers)
        conn.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Run(time.perf_counter() - started, outcomes)


def open_model(base: str, requests: list[Request], rate: float, connections: int, time_limit: float,
               keep_body: bool = False) -> Run:
    """Send request i at start + i/rate from a pool of `connections`; latency counts from that time.

    If every connection is busy when a request is due, it waits for one and the wait is part of
    its latency, as it would be in the server's queue.
    """
    host, port = _address(base)
    outcomes: list[Outcome | None] = [None] * len(requests)
    lock = threading.Lock()
    cursor = [0]
    previous_stack = threading.stack_size(256 * 1024)  # up to a thousand mostly idle threads
    started = time.perf_counter() + 0.3  # let the threads start first

    def worker():
        conn = http.client.HTTPConnection(host, port, timeout=SOCKET_TIMEOUT)
        while True:
            with lock:
                index = cursor[0]
                cursor[0] += 1
            scheduled = started + index / rate
            if index >= len(requests) or scheduled - started > time_limit:
                break
            delay = scheduled - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            sent = time.perf_counter()
            status, location, body, headers = send(conn, requests[index], keep_body)
            finished = time.perf_counter()
            outcomes[index] = Outcome(status, finished - scheduled, finished - sent, location, body, headers)
        conn.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    threading.stack_size(previous_stack)
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Run(time.perf_counter() - started, outcomes)


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile of the values (any order); 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]


def describe(label: str, run: Run, expected: int, note: str = "") -> dict:
    """Print one line (rate, p50/p95/p99, failures) and return the figures.

    A failure is any status other than `expected`, including a failed connection (status 0).
    """
    done = run.done()
    latencies = [outcome.latency * 1000 for outcome in done]
    failures: dict[int, int] = {}
    for outcome in done:
        if outcome.status != expected:
            failures[outcome.status] = failures.get(outcome.status, 0) + 1
    figures = {"rate": run.rate(), "p50": percentile(latencies, .50), "p95": percentile(latencies, .95),
               "p99": percentile(latencies, .99), "count": len(done), "failures": sum(failures.values()),
               "unsent": len(run.outcomes) - len(done)}
    failed = ", ".join(f"{count}×{status or 'conn'}" for status, count in sorted(failures.items())) or "0"
    print(f"  {label:<40} {figures['rate']:8.1f}/s  p50 {figures['p50']:7.1f} ms  p95 {figures['p95']:7.1f} ms  "
          f"p99 {figures['p99']:7.1f} ms  n={len(done)}  failed {failed}"
          + (f"  unsent {figures['unsent']}" if figures["unsent"] else "") + (f"  {note}" if note else ""))
    return figures

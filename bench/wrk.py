"""wrk, the compiled load client (Debian's `wrk`), driven from Python: closed-model runs of prepared
requests, with the client's own CPU per request, and slices of a step measured beside slices of the
bare endpoint with the workers let go idle in between.

Why wrk: a Python client spends about as much CPU per bare request as the server does, so the bare
rate it divides by is held down by the client, not the server (issue 19). wrk's CPU per request is
reported with every run, so a reader can check that it stays small beside the server's.
"""
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from common import child_pids, cpu_seconds, processes_named
from load import Request

SCRIPT = Path(__file__).resolve().parent / "wrk_requests.lua"


def wrk_path() -> str:
    """The wrk binary, or an error saying how to install it."""
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (scripts/test installs it when it can)")
    return path


@dataclass
class WrkRun:
    """What one wrk run measured."""

    requests: int
    seconds: float
    statuses: dict[int, int]
    errors: dict[str, int]
    p50_ms: float
    p90_ms: float
    p99_ms: float
    client_cpu: float  # seconds of CPU wrk used
    server_cpu: dict = field(default_factory=dict)  # seconds: "app" (workers), "db" (PostgreSQL)
    exhausted: bool = False

    def rate(self) -> float:
        """Completed requests per second."""
        return self.requests / self.seconds if self.seconds else 0.0

    def per_request_ms(self, part: str) -> float:
        """CPU milliseconds per request spent by wrk ("client") or by a server part ("app", "db")."""
        spent = self.client_cpu if part == "client" else self.server_cpu.get(part, 0.0)
        return spent * 1000 / max(1, self.requests)

    def unexpected(self, expected: int) -> int:
        """Responses with another status than `expected`, plus socket errors other than the server closing."""
        return sum(n for status, n in self.statuses.items() if status != expected) \
            + self.errors.get("timeout", 0) + self.errors.get("connect", 0)


def _write_requests(requests: list[Request], path: Path) -> None:
    with path.open("w") as out:
        for request in requests:
            headers = "\x1f".join(f"{name}: {value}" for name, value in (request.headers or {}).items())
            body = (request.body or b"").decode()
            assert "\t" not in body and "\n" not in body and "\t" not in request.path
            out.write(f"{request.method}\t{request.path}\t{headers}\t{body}\n")


def _parse(output: str) -> dict:
    for line in output.splitlines():
        if line.startswith("WRKRESULT "):
            return dict(part.split("=", 1) for part in line.split()[1:])
    raise RuntimeError(f"wrk printed no result:\n{output}")


def run_wrk(base: str, requests: list[Request], seconds: float, connections: int = 32, threads: int = 2,
            masters: list[int] | None = None) -> WrkRun:
    """Send `requests` (each at most once) through wrk for `seconds`, closed model; with the gunicorn
    masters given, also the CPU their workers and PostgreSQL spent meanwhile. A reply slower than
    10 s counts as a timeout (wrk's default, 2 s, failed slow pages on a host shared at load 12)."""
    with tempfile.TemporaryDirectory() as directory:
        listing = Path(directory) / "requests.tsv"
        _write_requests(requests, listing)
        before = _server_cpu_by_process(masters or [])
        process = subprocess.Popen(
            [wrk_path(), "-t", str(threads), "-c", str(connections), "-d", f"{max(1, round(seconds))}s",
             "--latency", "--timeout", "10s", "-s", str(SCRIPT), base, "--", str(listing), str(threads)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        output = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        after = _server_cpu_by_process(masters or [])
    if process.returncode != 0:
        raise RuntimeError(f"wrk failed ({process.returncode}):\n{output}")
    result = _parse(output)
    statuses = {int(code): int(n) for code, n in
                (pair.split(":") for pair in result["statuses"].split(",") if pair)}
    return WrkRun(
        requests=int(result["requests"]), seconds=int(result["duration_us"]) / 1e6, statuses=statuses,
        errors={kind: int(result[f"errors_{kind}"]) for kind in ("connect", "read", "write", "timeout")},
        p50_ms=int(result["p50_us"]) / 1000, p90_ms=int(result["p90_us"]) / 1000,
        p99_ms=int(result["p99_us"]) / 1000, client_cpu=usage.ru_utime + usage.ru_stime,
        server_cpu=_spent(before, after), exhausted=result["exhausted"] != "0")


def _server_cpu(masters: list[int]) -> dict[str, float]:
    return {"app": sum(cpu_seconds(pid) for master in masters for pid in child_pids(master)),
            "db": sum(cpu_seconds(pid) for pid in processes_named("postgres"))}


def _server_cpu_by_process(masters: list[int]) -> dict[str, dict[int, float]]:
    return {"app": {pid: cpu_seconds(pid) for master in masters for pid in child_pids(master)},
            "db": {pid: cpu_seconds(pid) for pid in processes_named("postgres")}}


def _spent(before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]) -> dict[str, float]:
    """CPU seconds spent between two readings, by part, counting only processes alive at both (a
    PostgreSQL backend that ended took its CPU time with it; one that began counts from zero)."""
    return {part: sum(seconds - before[part].get(pid, 0.0) for pid, seconds in after[part].items())
            for part in after}


def wait_idle(masters: list[int], quiet_ms: float = 2.0, window: float = 0.1, limit: float = 10.0) -> None:
    """Wait until the workers of `masters` spend under `quiet_ms` of CPU in a `window`: requests still
    queued when a slice ends would otherwise spill into the next slice and lower it."""
    deadline = time.monotonic() + limit
    previous = _server_cpu(masters)["app"]
    while time.monotonic() < deadline:
        time.sleep(window)
        current = _server_cpu(masters)["app"]
        if (current - previous) * 1000 < quiet_ms:
            return
        previous = current


@dataclass
class Sliced:
    """A step measured in slices, each beside a slice of the bare endpoint."""

    label: str
    step: list[WrkRun]
    bare: list[WrkRun]

    def ratios(self) -> list[float]:
        """Each slice's rate over the rate of the bare slice run just before it."""
        return [step.rate() / bare.rate() for step, bare in zip(self.step, self.bare) if bare.rate() > 0]

    def median_ratio(self) -> float:
        """The median of the slices' ratios."""
        return statistics.median(self.ratios())

    def spread(self) -> tuple[float, float]:
        """The lowest and highest slice ratio."""
        return min(self.ratios()), max(self.ratios())

    def merged(self) -> WrkRun:
        """The step's slices as one run (latency percentiles: the median of the slices')."""
        return _merge(self.step)

    def merged_bare(self) -> WrkRun:
        """The bare slices as one run."""
        return _merge(self.bare)


def _merge(runs: list[WrkRun]) -> WrkRun:
    statuses: dict[int, int] = {}
    for run in runs:
        for status, n in run.statuses.items():
            statuses[status] = statuses.get(status, 0) + n
    return WrkRun(
        requests=sum(r.requests for r in runs), seconds=sum(r.seconds for r in runs), statuses=statuses,
        errors={kind: sum(r.errors[kind] for r in runs) for kind in runs[0].errors},
        p50_ms=statistics.median(r.p50_ms for r in runs), p90_ms=statistics.median(r.p90_ms for r in runs),
        p99_ms=statistics.median(r.p99_ms for r in runs), client_cpu=sum(r.client_cpu for r in runs),
        server_cpu={part: sum(r.server_cpu.get(part, 0.0) for r in runs) for part in ("app", "db")},
        exhausted=any(r.exhausted for r in runs))


def sliced(label: str, base: str, masters: list[int], step_slices: list[list[Request]],
           bare_request: Request, seconds: float, connections: int, threads: int = 2, idle: bool = True) -> Sliced:
    """Run each slice of requests for `seconds`, each just after a bare slice of the same length, with
    the workers idle before every slice (idle=False: under background load, where they never are)."""
    result = Sliced(label, [], [])
    for requests in step_slices:
        if idle:
            wait_idle(masters)
        result.bare.append(run_wrk(base, [bare_request] * 50_000, seconds, connections, threads, masters))
        if idle:
            wait_idle(masters)
        result.step.append(run_wrk(base, requests, seconds, connections, threads, masters))
    return result

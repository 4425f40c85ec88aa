"""A worker's background thread: every TICK_SECONDS it runs the tasks the boards registered, so that
work a board needs is done ahead of its viewers — the live counts recounted (counts.py), the agency tops
being read rebuilt before they expire (shared.py) — instead of by the first request that finds it stale.
Each task decides what is due; a tick with nothing due costs a few microseconds.

One thread per worker process, started by the first request that registers a task (after gunicorn has
forked the worker), and never under tests: they run the tasks themselves, when they choose.
"""
import logging
import threading
import time
from collections.abc import Callable

from flask import current_app

# Short, so that work falling due is done as it falls due, not gathered into one burst a second: the agency
# tops, each due at its own moment, were rebuilt twenty at a time by a one-second tick.
TICK_SECONDS = 0.1

_tasks: dict[str, Callable[[], None]] = {}
_lock = threading.Lock()
_thread: threading.Thread | None = None


def run_often(name: str, task: Callable[[], None]) -> None:
    """Have this worker's background thread call task() every TICK_SECONDS from now on (once per name; the
    task opens the app contexts it needs)."""
    global _thread
    if current_app.testing or (name in _tasks and _thread is not None and _thread.is_alive()):
        return
    with _lock:
        _tasks.setdefault(name, task)
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_loop, name="refresher", daemon=True)
            _thread.start()


def _loop() -> None:
    while True:
        time.sleep(TICK_SECONDS)
        with _lock:
            tasks = list(_tasks.items())
        for name, task in tasks:
            try:
                task()
            except Exception:  # noqa: BLE001 — a failed refresh leaves the request path to do the work
                logging.getLogger(__name__).exception("background task %s failed", name)

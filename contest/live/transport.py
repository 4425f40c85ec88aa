"""Real-time transport for live events: Server-Sent Events, fanned out across instances.

Writers (contest.live.services) call `announce(event, kind)` inside their transaction. On PostgreSQL that is
a NOTIFY on the channel `live_events`, delivered to every instance when the transaction commits (and never
if it rolls back); in every process the commit also wakes the local hub at once. Each process that serves
streams has one `Hub`: it LISTENs (PostgreSQL), and it polls the stage's version (every LIVE_POLL_SECONDS:
the fan-out on SQLite, where there is no NOTIFY, and a backstop on PostgreSQL). On a change it loads the
public state once, serialises it once, and puts the same bytes in every subscriber's queue; each stream
writes what its queue holds. Answers arriving are announced as "tally": the host's console and the
projector get who has answered, at most every TALLY_SECONDS; phones get state changes only.

The hub also keeps time: when the state it holds has an open question, a timer locks the question at its
lock time (any instance may; the run row's lock makes one of them do it), so the scoreboard reaches the
screens without anyone pressing anything. Streams must be served by a worker that does not hold a whole
process per connection (gevent; see README): on gunicorn's sync workers the stream answers 503 and the
pages fall back to polling `state.json` every second.
"""
import json
import logging
import queue
import threading
import time
from dataclasses import dataclass

import psycopg
from flask import Flask

from contest.database import utcnow
from contest.extensions import db
from contest.live.models import LiveEvent
from contest.live.notify import CHANNEL
from contest.live.queries import change_marks, public_state, tally
from contest.live.services import locked_run, settle_if_due
RETRY_MS = 1000
HEARTBEAT_SECONDS = 10
TALLY_SECONDS = 0.25
# A lock fires this long after the lock time, so an answer received just before it has committed.
LOCK_SETTLE_SECONDS = 0.05
QUEUE_SIZE = 16
log = logging.getLogger(__name__)


def sse(event: str, payload: dict, event_id: int | None = None) -> bytes:
    """One Server-Sent Event; the JSON holds no raw newline."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(payload, ensure_ascii=False, separators=(',', ':'))}\n\n" \
        .encode("utf-8")


def clock_event() -> bytes:
    """The server's time, which the pages' countdowns follow (sent after every state and as the heartbeat)."""
    return sse("clock", {"server_ms": int(time.time() * 1000)})


class Subscriber:
    """One open stream: its event, whether it is a screen (host or projector), and its queue of bytes."""

    __slots__ = ("event_id", "is_screen", "queue")

    def __init__(self, event_id: int, is_screen: bool):
        self.event_id = event_id
        self.is_screen = is_screen
        self.queue: queue.Queue = queue.Queue(QUEUE_SIZE)

    def offer(self, data: bytes) -> None:
        """Queue bytes for the stream; a stream too slow to keep up loses what is queued (a newer state
        supersedes it) rather than holding memory."""
        try:
            self.queue.put_nowait(data)
        except queue.Full:
            while True:
                try:
                    self.queue.get_nowait()
                except queue.Empty:
                    break
            self.queue.put_nowait(data)


@dataclass
class Cached:
    """The last state loaded for an event, serialised, with what the poller compares."""

    mark: tuple
    state: bytes
    tally: bytes | None
    phase: str
    locks_at_ms: int | None
    run_id: int | None


class Hub:
    """This process's fan-out: subscribers by event, the cached state of each, and the threads (greenlets
    under gevent) that listen, poll, load and lock."""

    def __init__(self, app: Flask):
        self.app = app
        self.poll_seconds = app.config["LIVE_POLL_SECONDS"]
        self.lock = threading.Lock()
        self.subscribers: dict[int, set[Subscriber]] = {}
        self.cache: dict[int, Cached] = {}
        self.timers: dict[int, threading.Timer] = {}
        self.wakes: queue.Queue = queue.Queue()
        self.last_tally: dict[int, float] = {}
        self.stopped = threading.Event()

    @classmethod
    def of(cls, app: Flask) -> "Hub":
        """The app's hub in this process, started on first use."""
        hub = app.extensions.get("live_hub")
        if hub is None:
            with _START_LOCK:
                hub = app.extensions.get("live_hub")
                if hub is None:
                    hub = cls(app)
                    hub.start()
                    app.extensions["live_hub"] = hub
        return hub

    def start(self) -> None:
        """Start the loader, the poller and (on PostgreSQL) the listener."""
        threads = [self._run_loader, self._run_poller]
        with self.app.app_context():
            if db.engine.dialect.name == "postgresql" and self.app.config["LIVE_NOTIFY"]:
                threads.append(self._run_listener)
        for target in threads:
            threading.Thread(target=target, name=f"live-{target.__name__}", daemon=True).start()

    def stop(self) -> None:
        """End the hub's threads (within a second) and its timers."""
        self.stopped.set()
        with self.lock:
            for timer in self.timers.values():
                timer.cancel()
            self.timers.clear()

    # --- subscribers ---

    def subscribe(self, event_id: int, is_screen: bool) -> tuple[Subscriber, bytes]:
        """Register a stream; returns it with the bytes to send first (the current state and the clock).
        Call with no database transaction open (the hub may yield while it waits for its lock)."""
        subscriber = Subscriber(event_id, is_screen)
        with self.lock:
            self.subscribers.setdefault(event_id, set()).add(subscriber)
            cached = self.cache.get(event_id)
        if cached is None:
            cached = self._refresh(event_id, broadcast=False)
        first = cached.state + (cached.tally if is_screen and cached.tally else b"") + clock_event()
        return subscriber, first

    def unsubscribe(self, subscriber: Subscriber) -> None:
        """Forget a closed stream; an event nobody watches is no longer cached or polled here."""
        with self.lock:
            members = self.subscribers.get(subscriber.event_id)
            if members is not None:
                members.discard(subscriber)
                if not members:
                    del self.subscribers[subscriber.event_id]
                    self.cache.pop(subscriber.event_id, None)
                    timer = self.timers.pop(subscriber.event_id, None)
                    if timer is not None:
                        timer.cancel()

    def connected(self) -> int:
        """How many streams this process holds."""
        with self.lock:
            return sum(len(members) for members in self.subscribers.values())

    def wake(self, event_id: int, kind: str) -> None:
        """Something changed for an event (from a commit here, a NOTIFY or the poller)."""
        self.wakes.put((event_id, kind))

    # --- loading and broadcasting ---

    def _load(self, event_id: int) -> Cached:
        """Read the event's public state and tally in this thread's own app context, and release the database
        before returning."""
        with self.app.app_context():
            try:
                event = db.session.get(LiveEvent, event_id)
                if event is None:
                    return Cached((None, 0), sse("state", {"phase": "gone"}), None, "gone", None, None)
                state = public_state(event)
                counts = tally(event_id)
                mark = change_marks([event_id]).get(event_id, (None, 0))
            finally:
                db.session.remove()
        tally_bytes = sse("tally", counts) if counts else None
        question = state.get("question") or {}
        return Cached(mark, sse("state", state, state["v"]), tally_bytes, state["phase"],
                      question.get("locks_at_ms"), state["run"])

    def _refresh(self, event_id: int, broadcast: bool = True) -> Cached:
        """Load the state, cache it, (re)arm the lock timer and send it to every subscriber."""
        cached = self._load(event_id)
        with self.lock:
            if event_id in self.subscribers:
                self.cache[event_id] = cached
            members = list(self.subscribers.get(event_id, ()))
        self._arm_lock(event_id, cached)
        if broadcast and members:
            data = cached.state + clock_event()
            for subscriber in members:
                subscriber.offer(data + (cached.tally if subscriber.is_screen and cached.tally else b""))
        return cached

    def _refresh_tally(self, event_id: int) -> None:
        """Send who has answered so far to the screens watching the event."""
        with self.app.app_context():
            try:
                counts = tally(event_id)
                mark = change_marks([event_id]).get(event_id, (None, 0))
            finally:
                db.session.remove()
        self.last_tally[event_id] = time.monotonic()
        if counts is None:
            return
        data = sse("tally", counts)
        with self.lock:
            cached = self.cache.get(event_id)
            if cached is not None and cached.mark[0] == mark[0]:
                cached.tally, cached.mark = data, mark
            screens = [s for s in self.subscribers.get(event_id, ()) if s.is_screen]
        for subscriber in screens:
            subscriber.offer(data)

    def _run_loader(self) -> None:
        """Turn wakes into broadcasts: a state change reloads at once; tallies at most every TALLY_SECONDS."""
        pending_tally: set[int] = set()
        while not self.stopped.is_set():
            try:
                items = [self.wakes.get(timeout=TALLY_SECONDS)]
            except queue.Empty:
                items = []
            while True:
                try:
                    items.append(self.wakes.get_nowait())
                except queue.Empty:
                    break
            watched = set(self.subscribers)
            states = {event for event, kind in items if kind == "state" and event in watched}
            pending_tally |= {event for event, kind in items if kind == "tally" and event in watched}
            try:
                for event_id in states:
                    self._refresh(event_id)
                    pending_tally.discard(event_id)
                now = time.monotonic()
                due = {event for event in pending_tally if now - self.last_tally.get(event, 0) >= TALLY_SECONDS}
                for event_id in due:
                    self._refresh_tally(event_id)
                pending_tally -= due
            except Exception:  # noqa: BLE001  (a failed load must not end the loader; the poller retries)
                log.exception("live: loading a state failed")
                time.sleep(0.5)

    def _run_poller(self) -> None:
        """Compare each watched event's version (and answer count) with the cache; wake on a difference."""
        while not self.stopped.wait(self.poll_seconds):
            watched = list(self.subscribers)
            if not watched:
                continue
            try:
                with self.app.app_context():
                    try:
                        marks = change_marks(watched)
                    finally:
                        db.session.remove()
            except Exception:  # noqa: BLE001
                log.exception("live: polling failed")
                continue
            for event_id in watched:
                cached = self.cache.get(event_id)
                mark = marks.get(event_id, (None, 0))
                if cached is None or cached.mark[0] != mark[0]:
                    self.wake(event_id, "state")
                elif cached.mark[1] != mark[1]:
                    self.wake(event_id, "tally")

    def _run_listener(self) -> None:
        """LISTEN on PostgreSQL; reconnect on failure and then reload everything watched (a NOTIFY may have
        been missed meanwhile)."""
        with self.app.app_context():
            url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        while not self.stopped.is_set():
            try:
                with psycopg.connect(url, autocommit=True) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    for event_id in list(self.subscribers):
                        self.wake(event_id, "state")
                    while not self.stopped.is_set():
                        for notification in connection.notifies(timeout=1):
                            event_id, _, kind = notification.payload.partition(":")
                            self.wake(int(event_id), kind)
            except Exception:  # noqa: BLE001
                log.exception("live: LISTEN connection lost; reconnecting")
                self.stopped.wait(1)

    # --- the server's clock ---

    def _arm_lock(self, event_id: int, cached: Cached) -> None:
        """Schedule the lock of the open question at its lock time (replacing any earlier timer)."""
        with self.lock:
            old = self.timers.pop(event_id, None)
            if old is not None:
                old.cancel()
            if cached.phase != "open" or cached.locks_at_ms is None or event_id not in self.subscribers:
                return
            delay = max(0.0, cached.locks_at_ms / 1000 - time.time()) + LOCK_SETTLE_SECONDS
            timer = threading.Timer(delay, self._lock_due, (cached.run_id,))
            timer.daemon = True
            self.timers[event_id] = timer
        timer.start()

    def _lock_due(self, run_id: int) -> None:
        """Lock the run's question if its time is up (another instance may have done it already)."""
        with self.app.app_context():
            try:
                run = locked_run(run_id)
                if run is not None and settle_if_due(run, utcnow()):
                    db.session.commit()
                else:
                    db.session.rollback()
            except Exception:  # noqa: BLE001
                db.session.rollback()
                log.exception("live: locking a question failed")
            finally:
                db.session.remove()


_START_LOCK = threading.Lock()


def stream(hub: Hub, subscriber: Subscriber, first: bytes, max_seconds: float):
    """The body of a stream: the current state, then whatever the hub queues, a clock every
    HEARTBEAT_SECONDS (which also finds closed connections), until `max_seconds` (the page reconnects)."""
    ends = time.monotonic() + max_seconds
    try:
        yield f"retry: {RETRY_MS}\n\n".encode() + first
        while time.monotonic() < ends:
            try:
                yield subscriber.queue.get(timeout=HEARTBEAT_SECONDS)
            except queue.Empty:
                yield clock_event()
    finally:
        hub.unsubscribe(subscriber)

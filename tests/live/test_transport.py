"""The fan-out across instances: two apps on one database, each with its own hub (as two gunicorn instances
would have), hear a change committed by a third — through LISTEN/NOTIFY on PostgreSQL, by polling the stage's
version on SQLite — and the hubs lock an open question at its lock time by themselves."""
import json
import queue
import re
import time
from datetime import timedelta

import pytest

from contest import create_app
from contest.database import utcnow
from contest.extensions import db
from contest.live import services
from contest.live.notify import announce
from contest.live.transport import Hub
from tests.conftest import TEST_CONFIG


def events_in(data: bytes) -> list[tuple[str, dict]]:
    found = []
    for block in data.decode().split("\n\n"):
        kind, payload = re.search(r"^event: (\w+)$", block, re.M), re.search(r"^data: (.*)$", block, re.M)
        if kind and payload:
            found.append((kind.group(1), json.loads(payload.group(1))))
    return found


def wait_for(subscriber, kind: str, matches, timeout: float = 10.0) -> dict:
    """The first event of `kind` satisfying `matches` that reaches the subscriber's queue within `timeout`.
    (The test's session first ends its transaction: on SQLite even a read holds the write lock the hubs need.)"""
    db.session.commit()
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            pytest.fail(f"no {kind} event as expected within {timeout} s")
        try:
            data = subscriber.queue.get(timeout=remaining)
        except queue.Empty:
            continue
        for name, payload in events_in(data):
            if name == kind and matches(payload):
                return payload


@pytest.fixture
def instances(database_url, stage):
    """Two app instances on the test database, each with a started hub watching the stage's event."""
    hubs = [Hub(create_app({**TEST_CONFIG, "DATABASE_URL": database_url})) for _ in range(2)]
    event_id = stage.event.id
    db.session.commit()  # SQLite: the hubs read in this thread; this session must not hold the write lock
    subscribers = []
    for hub in hubs:
        hub.start()
        subscriber, first = hub.subscribe(event_id, is_screen=True)
        assert events_in(first)[0][1]["phase"] == "waiting"
        subscribers.append(subscriber)
    yield subscribers
    for hub, subscriber in zip(hubs, subscribers):
        hub.unsubscribe(subscriber)
        hub.stop()
        with hub.app.app_context():
            db.engine.dispose()


def test_every_instance_hears_a_change_made_elsewhere(instances, stage):
    now = utcnow()
    run = services.start_run(stage.event, stage.organizer, now, rehearsal=False)
    services.next_question(run, now)
    db.session.commit()
    question_id = run.question_id
    for subscriber in instances:
        state = wait_for(subscriber, "state", lambda s: s["phase"] == "open")
        assert state["question"]["id"] == question_id and "reveal" not in state
    services.answer(stage.event.code, run.id, question_id, stage.teams[2].id, 1, "d", utcnow())
    db.session.commit()
    for subscriber in instances:  # the host's console and the projector learn who has answered
        tally = wait_for(subscriber, "tally", lambda t: t["answered"])
        assert tally == {"run": run.id, "question": question_id, "answered": [stage.teams[2].id], "pressed": []}


def test_the_hubs_lock_the_question_at_its_lock_time_and_send_the_scoreboard(instances, stage):
    now = utcnow()
    run = services.start_run(stage.event, stage.organizer, now, rehearsal=False)
    services.next_question(run, now)
    db.session.commit()
    services.answer(stage.event.code, run.id, run.question_id, stage.teams[0].id, 0, "d", utcnow())
    run = services.locked_run(run.id)
    run.locks_at = utcnow() + timedelta(milliseconds=400)  # as if the question had been open 19.6 s
    run.version += 1
    announce(run.event_id, "state")
    db.session.commit()
    for subscriber in instances:
        state = wait_for(subscriber, "state", lambda s: s["phase"] == "locked")
        assert state["scores"][str(stage.teams[0].id)] == [10, 1] and state["distribution"] == [1, 0, 0, 0]
    db.session.expire_all()
    assert services.locked_run(run.id).phase == "locked"
    marks = services.team_points(run.id, run.question_id, stage.teams[0].id)
    assert marks == 10  # marked once, though both hubs tried

"""Announcing a change to a live event: on PostgreSQL a NOTIFY sent with the writer's transaction (every
instance hears it when the transaction commits, none if it rolls back); in this process the commit also
wakes the local hub (contest.live.transport) at once. On SQLite the hubs find changes by polling."""
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from contest.extensions import db

CHANNEL = "live_events"


def announce(event_id: int, kind: str) -> None:
    """Tell every instance, when the current transaction commits, that an event changed ("state") or
    received an answer or a press ("tally")."""
    db.session.info.setdefault("live_announcements", set()).add((event_id, kind))
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT pg_notify(:channel, :payload)"),
                           {"channel": CHANNEL, "payload": f"{event_id}:{kind}"})


@sa.event.listens_for(Session, "after_commit")
def _wake_local_hub(session: Session) -> None:
    """After a commit, this process's hub (if it serves streams) hears of the change without waiting."""
    announcements = session.info.pop("live_announcements", None)
    if not announcements:
        return
    hub = current_app.extensions.get("live_hub")
    if hub is not None:
        for event_id, kind in announcements:
            hub.wake(event_id, kind)


@sa.event.listens_for(Session, "after_rollback")
def _forget_announcements(session: Session) -> None:
    """A rolled-back change announces nothing."""
    session.info.pop("live_announcements", None)

"""Judging a live event's final table with the project's two-judge sign-off: a judge of the event signs
the exact table seen (its SHA-256); the second distinct judge's signature freezes it into a result snapshot
(contest.prizes.models: signoffs and result_snapshots, here keyed by the live event). A correction after a
first signature changes the checksum, so the table needs both signatures again."""
import hashlib
import json
from datetime import datetime

import sqlalchemy as sa

from contest.accounts.models import Role, User
from contest.audit.services import record
from contest.extensions import db
from contest.live.models import LiveEvent, LiveRun
from contest.live.queries import final_table
from contest.live.services import LiveError, real_run
from contest.prizes.models import ResultSnapshot, SignOff
from contest.prizes.services import SIGNATURES_NEEDED


def snapshot_of(event: LiveEvent) -> ResultSnapshot | None:
    """The event's signed final table, if frozen."""
    return db.session.scalar(sa.select(ResultSnapshot).where(ResultSnapshot.live_event_id == event.id))


def finished_run(event: LiveEvent) -> LiveRun | None:
    """The real run once it has ended (what the judges judge); rehearsals never count."""
    run = real_run(event)
    return run if run is not None and run.ended_at is not None else None


def canonical(event: LiveEvent, run: LiveRun) -> tuple[str, str]:
    """The final table as canonical JSON and its SHA-256: what judges sign and `scores verify` re-checks."""
    payload = json.dumps({"live_event_id": event.id, "run_id": run.id, "title": event.title,
                          "segments": [segment.title for segment in event.segments],
                          "ended_at": run.ended_at.isoformat(), "rows": final_table(event, run)},
                         ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return payload, hashlib.sha256(payload.encode("utf-8")).hexdigest()


def signatures(event: LiveEvent, checksum: str) -> list[SignOff]:
    """The judges' signatures on exactly this table."""
    return db.session.scalars(sa.select(SignOff).where(SignOff.live_event_id == event.id,
                                                       SignOff.checksum == checksum).order_by(SignOff.id)).all()


def sign(event: LiveEvent, judge: User, checksum_seen: str, now: datetime) -> ResultSnapshot | None:
    """A judge of the event signs the table seen; the second distinct judge's signature freezes it."""
    if snapshot_of(event) is not None:
        raise LiveError("Kết quả đã được ký và chốt.")
    if judge.role != Role.JUDGE.value or judge.id not in {member.id for member in event.judges}:
        raise LiveError("Chỉ thành viên Ban giám khảo của hội thi được ký kết quả.")
    run = finished_run(event)
    if run is None:
        raise LiveError("Hội thi chưa kết thúc.")
    payload, checksum = canonical(event, run)
    if checksum != checksum_seen:
        raise LiveError("Bảng kết quả đã thay đổi từ khi bạn xem; vui lòng xem lại trước khi ký.")
    if any(signoff.judge_id == judge.id for signoff in signatures(event, checksum)):
        raise LiveError("Bạn đã ký bảng kết quả này.")
    db.session.add(SignOff(live_event_id=event.id, judge_id=judge.id, checksum=checksum, created_at=now))
    db.session.flush()
    record(judge.id, "live.sign", "live_event", event.id, checksum=checksum)
    if len(signatures(event, checksum)) < SIGNATURES_NEEDED:
        return None
    snapshot = ResultSnapshot(live_event_id=event.id, payload=payload, checksum=checksum, created_at=now)
    db.session.add(snapshot)
    record(judge.id, "live.freeze", "live_event", event.id, checksum=checksum)
    return snapshot


def snapshot_rows(snapshot: ResultSnapshot) -> dict:
    """The frozen table, as stored."""
    return json.loads(snapshot.payload)

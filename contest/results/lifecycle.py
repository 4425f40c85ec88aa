"""A round's lifecycle, read from its columns: scheduled → open → closed (grace running) → settled →
signed → published. Other features ask round_state() rather than re-deriving it."""
from datetime import datetime

import sqlalchemy as sa

from contest.database import utcnow
from contest.extensions import db
from contest.prizes.models import ResultSnapshot
from contest.rounds.models import Round

STATES = ("scheduled", "open", "closed", "settled", "signed", "published")
STATE_LABELS = {"scheduled": "Chưa mở", "open": "Đang mở", "closed": "Đã đóng, chờ chốt kết quả",
                "settled": "Đã chốt kết quả", "signed": "Giám khảo đã ký", "published": "Đã công bố"}


def is_signed(round_: Round) -> bool:
    """True when two judges have signed the round's winners (a snapshot is frozen)."""
    return db.session.scalar(sa.select(ResultSnapshot.id).where(ResultSnapshot.round_id == round_.id)) is not None


def round_state(round_: Round, now: datetime | None = None) -> str:
    """The round's state at `now` (default: the present), one of STATES.

    Settled needs rounds.settled_at (written once by results.services.settle_round); signed, a frozen
    snapshot; published, rounds.published_at on a settled round.
    """
    now = now or utcnow()
    if now < round_.opens_at:
        return "scheduled"
    if now < round_.closes_at:
        return "open"
    if round_.settled_at is None:
        return "closed"
    if round_.published_at is not None:
        return "published"
    return "signed" if is_signed(round_) else "settled"

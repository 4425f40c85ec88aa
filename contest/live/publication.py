"""Publishing a live event's signed results: one step, kept apart so that it can follow the rounds'
publication rules (contest.results on the round-lifecycle branch) when the two are merged.

Publishing needs the two judges' signatures (a result snapshot); it opens the public results page of the
event (/live/<code>/results), which shows the signed table and its checksum, never the marks ledger."""
from datetime import datetime

from contest.accounts.models import User
from contest.audit.services import record
from contest.live.judging import snapshot_of
from contest.live.models import LiveEvent
from contest.live.services import LiveError


def publish_results(event: LiveEvent, organizer: User, now: datetime) -> None:
    """Open the public results page of the event; refused before two judges have signed. The caller commits."""
    if event.results_published_at is not None:
        raise LiveError("Kết quả hội thi đã được công bố.")
    if snapshot_of(event) is None:
        raise LiveError("Chỉ công bố được sau khi hai thành viên Ban giám khảo đã ký bảng kết quả.")
    event.results_published_at = now
    record(organizer.id, "live.publish", "live_event", event.id)


def is_published(event: LiveEvent) -> bool:
    """True once the event's results are public."""
    return event.results_published_at is not None

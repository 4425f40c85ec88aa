"""The audit log reads in Vietnamese: every action the code records has a label."""
import re
from pathlib import Path

import sqlalchemy as sa

from contest.audit.labels import ACTION_LABELS, DETAIL_LABELS, TARGET_LABELS
from contest.audit.models import AuditEntry
from contest.audit.services import record
from contest.extensions import db

ROOT = Path(__file__).resolve().parents[2] / "contest"
RECORDED = re.compile(r"""record\(\s*[^,]+,\s*"([a-z_.]+)",\s*"([a-z_]*)"(.*?)\)$""", re.S | re.M)


def recorded_calls():
    """Every (action, target type, detail keys) passed to record() in the application's source."""
    for path in ROOT.rglob("*.py"):
        for action, target, rest in RECORDED.findall(path.read_text(encoding="utf-8")):
            yield path.name, action, target, re.findall(r"\b([a-z_]+)=", rest)


def test_every_recorded_action_target_and_detail_has_a_vietnamese_label():
    calls = list(recorded_calls())
    assert len(calls) >= 20
    for where, action, target, keys in calls:
        assert action in ACTION_LABELS, f"{where}: action {action!r} has no label in contest/audit/labels.py"
        assert not target or target in TARGET_LABELS, f"{where}: target {target!r} has no label"
        for key in keys:
            assert key in DETAIL_LABELS, f"{where}: detail {key!r} of {action} has no label"


def test_the_log_page_shows_labels_not_codes(organizer, world):
    record(None, "round.edit", "round", world.round.id, changed="closes_at, quotas")
    record(None, "questions.status", "question", None, status="retired", count=3, ids="1,2,3")
    db.session.commit()
    page = organizer.get("/organizer/audit/").get_data(as_text=True)
    assert "Sửa vòng thi" in page and f"Vòng thi #{world.round.id}" in page
    assert "Thời điểm đóng, Định mức câu hỏi" in page and "Ngừng dùng" in page
    assert "round.edit" not in page and "closes_at" not in page and "retired" not in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 2

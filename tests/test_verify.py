"""`flask scores verify`: a recount from raw attempts agrees, and tampering is reported."""
from datetime import timedelta

import sqlalchemy as sa

from contest.attempts.models import Attempt
from contest.database import utcnow
from contest.demo.loader import load_demo
from contest.extensions import db
from contest.leaderboards.models import Standing


def test_the_demo_verifies_clean_and_tampering_is_found(app, runner):
    load_demo(utcnow(), simulated=20)
    db.session.commit()
    clean = runner.invoke(args=["scores", "verify"])
    assert clean.exit_code == 0, clean.output
    assert "đều khớp" in clean.output
    attempt = db.session.scalar(sa.select(Attempt).where(Attempt.submitted_at.is_not(None)).limit(1))
    attempt.score += 1
    item = attempt.items[0]
    item.is_correct = not item.is_correct
    standing = db.session.scalar(sa.select(Standing).limit(1))
    standing.duration_ms -= timedelta(seconds=1) // timedelta(milliseconds=1)
    db.session.commit()
    dirty = runner.invoke(args=["scores", "verify"])
    assert dirty.exit_code == 1
    assert f"Bài #{attempt.id}: điểm lưu" in dirty.output and "bảng ghi bài" in dirty.output
    assert f"Bài #{attempt.id} câu {item.position + 1}: lưu {item.is_correct}, chấm lại {not item.is_correct}" \
        in dirty.output

"""The drawable questions of a bank, cached per worker and refreshed when the bank's revision moves.

Starting an attempt reads one small row (the bank's revision) instead of scanning the bank: at a
round's opening thousands of starts share one cached pool per worker.
"""
import threading

import sqlalchemy as sa

from contest.attempts.draw import Drawable
from contest.bank.models import Question, QuestionBank
from contest.extensions import db

_cache: dict[tuple, list[Drawable]] = {}
_lock = threading.Lock()


def drawable_pool(bank_id: int, known: tuple | None = None) -> list[Drawable]:
    """The bank's approved current questions, from this worker's cache when the revision matches.

    known: the bank's (revision, created_at) if the caller has read them already.
    """
    revision, created_at = known or db.session.execute(sa.select(QuestionBank.revision, QuestionBank.created_at)
                                                       .where(QuestionBank.id == bank_id)).one()
    # created_at guards against a bank deleted and recreated with the same id and revision.
    key = (str(db.engine.url), bank_id, revision, created_at)
    pool = _cache.get(key)
    if pool is None:
        rows = db.session.execute(sa.select(
            Question.id, Question.topic, Question.difficulty, sa.func.json_array_length(Question.choices))
            .where(Question.bank_id == bank_id, Question.status == "approved", Question.replaced_by_id.is_(None))
            .order_by(Question.id)).all()
        pool = [Drawable(*row) for row in rows]
        with _lock:
            for stale in [k for k in _cache if k[:2] == key[:2]]:
                del _cache[stale]
            _cache[key] = pool
    return pool

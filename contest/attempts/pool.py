"""The drawable questions of a bank, cached per worker and refreshed when the bank's revision moves.

Starting an attempt reads one small row (the bank's revision) instead of scanning the bank: at a
round's opening thousands of starts share one cached pool per worker.
"""
import threading
from dataclasses import dataclass

import sqlalchemy as sa

from contest.attempts.draw import Drawable, drawable_questions
from contest.bank.models import Question, QuestionBank
from contest.extensions import db
from contest.reviews.models import QuestionReview

_cache: dict[tuple, "Pool"] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class Pool:
    """A bank's approved current questions, and the same without those flagged for review."""

    questions: list[Drawable]
    unflagged: list[Drawable]

    def drawable(self, excluding_flagged: bool) -> list[Drawable]:
        """What a round may draw from: flagged questions left out when it excludes them."""
        return self.unflagged if excluding_flagged else self.questions


def drawable_pool(bank_id: int, known: tuple | None = None) -> Pool:
    """The bank's approved current questions, from this worker's cache when the revision matches.

    known: the bank's (revision, created_at) if the caller has read them already. Flagging a question
    or resolving its review bumps the revision, so the cached flags are never stale.
    """
    revision, created_at = known or db.session.execute(sa.select(QuestionBank.revision, QuestionBank.created_at)
                                                       .where(QuestionBank.id == bank_id)).one()
    # created_at guards against a bank deleted and recreated with the same id and revision.
    key = (str(db.engine.url), bank_id, revision, created_at)
    pool = _cache.get(key)
    if pool is None:
        flagged = sa.exists().where(QuestionReview.question_id == Question.id, QuestionReview.resolved_at.is_(None))
        rows = db.session.execute(sa.select(
            Question.id, Question.topic, Question.difficulty, sa.func.json_array_length(Question.choices),
            Question.family_id, flagged)
            .where(Question.bank_id == bank_id, Question.status == "approved", Question.replaced_by_id.is_(None))
            .order_by(Question.id)).all()
        questions = [Drawable(*row[:5], is_flagged=bool(row[5])) for row in rows]
        pool = Pool(questions, drawable_questions(questions, excluding_flagged=True))
        with _lock:
            for stale in [k for k in _cache if k[:2] == key[:2]]:
                del _cache[stale]
            _cache[key] = pool
    return pool

"""Reading review flags: how many are open, which questions, and each question's flags."""
import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from contest.bank.models import Question
from contest.extensions import db
from contest.reviews.models import QuestionReview

OPEN = QuestionReview.resolved_at.is_(None)


def flagged_condition():
    """A SQL condition: the question has an open review flag."""
    return sa.exists().where(QuestionReview.question_id == Question.id, OPEN)


def open_counts_by_bank() -> dict[int, int]:
    """Current questions flagged "cần rà soát", by bank."""
    return dict(db.session.execute(
        sa.select(Question.bank_id, sa.func.count(sa.distinct(Question.id))).join(
            QuestionReview, QuestionReview.question_id == Question.id)
        .where(OPEN, Question.replaced_by_id.is_(None), Question.status != "retired")
        .group_by(Question.bank_id)).all())


def flagged_ids(question_ids: list[int]) -> set[int]:
    """Which of these questions have an open flag."""
    if not question_ids:
        return set()
    return set(db.session.scalars(sa.select(QuestionReview.question_id).where(
        QuestionReview.question_id.in_(question_ids), OPEN)))


def flagged_questions(limit: int = 200) -> list[tuple[Question, QuestionReview]]:
    """Current questions with an open flag, each with its latest flag, newest flags first."""
    latest = sa.select(sa.func.max(QuestionReview.id)).where(OPEN).group_by(QuestionReview.question_id)
    reviews = db.session.scalars(sa.select(QuestionReview).where(QuestionReview.id.in_(latest))
                                 .join(QuestionReview.question)
                                 .where(Question.replaced_by_id.is_(None), Question.status != "retired")
                                 .order_by(QuestionReview.id.desc()).limit(limit)
                                 .options(joinedload(QuestionReview.question).joinedload(Question.document))).all()
    return [(review.question, review) for review in reviews]


def reviews_of(question: Question) -> list[QuestionReview]:
    """Every flag of a question, open first, then resolved ones newest first."""
    return db.session.scalars(sa.select(QuestionReview).where(QuestionReview.question_id == question.id)
                              .order_by(QuestionReview.resolved_at.is_not(None), QuestionReview.id.desc())
                              .options(joinedload(QuestionReview.resolved_by))).all()


def family_members(question: Question) -> list[Question]:
    """The other current questions of the question's family."""
    if question.family_id is None:
        return []
    return db.session.scalars(sa.select(Question).where(
        Question.family_id == question.family_id, Question.id != question.id,
        Question.replaced_by_id.is_(None)).order_by(Question.id)).all()

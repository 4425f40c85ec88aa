"""Reading banks: filtered search without diacritics, facets, health against rounds' draws."""
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from contest.bank.models import DIFFICULTIES, Question, QuestionBank
from contest.database import utcnow
from contest.extensions import db
from contest.reviews.models import QuestionReview
from contest.rounds.models import Round
from questions.formats import FORMATS
from questions.records import QuestionRecord
from questions.text import clean, fold


# Formats a bank can be exported to, with the extension the download gets.
EXPORT_FORMATS = {name: fmt.extension for name, fmt in FORMATS.items() if fmt.writer is not None}


@dataclass
class QuestionFilter:
    """What the organizer asked the bank page for; empty fields do not filter."""

    text: str = ""
    bank_id: int | None = None
    topic: str = ""
    difficulty: str = ""
    document_id: int | None = None
    article: str = ""
    status: str = ""
    audience: str = ""
    # Only questions flagged "cần rà soát"; only the questions of one family.
    is_flagged: bool = False
    family_id: int | None = None


def _conditions(filters: QuestionFilter) -> list:
    conditions = [Question.replaced_by_id.is_(None)]
    for word in fold(filters.text).split():
        conditions.append(Question.search_text.contains(word, autoescape=True))
    for column, value in ((Question.bank_id, filters.bank_id), (Question.topic, filters.topic),
                          (Question.difficulty, filters.difficulty), (Question.document_id, filters.document_id),
                          (Question.status, filters.status), (Question.audience, filters.audience)):
        if value:
            conditions.append(column == value)
    if filters.is_flagged:
        conditions.append(sa.exists().where(QuestionReview.question_id == Question.id,
                                            QuestionReview.resolved_at.is_(None)))
    if filters.family_id:
        conditions.append(Question.family_id == filters.family_id)
    if filters.article:
        conditions.append(Question.article == clean(filters.article).lower().removeprefix("điều ").strip())
    return conditions


def search_questions(filters: QuestionFilter, page: int = 1, per_page: int = 50) -> tuple[list[Question], int]:
    """A page of current questions matching the filters, and how many match in all."""
    conditions = _conditions(filters)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Question).where(*conditions)) or 0
    questions = db.session.scalars(
        sa.select(Question).where(*conditions).order_by(Question.id)
        .offset((page - 1) * per_page).limit(per_page).options(joinedload(Question.document))).all()
    return questions, total


def matching_ids(filters: QuestionFilter) -> list[int]:
    """Ids of every current question matching the filters (for bulk actions on a whole search)."""
    return db.session.scalars(sa.select(Question.id).where(*_conditions(filters))).all()


def facets() -> dict[str, list]:
    """The values the filters offer: topics and audiences in use."""
    def distinct(column):
        return [value for value in db.session.scalars(
            sa.select(column).where(Question.replaced_by_id.is_(None)).distinct().order_by(column)) if value]
    return {"topics": distinct(Question.topic), "audiences": distinct(Question.audience)}


def question_records(bank_name: str | None = None) -> list[QuestionRecord]:
    """Current questions as records for export (all banks when no name is given)."""
    query = sa.select(Question).where(Question.replaced_by_id.is_(None)).order_by(Question.id)
    if bank_name:
        query = query.join(QuestionBank).where(QuestionBank.name == bank_name)
    return [QuestionRecord(text=q.text, choices=list(q.choices), correct=list(q.correct), topic=q.topic,
                           difficulty=q.difficulty, citation=q.citation, explanation=q.explanation,
                           audience=q.audience, status=q.status, source_row=index)
            for index, q in enumerate(db.session.scalars(query), start=1)]


@dataclass
class RoundNeed:
    """A round drawing from the bank, and whether the approved questions can meet its draw."""

    round: Round
    available: int

    @property
    def is_short(self) -> bool:
        """True when a paper cannot be drawn."""
        return self.available < self.round.question_count


@dataclass
class BankHealth:
    """Approved questions by topic × difficulty, and the rounds that draw from the bank."""

    bank: QuestionBank
    grid: dict[str, dict[str, int]] = field(default_factory=dict)
    drafts: int = 0
    needs: list[RoundNeed] = field(default_factory=list)
    # Approved questions flagged "cần rà soát" (not drawn by rounds that exclude them), and the
    # approved questions that stand on a paper: one per family of related questions, none flagged.
    flagged: int = 0
    drawable: int = 0

    @property
    def approved(self) -> int:
        """All approved questions of the bank."""
        return sum(sum(row.values()) for row in self.grid.values())


def bank_health(bank: QuestionBank) -> BankHealth:
    """Counts of approved questions per topic and difficulty, checked against each round's draw."""
    health = BankHealth(bank=bank)
    for topic, difficulty, count in db.session.execute(
            sa.select(Question.topic, Question.difficulty, sa.func.count())
            .where(Question.bank_id == bank.id, Question.status == "approved", Question.replaced_by_id.is_(None))
            .group_by(Question.topic, Question.difficulty)):
        health.grid.setdefault(topic or "(không có chủ đề)", dict.fromkeys(DIFFICULTIES, 0))[difficulty] = count
    health.drafts = db.session.scalar(sa.select(sa.func.count()).select_from(Question).where(
        Question.bank_id == bank.id, Question.status == "draft", Question.replaced_by_id.is_(None))) or 0
    approved = (Question.bank_id == bank.id, Question.status == "approved", Question.replaced_by_id.is_(None))
    flagged = sa.exists().where(QuestionReview.question_id == Question.id, QuestionReview.resolved_at.is_(None))
    health.flagged = db.session.scalar(sa.select(sa.func.count()).where(*approved, flagged)) or 0
    units = sa.func.coalesce(-Question.family_id, Question.id)
    health.drawable = db.session.scalar(sa.select(sa.func.count(sa.distinct(units))).where(*approved, ~flagged)) or 0
    every = db.session.scalar(sa.select(sa.func.count(sa.distinct(units))).where(*approved)) or 0
    now = utcnow()
    for round_ in db.session.scalars(sa.select(Round).where(Round.bank_id == bank.id, Round.closes_at > now)
                                     .order_by(Round.opens_at)):
        health.needs.append(RoundNeed(round=round_, available=health.drawable if round_.is_flagged_excluded else every))
    return health


def short_rounds() -> list[RoundNeed]:
    """Rounds not yet closed whose bank cannot fill a paper: the warning before a round opens."""
    return [need for bank in db.session.scalars(sa.select(QuestionBank))
            for need in bank_health(bank).needs if need.is_short]


def approved_counts() -> dict[int, int]:
    """Approved current questions per bank id."""
    return dict(db.session.execute(
        sa.select(Question.bank_id, sa.func.count()).where(Question.status == "approved",
                                                           Question.replaced_by_id.is_(None))
        .group_by(Question.bank_id)).all())


def questions_citing(document, article: str | None = None) -> list[Question]:
    """The current questions in use that rest on a document (or one article of it): what retiring it
    would retire."""
    conditions = [Question.document_id == document.id, Question.status != "retired", Question.replaced_by_id.is_(None)]
    if article:
        conditions.append(Question.article == article)
    return db.session.scalars(sa.select(Question).where(*conditions).order_by(Question.id)).all()


def questions_changing(question_ids: list[int], status: str) -> list[Question]:
    """Which of these current questions a bulk change to `status` would change."""
    if not question_ids:
        return []
    return db.session.scalars(sa.select(Question).where(
        Question.id.in_(question_ids), Question.replaced_by_id.is_(None), Question.status != status)
        .order_by(Question.id)).all()

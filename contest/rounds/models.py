"""Contests and their timed rounds."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.database import UTCDateTime, utcnow
from contest.extensions import db
from contest.rounds.settings import prediction_prompt


class Contest(db.Model):
    """A contest (cuộc thi) such as "Tìm hiểu hoạt động kiểm soát thủ tục hành chính"."""

    __tablename__ = "contests"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(100), unique=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    rules_text: Mapped[str] = mapped_column(sa.Text, default="")
    # Who runs it, as the home page names them ("Ban Tổ chức: Sở Tư pháp tỉnh …"), one per line.
    organizers: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # The streams ("khối dự thi") it admits, each ranked and awarded separately.
    streams: Mapped[list] = mapped_column(sa.JSON, default=lambda: ["CBCCVC"])
    # Only agencies under this one may take part (None: every agency).
    eligible_agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"))
    # Overall standings: the sum of the rounds, or the best single round.
    overall_rule: Mapped[str] = mapped_column(sa.String(10), default="sum")
    # How public boards show names: "full", "initials" (Nguyễn V. A) or "given" (… A).
    name_mask: Mapped[str] = mapped_column(sa.String(10), default="initials")
    # Collective ranking: minimum participation to qualify, and the formula with its weights.
    agency_min_rate: Mapped[float] = mapped_column(sa.Float, default=0.0)
    agency_formula: Mapped[str] = mapped_column(sa.String(20), default="rate_and_score")
    agency_rate_weight: Mapped[float] = mapped_column(sa.Float, default=0.5)
    # At most one individual prize per person across the contest's rounds.
    is_one_prize_per_person: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    eligible_agency: Mapped["Agency | None"] = relationship()  # noqa: F821
    rounds: Mapped[list["Round"]] = relationship(back_populates="contest", order_by="Round.opens_at")


def may_review(review_policy: str, attempts_allowed: int | None, closes_at: datetime, now: datetime) -> bool:
    """True when a round's submitted paper may show the right answers and their articles."""
    if review_policy == "immediate" and attempts_allowed == 1:
        return True
    if review_policy == "immediate":  # several attempts: the key would serve the next paper
        return now >= closes_at
    return review_policy == "after_close" and now >= closes_at


class Round(db.Model):
    """A timed round (tuần thi / đợt thi) with its window and the rules of an attempt."""

    __tablename__ = "rounds"
    __table_args__ = (
        sa.CheckConstraint("closes_at > opens_at", name="window_not_empty"),
        sa.CheckConstraint("time_limit_seconds > 0", name="time_limit_positive"),
        sa.CheckConstraint("question_count > 0", name="question_count_positive"),
        sa.CheckConstraint("attempts_allowed IS NULL OR attempts_allowed > 0", name="attempts_positive"),
        sa.CheckConstraint(sa.text("counting_rule IN ('best', 'first', 'last')"), name="counting_rule"),
        sa.CheckConstraint(sa.text("review_policy IN ('score_only', 'after_close', 'immediate')"),
                           name="review_policy"),
        sa.CheckConstraint(sa.text("prediction_kind IS NULL OR prediction_kind IN "
                                   "('perfect_papers', 'perfect_people', 'entries', 'participants')"),
                           name="prediction_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(sa.ForeignKey("contests.id"), index=True)
    bank_id: Mapped[int] = mapped_column(sa.ForeignKey("question_banks.id"))
    name: Mapped[str] = mapped_column(sa.String(200))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    time_limit_seconds: Mapped[int]
    question_count: Mapped[int]
    # None means unlimited attempts.
    attempts_allowed: Mapped[int | None]
    # A bank per stream where streams draw from different banks: {"Người dân": bank id}.
    stream_banks: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # Which attempt counts for the standings: the best, the first or the last submitted.
    counting_rule: Mapped[str] = mapped_column(sa.String(10), default="best")
    # How many questions to draw per topic and difficulty: [{"topic", "difficulty", "count"}];
    # empty draws freely. Questions beyond the quotas' sum are drawn from the whole bank.
    quotas: Mapped[list] = mapped_column(sa.JSON, default=list)
    # The tie-break prediction: None or the figure it asks for (settings.PREDICTION_KINDS), with its wording.
    prediction_kind: Mapped[str | None] = mapped_column(sa.String(20))
    prediction_prompt: Mapped[str] = mapped_column(sa.String(500), default="")
    is_all_required: Mapped[bool] = mapped_column(default=False)
    # Questions flagged "cần rà soát" (their article changed after they were written) are not drawn.
    is_flagged_excluded: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # What a contestant sees after submitting: score only; answers and articles after the close; or at once.
    review_policy: Mapped[str] = mapped_column(sa.String(20), default="after_close")
    # The public board shows results as they stood at this instant until results are published.
    freeze_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the round was settled: its papers final, the prediction's figure fixed, the final order stored
    # (contest.results.services.settle_round); None until then.
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The true figure the prediction is measured against, fixed once the round has closed.
    prediction_truth: Mapped[int | None] = mapped_column(sa.BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contest: Mapped[Contest] = relationship(back_populates="rounds")
    bank: Mapped["QuestionBank"] = relationship()  # noqa: F821

    def may_review_at(self, now: datetime) -> bool:
        """True when a submitted paper may show the right answers and their articles."""
        return may_review(self.review_policy, self.attempts_allowed, self.closes_at, now)

    @property
    def prediction_question(self) -> str:
        """The prediction question the paper asks: the stored wording, or the one naming the kind's figure."""
        return prediction_prompt(self.prediction_kind, self.prediction_prompt)

    def is_open_at(self, now: datetime) -> bool:
        """True while the round accepts new attempts."""
        return self.opens_at <= now < self.closes_at

    def state_at(self, now: datetime) -> str:
        """"upcoming", "open" or "closed" at `now`."""
        if now < self.opens_at:
            return "upcoming"
        return "open" if now < self.closes_at else "closed"


class RoundChange(db.Model):
    """A change to a round's settings after it started (only the closing time may change): the log."""

    __tablename__ = "round_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    field: Mapped[str] = mapped_column(sa.String(50))
    old_value: Mapped[str] = mapped_column(sa.String(200))
    new_value: Mapped[str] = mapped_column(sa.String(200))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

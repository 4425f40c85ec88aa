"""Live events: teams, judges, segments of questions from a bank, and runs (the real one and rehearsals)
with everything a run records: answers, buzzer presses, stakes and the ledger of marks."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.database import UTCDateTime, utcnow
from contest.extensions import db

SEGMENT_KINDS = ("all_answer", "speed", "buzzer", "star")
PHASES = ("lobby", "staking", "open", "paused", "locked", "revealed", "scoreboard", "finished")
MARK_KINDS = ("auto", "host", "correction")

live_event_judges = sa.Table(
    "live_event_judges", db.metadata,
    sa.Column("event_id", sa.ForeignKey("live_events.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id"), primary_key=True),
)


class LiveEvent(db.Model):
    """A live contest on a stage: its teams, segments, judges, and the code phones join with."""

    __tablename__ = "live_events"
    __table_args__ = (sa.CheckConstraint(sa.text("mode IN ('teams', 'individuals')"), name="mode"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # What contestants type (or scan) to join: six letters and digits without look-alikes.
    code: Mapped[str] = mapped_column(sa.String(8), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    venue: Mapped[str] = mapped_column(sa.String(200), default="")
    mode: Mapped[str] = mapped_column(sa.String(12), default="teams")
    bank_id: Mapped[int] = mapped_column(sa.ForeignKey("question_banks.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set by the publication step once two judges have signed (contest.live.publication).
    results_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    bank: Mapped["QuestionBank"] = relationship()  # noqa: F821
    teams: Mapped[list["LiveTeam"]] = relationship(back_populates="event", order_by="LiveTeam.position",
                                                   cascade="all, delete-orphan")
    segments: Mapped[list["LiveSegment"]] = relationship(back_populates="event", order_by="LiveSegment.position",
                                                         cascade="all, delete-orphan")
    judges: Mapped[list["User"]] = relationship(secondary=live_event_judges, order_by="User.full_name")  # noqa: F821

    @property
    def is_individual(self) -> bool:
        """True when each "team" is one person."""
        return self.mode == "individuals"


class LiveTeam(db.Model):
    """A team on the stage (usually an agency with its members), or one person in an individual event."""

    __tablename__ = "live_teams"
    __table_args__ = (sa.UniqueConstraint("event_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("live_events.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(200))
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"))
    # Members' names, one a line as the organizer typed them.
    members: Mapped[str] = mapped_column(sa.Text, default="")
    # Six digits handed to the team with its QR code: a device joins the team with the event code and this.
    pin: Mapped[str] = mapped_column(sa.String(6))

    event: Mapped[LiveEvent] = relationship(back_populates="teams")
    agency: Mapped["Agency | None"] = relationship()  # noqa: F821

    @property
    def member_names(self) -> list[str]:
        """The members, one a line."""
        return [line.strip() for line in self.members.splitlines() if line.strip()]


class LiveSegment(db.Model):
    """A part of the event with its own rules (all answer, speed, buzzer, star) and its questions in order."""

    __tablename__ = "live_segments"
    __table_args__ = (
        sa.CheckConstraint(sa.text("kind IN ('all_answer', 'speed', 'buzzer', 'star')"), name="kind"),
        sa.CheckConstraint("seconds > 0 AND points >= 0", name="timing"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("live_events.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.String(12))
    title: Mapped[str] = mapped_column(sa.String(200))
    seconds: Mapped[int] = mapped_column(default=20)
    points: Mapped[int] = mapped_column(default=10)
    # The kind's own rules (contest.live.rules.SegmentRules): speed's points by order, the buzzer's
    # wrong-answer rule and penalty, the star's stakes per team and what a wrong staked answer costs.
    settings: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    event: Mapped[LiveEvent] = relationship(back_populates="segments")
    questions: Mapped[list["LiveQuestion"]] = relationship(back_populates="segment", order_by="LiveQuestion.position",
                                                           cascade="all, delete-orphan")


class LiveQuestion(db.Model):
    """A bank question placed in a segment (chosen, or drawn by quotas)."""

    __tablename__ = "live_questions"
    __table_args__ = (sa.UniqueConstraint("segment_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    segment_id: Mapped[int] = mapped_column(sa.ForeignKey("live_segments.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("questions.id"))

    segment: Mapped[LiveSegment] = relationship(back_populates="questions")
    question: Mapped["Question"] = relationship()  # noqa: F821


class LiveRun(db.Model):
    """One showing of an event: the real one (at most one) or a rehearsal, whose records are deleted when it
    ends. Holds the stage's state; `version` moves on every change every screen must see."""

    __tablename__ = "live_runs"
    __table_args__ = (
        sa.Index("uq_live_runs_real", "event_id", unique=True,
                 sqlite_where=sa.text("is_rehearsal = 0"), postgresql_where=sa.text("NOT is_rehearsal")),
        sa.Index("uq_live_runs_active", "event_id", unique=True,
                 sqlite_where=sa.text("ended_at IS NULL"), postgresql_where=sa.text("ended_at IS NULL")),
        sa.CheckConstraint(sa.text("phase IN ('lobby', 'staking', 'open', 'paused', 'locked', 'revealed', "
                                   "'scoreboard', 'finished')"), name="phase"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("live_events.id", ondelete="CASCADE"))
    is_rehearsal: Mapped[bool] = mapped_column(default=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    phase: Mapped[str] = mapped_column(sa.String(12), default="lobby")
    question_id: Mapped[int | None] = mapped_column(sa.ForeignKey("live_questions.id"))
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the open question locks, by the server's clock; NULL while paused or while a team holds the buzzer.
    locks_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Time left on a paused question (or a buzzer question while a team answers aloud).
    remaining_ms: Mapped[int | None]
    # The team answering aloud on a buzzer question.
    buzz_team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("live_teams.id"))
    version: Mapped[int] = mapped_column(default=1)

    event: Mapped[LiveEvent] = relationship()
    question: Mapped[LiveQuestion | None] = relationship()


class LiveAnswer(db.Model):
    """A team's answer to a question, the first its devices sent; the server's clock stamped it."""

    __tablename__ = "live_answers"
    __table_args__ = (sa.UniqueConstraint("run_id", "question_id", "team_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("live_runs.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("live_questions.id"))
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("live_teams.id"))
    choice: Mapped[int] = mapped_column(sa.SmallInteger)
    device: Mapped[str] = mapped_column(sa.String(16), default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LiveBuzz(db.Model):
    """A team's press of the buzzer on a question; the order of presses is the order of turns."""

    __tablename__ = "live_buzzes"
    __table_args__ = (sa.UniqueConstraint("run_id", "question_id", "team_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("live_runs.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("live_questions.id"))
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("live_teams.id"))
    pressed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set once the host has marked the team's spoken answer.
    is_correct: Mapped[bool | None]


class LiveStake(db.Model):
    """A team's star on a question: double the points if right, and the penalty of the segment if not."""

    __tablename__ = "live_stakes"
    __table_args__ = (sa.UniqueConstraint("run_id", "question_id", "team_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("live_runs.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("live_questions.id"))
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("live_teams.id"))
    staked_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LiveMark(db.Model):
    """The ledger of points: the server's marks at the lock, the host's marks of spoken answers, and
    corrections (the change, with its reason and who made it). A team's score is the sum of its rows."""

    __tablename__ = "live_marks"
    __table_args__ = (
        sa.Index("ix_live_marks_run_team", "run_id", "team_id"),
        sa.CheckConstraint(sa.text("kind IN ('auto', 'host', 'correction')"), name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("live_runs.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("live_questions.id"))
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("live_teams.id"))
    kind: Mapped[str] = mapped_column(sa.String(12))
    points: Mapped[int]
    is_correct: Mapped[bool | None]
    note: Mapped[str] = mapped_column(sa.Text, default="")
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    team: Mapped[LiveTeam] = relationship()
    user: Mapped["User | None"] = relationship()  # noqa: F821

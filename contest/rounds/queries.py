"""Reading contests and rounds for the public pages: the contest's home page, a round's page."""
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from contest.attempts.models import Attempt
from contest.database import first_row
from contest.extensions import db
from contest.leaderboards.counts import refreshed
from contest.leaderboards.models import ContestStanding
from contest.prizes.models import PrizeRule
from contest.rounds.models import Contest, Round, may_review

@dataclass(frozen=True)
class RoundState:
    """A round as its boards and result pages read it: the columns they show or decide by, detached from
    the session (the round's forty-odd columns loaded as an object cost more than the rest of a lookup)."""

    id: int
    contest_id: int
    name: str
    created_at: datetime
    closes_at: datetime
    freeze_at: datetime | None
    published_at: datetime | None
    settled_at: datetime | None
    prediction_kind: str | None
    prediction_truth: int | None
    attempts_allowed: int | None
    review_policy: str
    is_all_required: bool

    def may_review_at(self, now: datetime) -> bool:
        """True when a submitted paper may show the right answers and their articles."""
        return may_review(self.review_policy, self.attempts_allowed, self.closes_at, now)


_READ_ROUND = sa.select(*(Round.__table__.c[name] for name in RoundState.__dataclass_fields__)).where(
    Round.__table__.c.id == sa.bindparam("round_id"))


def read_round_state(round_id: int) -> RoundState | None:
    """The round as its boards and result pages read it, in one query; None if there is none."""
    row = first_row(db.session, db.engine, _READ_ROUND, {"round_id": round_id})
    return RoundState(*row) if row is not None else None


# The home page's live figures are at most this old (a count over a national contest's standings).
FIGURES_SECONDS = 60


@dataclass
class ContestFigures:
    """What the home page counts: papers submitted, people with a result, agencies they come from."""

    papers: int
    entrants: int
    agencies: int


@dataclass
class PrizeLine:
    """A prize of a stream: its name and how many are given."""

    name: str
    count: int


@dataclass
class ContestHome:
    """Everything the contest's home page shows."""

    contest: Contest
    rounds: list[Round]
    open_round: Round | None
    next_round: Round | None
    figures: ContestFigures
    prizes: dict[str, list[PrizeLine]] = field(default_factory=dict)
    prizes_round: Round | None = None

    @property
    def featured(self) -> Round | None:
        """The round the page leads with: the open one, else the next to open."""
        return self.open_round or self.next_round


def current_contest(now: datetime) -> Contest | None:
    """The contest the site opens on: the one with a round open now (the latest opened), else the
    next to open, else the one that closed last."""
    open_round = db.session.scalar(sa.select(Round).where(Round.opens_at <= now, Round.closes_at > now)
                                   .order_by(Round.opens_at.desc(), Round.id.desc()).limit(1))
    if open_round is not None:
        return open_round.contest
    upcoming = db.session.scalar(sa.select(Round).where(Round.opens_at > now).order_by(Round.opens_at).limit(1))
    if upcoming is not None:
        return upcoming.contest
    last = db.session.scalar(sa.select(Round).order_by(Round.closes_at.desc()).limit(1))
    return last.contest if last is not None else db.session.scalar(sa.select(Contest).order_by(Contest.id).limit(1))


def other_contests(contest: Contest | None) -> list[Contest]:
    """Every other contest, newest first."""
    query = sa.select(Contest).order_by(Contest.created_at.desc())
    if contest is not None:
        query = query.where(Contest.id != contest.id)
    return db.session.scalars(query).all()


def count_figures(contest_id: int) -> ContestFigures:
    """Papers submitted in the contest's rounds, people with an overall result and their agencies."""
    papers = db.session.scalar(sa.select(sa.func.count()).select_from(Attempt).join(Round)
                               .where(Round.contest_id == contest_id, Attempt.submitted_at.is_not(None))) or 0
    entrants, agencies = db.session.execute(
        sa.select(sa.func.count(), sa.func.count(sa.distinct(ContestStanding.agency_id)))
        .where(ContestStanding.contest_id == contest_id)).one()
    return ContestFigures(papers=papers, entrants=entrants or 0, agencies=agencies or 0)


def contest_figures(contest: Contest) -> ContestFigures:
    """The contest's live figures, at most FIGURES_SECONDS old (each worker refreshes them in the
    background: the home page is what a rush opens first)."""
    # The id alone can name a recreated contest, hence its creation time in the key.
    key = ("contest-figures", str(db.engine.url), contest.id, contest.created_at)
    return refreshed(key, lambda: count_figures(contest.id), FIGURES_SECONDS)


def prize_lines(round_: Round) -> dict[str, list[PrizeLine]]:
    """A round's prizes by stream, in rank order."""
    lines: dict[str, list[PrizeLine]] = {}
    for rule in db.session.scalars(sa.select(PrizeRule).where(PrizeRule.round_id == round_.id)
                                   .order_by(PrizeRule.stream, PrizeRule.rank_order)):
        lines.setdefault(rule.stream, []).append(PrizeLine(name=rule.name, count=rule.count))
    return lines


def contest_overview(contest: Contest, now: datetime) -> ContestHome:
    """The contest's rounds in order, the one open now and the next to open, its figures and prizes."""
    rounds = list(contest.rounds)
    open_round = next((r for r in reversed(rounds) if r.is_open_at(now)), None)
    next_round = next((r for r in rounds if r.opens_at > now), None)
    home = ContestHome(contest=contest, rounds=rounds, open_round=open_round, next_round=next_round,
                       figures=contest_figures(contest))
    # Prizes of the round the page leads with, or of the latest round that has some.
    for round_ in [r for r in (open_round, next_round) if r] + list(reversed(rounds)):
        home.prizes = prize_lines(round_)
        if home.prizes:
            home.prizes_round = round_
            break
    return home


def own_papers(round_id: int, user_id: int) -> list[Attempt]:
    """The contestant's attempts in the round, first to last."""
    return db.session.scalars(sa.select(Attempt).where(Attempt.user_id == user_id, Attempt.round_id == round_id)
                              .order_by(Attempt.number)).all()

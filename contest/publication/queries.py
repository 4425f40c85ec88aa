"""What a published round shows the public: the signed winners (names masked), the collective ranking
and the figures organisers publish each week (entries by stream, participation by agency, score bands)."""
from dataclasses import dataclass

import sqlalchemy as sa

from contest.accounts.models import User
from contest.attempts.models import Attempt
from contest.extensions import db
from contest.judging.queries import CollectiveGroup, round_agency_report
from contest.leaderboards.models import Standing
from contest.prizes.models import ResultSnapshot, SignOff
from contest.prizes.services import snapshot_of, snapshot_winners
from contest.publication.models import Publication
from contest.publication.services import publication_of
from contest.rounds.models import Contest, Round
from contest.scoring.rules import mask_name
from contest.statistics.queries import AgencyParticipation, ScoreBand, participation_by_agency, score_bands, \
    score_distribution

# Agencies per group the public page names in the collective ranking; the judges' page has them all.
COLLECTIVE_SHOWN = 10


@dataclass
class PublicWinner:
    """A prize as the public page shows it: the name masked by the contest's rule."""

    stream: str
    prize: str
    rank: int
    name: str
    agency: str
    score: int
    max_score: int
    duration_ms: int


@dataclass
class StreamEntries:
    """A stream's figures: people with a counted paper, and papers submitted."""

    stream: str
    people: int
    papers: int


@dataclass
class RoundResults:
    """Everything the public results page of a published round shows."""

    round: Round
    publication: Publication
    snapshot: ResultSnapshot
    signatures: list[SignOff]
    winners: list[PublicWinner]
    collective: list[CollectiveGroup]
    # The contest's collective formula, in words.
    formula: str
    streams: list[StreamEntries]
    participation: list[AgencyParticipation]
    full_agencies: list[str]
    bands: list[ScoreBand]

    @property
    def people(self) -> int:
        """Contestants with a counted paper."""
        return sum(line.people for line in self.streams)

    @property
    def papers(self) -> int:
        """Papers submitted."""
        return sum(line.papers for line in self.streams)


def public_winners(round_: Round, winners: list[dict]) -> list[PublicWinner]:
    """Signed winners with their names masked by the contest's rule."""
    mode = round_.contest.name_mask
    return [PublicWinner(stream=w["stream"], prize=w["prize"], rank=w["rank"], name=mask_name(w["full_name"], mode),
                         agency=w["agency"], score=w["score"], max_score=w["max_score"],
                         duration_ms=w["duration_ms"]) for w in winners]


def signatures_of(snapshot: ResultSnapshot) -> list[SignOff]:
    """The judges' signatures that froze a round's snapshot, earliest first."""
    return db.session.scalars(sa.select(SignOff).where(SignOff.round_id == snapshot.round_id,
                                                       SignOff.checksum == snapshot.checksum)
                              .order_by(SignOff.created_at, SignOff.id)).all()


def entries_by_stream(round_: Round) -> list[StreamEntries]:
    """People (counted papers) and papers submitted, per stream, in the contest's order of streams."""
    people = dict(db.session.execute(
        sa.select(User.stream, sa.func.count()).select_from(Standing).join(User, User.id == Standing.user_id)
        .where(Standing.round_id == round_.id).group_by(User.stream)).all())
    papers = dict(db.session.execute(
        sa.select(User.stream, sa.func.count()).select_from(Attempt).join(User, User.id == Attempt.user_id)
        .where(Attempt.round_id == round_.id, Attempt.submitted_at.is_not(None)).group_by(User.stream)).all())
    order = list(round_.contest.streams or ["CBCCVC"])
    order += sorted((set(people) | set(papers)) - set(order))
    return [StreamEntries(stream=stream, people=people.get(stream, 0), papers=papers.get(stream, 0))
            for stream in order]


def round_results(round_: Round) -> RoundResults | None:
    """The published round's public results, or None while it is not published."""
    publication = publication_of(round_)
    snapshot = snapshot_of(round_) if publication else None
    if publication is None or snapshot is None:
        return None
    participation = participation_by_agency(round_)
    report = round_agency_report(round_)
    groups = report.groups
    for group in groups:
        group.entries = [entry for entry in group.entries if entry.is_qualified][:COLLECTIVE_SHOWN]
    return RoundResults(
        round=round_, publication=publication, snapshot=snapshot, signatures=signatures_of(snapshot),
        winners=public_winners(round_, snapshot_winners(snapshot)), collective=[g for g in groups if g.entries], formula=report.formula,
        streams=entries_by_stream(round_), participation=participation,
        full_agencies=[line.name for line in participation if line.headcount and line.entrants >= line.headcount],
        bands=score_bands(score_distribution(round_), round_.question_count))


@dataclass
class ContestPrize:
    """A line of the contest's prize list: a round's prize and its (masked) holder."""

    round: Round
    winner: PublicWinner


def contest_prizes(contest: Contest) -> list[ContestPrize]:
    """Every prize of the contest's published rounds, round by round in the signed order."""
    rows = db.session.execute(
        sa.select(Round, ResultSnapshot).join(Publication, Publication.round_id == Round.id)
        .join(ResultSnapshot, ResultSnapshot.round_id == Round.id)
        .where(Round.contest_id == contest.id).order_by(Round.opens_at, Round.id)).all()
    return [ContestPrize(round=round_, winner=winner)
            for round_, snapshot in rows for winner in public_winners(round_, snapshot_winners(snapshot))]


def published_rounds(contest: Contest) -> set[int]:
    """Ids of the contest's rounds whose results are public."""
    return set(db.session.scalars(sa.select(Publication.round_id).join(Round, Round.id == Publication.round_id)
                                  .where(Round.contest_id == contest.id)))

"""Integrity signals in a round, each with the evidence a judge needs to decide.

Nothing here changes a result: a flag is a reason to look, and offices, families and shared
computers explain many of them. Every signal is a grouped query (or a bounded follow-up on the
few rows a group flagged), never a query per contestant.
"""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from contest.accounts.models import User
from contest.agencies.models import Agency
from contest.attempts.models import Attempt, AttemptItem
from contest.extensions import db
from contest.integrity.masks import mask_citizen_id, mask_device, mask_email, mask_ip
from questions.text import fold

# Several accounts starting attempts from one browser (the device cookie) are unusual…
DEVICE_MIN_ACCOUNTS = 2
# …but an office shares one public address, so an address needs many more accounts.
ADDRESS_MIN_ACCOUNTS = 5
# A paper finished faster than this per question…
FAST_MS_PER_QUESTION = 2000
# …with at least this share of right answers was hardly read.
FAST_MIN_SCORE_PERCENT = 80
# What an item answered right chose, in a paper's signature (its question's right options).
RIGHT = ("right",)


@dataclass
class SourceAccount:
    """One account's attempts from a shared device or address."""

    user_id: int
    full_name: str
    agency: str
    attempts: int
    first_started_at: datetime
    last_started_at: datetime


@dataclass
class SharedSource:
    """A device or address several accounts started attempts from (shown masked)."""

    masked: str
    accounts: list[SourceAccount]


@dataclass
class PaperEvidence:
    """A submitted paper as evidence: whose, its result, when and from where."""

    attempt_id: int
    user_id: int
    full_name: str
    agency: str
    score: int
    max_score: int
    duration_ms: int
    started_at: datetime
    submitted_at: datetime
    device: str
    address: str

    @property
    def ms_per_question(self) -> float:
        """Average time spent on a question."""
        return self.duration_ms / self.max_score if self.max_score else 0.0


@dataclass
class IdenticalGroup:
    """Papers by different accounts with the same questions and the same options chosen."""

    question_count: int
    answered: int
    wrong: int
    papers: list[PaperEvidence]


@dataclass
class IdentityAccount:
    """An account as identity evidence; the CCCD and e-mail are partially masked."""

    user_id: int
    full_name: str
    email: str
    agency: str
    citizen_id: str
    created_at: datetime


@dataclass
class IdentityGroup:
    """Accounts sharing a full name (ignoring case and diacritics) and a birth date."""

    full_name: str
    birth_date: date
    accounts: list[IdentityAccount]


@dataclass
class IntegrityReport:
    """Every signal of a round."""

    shared_devices: list[SharedSource]
    shared_addresses: list[SharedSource]
    fast_papers: list[PaperEvidence]
    identical_papers: list[IdenticalGroup]
    near_duplicates: list[IdentityGroup]

    @property
    def flag_count(self) -> int:
        """How many flags there are in all."""
        return (len(self.shared_devices) + len(self.shared_addresses) + len(self.fast_papers)
                + len(self.identical_papers) + len(self.near_duplicates))


def _shared_sources(round_id: int, column, minimum: int, mask) -> list[SharedSource]:
    """Values of `column` (device or address) that at least `minimum` accounts started from."""
    in_round = sa.and_(Attempt.round_id == round_id, column != "")
    flagged = sa.select(column).where(in_round).group_by(column).having(
        sa.func.count(sa.distinct(Attempt.user_id)) >= minimum)
    first, last = sa.func.min(Attempt.started_at), sa.func.max(Attempt.started_at)
    rows = db.session.execute(
        sa.select(column, Attempt.user_id, User.full_name, Agency.name, sa.func.count(), first, last)
        .join(User, User.id == Attempt.user_id).outerjoin(Agency, Agency.id == User.agency_id)
        .where(in_round, column.in_(flagged))
        .group_by(column, Attempt.user_id, User.full_name, Agency.name).order_by(column, first)).all()
    grouped: dict[str, list[SourceAccount]] = defaultdict(list)
    for value, user_id, full_name, agency, attempts, first_at, last_at in rows:
        grouped[value].append(SourceAccount(user_id=user_id, full_name=full_name, agency=agency or "",
                                            attempts=attempts, first_started_at=first_at, last_started_at=last_at))
    sources = [SharedSource(masked=mask(value), accounts=accounts) for value, accounts in grouped.items()]
    return sorted(sources, key=lambda source: (-len(source.accounts), source.accounts[0].first_started_at))


def shared_devices(round_id: int) -> list[SharedSource]:
    """Browsers (device cookies) from which several accounts started attempts in the round."""
    return _shared_sources(round_id, Attempt.device_id, DEVICE_MIN_ACCOUNTS, mask_device)


def shared_addresses(round_id: int) -> list[SharedSource]:
    """Addresses from which many accounts started attempts (offices share one, hence the higher bar)."""
    return _shared_sources(round_id, Attempt.client_ip, ADDRESS_MIN_ACCOUNTS, mask_ip)


def _papers(condition) -> list[PaperEvidence]:
    """Submitted papers matching `condition`, with their accounts, in order of submission."""
    rows = db.session.execute(
        sa.select(Attempt, User.full_name, Agency.name).join(User, User.id == Attempt.user_id)
        .outerjoin(Agency, Agency.id == User.agency_id)
        .where(condition, Attempt.submitted_at.is_not(None)).order_by(Attempt.submitted_at, Attempt.id)).all()
    return [PaperEvidence(attempt_id=attempt.id, user_id=attempt.user_id, full_name=full_name, agency=agency or "",
                          score=attempt.score, max_score=attempt.max_score, duration_ms=attempt.duration_ms,
                          started_at=attempt.started_at, submitted_at=attempt.submitted_at,
                          device=mask_device(attempt.device_id), address=mask_ip(attempt.client_ip))
            for attempt, full_name, agency in rows]


def fast_papers(round_id: int) -> list[PaperEvidence]:
    """Papers with a high score finished in under FAST_MS_PER_QUESTION per question."""
    return _papers(sa.and_(
        Attempt.round_id == round_id,
        Attempt.duration_ms < Attempt.max_score * FAST_MS_PER_QUESTION,
        Attempt.score * 100 >= Attempt.max_score * FAST_MIN_SCORE_PERCENT))


def _paper_signature(items: list[tuple]) -> tuple[tuple, int, int]:
    """(question, options chosen as stored) for every item, with the answered and wrong counts.

    Options are compared as stored, not as shown: each paper shuffles them differently. An item
    answered right chose its question's right options, the same on every paper (RIGHT): only the
    items missed carry their choices (the rest are not read).
    """
    signature, answered, wrong = [], 0, 0
    for question_id, choice_order, selected, is_correct in items:
        if is_correct:
            answered += 1
            signature.append((question_id, RIGHT))
            continue
        chosen = tuple(sorted(choice_order[position] for position in (selected or [])))
        answered += bool(chosen)
        wrong += bool(chosen)
        signature.append((question_id, chosen))
    return tuple(sorted(signature)), answered, wrong


def _chunks(ids: list[int], size: int = 5000):
    """The ids in lists short enough for one IN list (the drivers cap a statement's parameters)."""
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


# A paper's choices are keyed by a sum of one number per item missed, each below this prime.
_KEY_PRIME = 2_147_483_647


def _choice_key(dialect: str) -> sa.ScalarSelect:
    """A number for an item's question and chosen options as stored (not as shown), mixed so that two
    papers' sums over their missed items rarely agree unless their choices do: the JSON of the
    selection mapped through the choice order as a bit mask, in SQL (the dialects' JSON functions
    differ), squared modulo a prime. One subquery per item missed."""
    item = AttemptItem.__table__
    if dialect == "postgresql":
        shown = sa.func.json_array_elements_text(
            sa.case((sa.func.json_typeof(item.c.selected) == "array", item.c.selected))).table_valued("value")
        stored = sa.cast(item.c.choice_order.op("->>")(sa.cast(shown.c.value, sa.Integer)), sa.Integer)
    else:
        shown = sa.func.json_each(
            sa.case((sa.func.json_type(item.c.selected) == "array", item.c.selected))).table_valued("value")
        stored = sa.func.json_extract(item.c.choice_order, "$[" + sa.cast(shown.c.value, sa.String) + "]")
    mask = sa.cast(sa.func.coalesce(sa.func.sum(sa.literal(1, sa.BigInteger).op("<<")((stored % 62).self_group())), 0),
                   sa.BigInteger)
    # The mask's sum written twice is one aggregate to PostgreSQL and SQLite (computed once).
    mixed = ((sa.cast(item.c.question_id, sa.BigInteger) * 1031 + mask % 1021) % _KEY_PRIME).self_group()
    return sa.select((mixed * mixed) % _KEY_PRIME).select_from(shown).scalar_subquery()


def identical_papers(round_id: int) -> list[IdenticalGroup]:
    """Papers of two or more accounts with the same questions and the same choices, sharing at
    least one wrong answer (all-blank papers, and perfect papers, which are alike by definition,
    prove nothing).

    SQL first narrows to papers alike in score, question set, the set of questions not answered
    right (count, sum and sum of squares of the question ids of each) and the options chosen on those
    (a sum of _choice_key): a cheap key whose rare collisions the exact check below removes. The
    questions missed and their choices are in the key because a round that gives everyone the same
    questions makes every paper of a score alike in the rest: without them each of those papers was
    read and compared here. The exact check reads the choices of the items missed only (an item
    answered right chose what every right answer to it chooses).
    """
    question_id = sa.cast(AttemptItem.question_id, sa.BigInteger)
    missed = sa.func.coalesce(AttemptItem.is_correct, sa.false()).is_(False)
    keys = (sa.select(Attempt.id.label("attempt_id"), Attempt.user_id, Attempt.score,
                      sa.func.count().label("item_count"), sa.func.sum(question_id).label("id_sum"),
                      sa.func.sum(question_id * question_id).label("id_squares"),
                      sa.func.sum(question_id).filter(missed).label("missed_sum"),
                      sa.func.sum(question_id * question_id).filter(missed).label("missed_squares"),
                      sa.func.sum(_choice_key(db.engine.dialect.name)).filter(missed).label("choices"))
            .join(AttemptItem, AttemptItem.attempt_id == Attempt.id)
            .where(Attempt.round_id == round_id, Attempt.submitted_at.is_not(None), Attempt.score < Attempt.max_score)
            .group_by(Attempt.id, Attempt.user_id, Attempt.score).cte("paper_keys"))
    # A paper below full marks misses at least one question: its missed sums are never NULL.
    key_columns = (keys.c.score, keys.c.item_count, keys.c.id_sum, keys.c.id_squares, keys.c.missed_sum,
                   keys.c.missed_squares, keys.c.choices)
    shared = (sa.select(*key_columns).group_by(*key_columns)
              .having(sa.func.count(sa.distinct(keys.c.user_id)) >= 2).subquery())
    user_of: dict[int, int] = dict(db.session.execute(sa.select(keys.c.attempt_id, keys.c.user_id).join(
        shared, sa.and_(*(column == shared.c[column.key] for column in key_columns)))).all())
    if not user_of:
        return []
    items: dict[int, list[tuple]] = defaultdict(list)
    read = sa.select(AttemptItem.attempt_id, AttemptItem.question_id, sa.case((missed, AttemptItem.choice_order)),
                     sa.case((missed, AttemptItem.selected)), AttemptItem.is_correct)
    for chunk in _chunks(list(user_of)):
        for attempt_id, *item in db.session.execute(read.where(AttemptItem.attempt_id.in_(chunk))):
            items[attempt_id].append(tuple(item))
    by_signature: dict[tuple, list[int]] = defaultdict(list)
    counts: dict[tuple, tuple[int, int, int]] = {}
    for attempt_id, paper in items.items():
        signature, answered, wrong = _paper_signature(paper)
        if wrong:
            by_signature[signature].append(attempt_id)
            counts[signature] = (len(paper), answered, wrong)
    groups = {signature: attempt_ids for signature, attempt_ids in by_signature.items()
              if len({user_of[attempt_id] for attempt_id in attempt_ids}) >= 2}
    if not groups:
        return []
    papers = {paper.attempt_id: paper for chunk in _chunks(
        [attempt_id for attempt_ids in groups.values() for attempt_id in attempt_ids])
        for paper in _papers(Attempt.id.in_(chunk))}
    result = []
    for signature, attempt_ids in groups.items():
        question_count, answered, wrong = counts[signature]
        members = sorted((papers[attempt_id] for attempt_id in attempt_ids), key=lambda p: (p.submitted_at, p.attempt_id))
        result.append(IdenticalGroup(question_count=question_count, answered=answered, wrong=wrong, papers=members))
    return sorted(result, key=lambda group: (-len(group.papers), group.papers[0].submitted_at))


def near_duplicate_identities(round_id: int) -> list[IdentityGroup]:
    """Accounts that started in the round and share a full name and birth date with another of them.

    The CCCD is unique, so one person with two accounts shows up as two numbers under one name and
    birth date. Names are compared without case or diacritics ("Nguyen Van An" = "Nguyễn Văn An").
    """
    participants = sa.select(Attempt.user_id).where(Attempt.round_id == round_id).distinct()
    people = db.session.execute(
        sa.select(User.id, User.full_name, User.birth_date)
        .where(User.id.in_(participants), User.birth_date.is_not(None))).all()
    grouped: dict[tuple, list[int]] = defaultdict(list)
    for user_id, full_name, birth_date in people:
        grouped[(fold(full_name), birth_date)].append(user_id)
    groups = {key: ids for key, ids in grouped.items() if len(ids) >= 2}
    if not groups:
        return []
    accounts = {user.id: (user, agency) for user, agency in db.session.execute(
        sa.select(User, Agency.name).outerjoin(Agency, Agency.id == User.agency_id)
        .where(User.id.in_([user_id for ids in groups.values() for user_id in ids])))}
    result = []
    for (_, birth_date), ids in groups.items():
        members = [IdentityAccount(user_id=user.id, full_name=user.full_name, email=mask_email(user.email),
                                   agency=agency or "", citizen_id=mask_citizen_id(user.citizen_id),
                                   created_at=user.created_at)
                   for user, agency in sorted((accounts[user_id] for user_id in ids), key=lambda pair: pair[0].id)]
        result.append(IdentityGroup(full_name=members[0].full_name, birth_date=birth_date, accounts=members))
    return sorted(result, key=lambda group: (fold(group.full_name), group.birth_date))


def integrity_report(round_id: int) -> IntegrityReport:
    """Every integrity signal of the round."""
    return IntegrityReport(shared_devices=shared_devices(round_id), shared_addresses=shared_addresses(round_id),
                           fast_papers=fast_papers(round_id), identical_papers=identical_papers(round_id),
                           near_duplicates=near_duplicate_identities(round_id))

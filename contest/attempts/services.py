"""The attempt engine: start, save, submit and expire, with the server's clock as the only clock.

Concurrency: a save holds a share lock on its attempt row and a submission an exclusive one, so a
save can never land between a submission's marking and its commit; limits on attempts are unique
indexes, so parallel starts cannot exceed them (see docs/ARCHITECTURE.md).
"""
import functools
from collections.abc import Iterator
from contextlib import contextmanager
import json
import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import attrgetter

import psycopg
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from contest.accounts.models import Role, User
from contest.accounts.sessions import is_live
from contest.agencies.models import Agency
from contest.attempts.ahead import paper_recipe
from contest.attempts.draw import DrawError, draw_paper, shuffled_order
from contest.attempts.models import Attempt, AttemptItem
from contest.attempts.pool import drawable_pool
from contest.attempts.postgres import start_with_drawn_paper
from contest.bank.models import Question, QuestionBank
from contest.database import UTCDateTime, autocommit_driver_connection, driver_statement
from contest.extensions import db
from contest.leaderboards.services import (contest_standing_statement, record_standing, standing_params,
                                          standing_statement)
from contest.rounds.models import Contest, Round
from contest.scoring.rules import is_answer_correct

MAX_PREDICTION = 10**9
_ITEM, _ATTEMPT, _USER = AttemptItem.__table__, Attempt.__table__, User.__table__
_ATTEMPT_INSERT = _ATTEMPT.insert().returning(_ATTEMPT.c.id)


class AttemptError(Exception):
    """A request the rules refuse; the message is Vietnamese and shown to the contestant."""


def grace() -> timedelta:
    """How long after the deadline a save or submission sent in time may still arrive."""
    return timedelta(seconds=current_app.config["ATTEMPT_GRACE_SECONDS"])


def open_attempt(user_id: int, round_id: int) -> Attempt | None:
    """The contestant's attempt in progress in this round, if any."""
    return db.session.scalar(sa.select(Attempt).where(
        Attempt.user_id == user_id, Attempt.round_id == round_id, Attempt.submitted_at.is_(None)))


# What saving and marking read of the round (its other columns load if something else asks for them).
_ROUND_RULES = (Round.contest_id, Round.counting_rule, Round.prediction_kind, Round.is_all_required, Round.freeze_at,
                Round.closes_at)


def _lock_query(exclusive: bool, *columns) -> sa.Select:
    return sa.select(Attempt, *columns) \
        .options(joinedload(Attempt.round, innerjoin=True).load_only(*_ROUND_RULES)
                 .joinedload(Round.contest, innerjoin=True).load_only(Contest.overall_rule)) \
        .with_for_update(read=not exclusive, of=Attempt.__table__).execution_options(populate_existing=True)


def lock_attempt(attempt_id: int, exclusive: bool) -> Attempt | None:
    """Load an attempt row under a lock: shared for saves, exclusive for submission.

    Neither needs the paper as ORM objects: a save loads the one item it changes, marking reads plain
    rows. Its round and contest come in the same query (marking and the standings read their rules);
    only the attempt row is locked.
    """
    return db.session.scalar(_lock_query(exclusive).where(Attempt.id == attempt_id))


def _submission_lock() -> tuple[sa.Select, list[str], list[str]]:
    """The lock query of open_submission on PostgreSQL: the attempt's columns, the round's rules, the
    contest's overall rule and whether the session (b_session) is live; and the names of the attempt's and the
    round's columns in it."""
    rounds, contests = Round.__table__, Contest.__table__
    round_columns = [rounds.c.id, *(rounds.c[rule.key] for rule in _ROUND_RULES)]
    query = sa.select(*_ATTEMPT.c, *round_columns, contests.c.id, contests.c.overall_rule,
                      is_live(sa.bindparam("b_session", type_=sa.String()), _ATTEMPT.c.user_id)) \
        .select_from(_ATTEMPT.join(rounds, rounds.c.id == _ATTEMPT.c.round_id)
                     .join(contests, contests.c.id == rounds.c.contest_id)) \
        .where(_ATTEMPT.c.id == sa.bindparam("b_attempt")).with_for_update(of=_ATTEMPT)
    return query, [column.key for column in _ATTEMPT.c], [column.key for column in round_columns]


_SUBMISSION_LOCK, _ATTEMPT_NAMES, _ROUND_NAMES = _submission_lock()


class _Values:
    """Column values read by the driver, as attributes: what marking reads of a row, with nothing for
    the ORM to track."""

    def __init__(self, **values):
        self.__dict__.update(values)


class LockedAttempt(_Values):
    """An attempt read under the submission's lock on PostgreSQL: its columns, and its round's rules
    (round.contest.overall_rule too) — what submit_attempt reads of an Attempt."""

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


@dataclass
class Submission:
    """An attempt locked for submission, and whether the session submitting is a live log-in of its owner. On PostgreSQL also its paper
    and the driver connection holding the lock (its transaction open); on SQLite the session's."""

    attempt: "Attempt | LockedAttempt"
    is_session_live: bool
    paper: "list[PaperRow] | None" = None
    connection: "psycopg.Connection | None" = None

    def commit(self) -> None:
        """Commit what the submission wrote (nothing is left to send if submit_attempt committed)."""
        if self.connection is None:
            db.session.commit()
        else:
            self.connection.commit()


@contextmanager
def open_submission(attempt_id: int, session_id: str) -> "Iterator[Submission | None]":
    """The attempt under the exclusive lock for its submission; None if there is no such attempt.
    Whatever the caller has not committed when the block ends is rolled back.

    PostgreSQL: the submission runs on a pooled driver connection, without the ORM (its bookkeeping
    cost a fifth of a submission). BEGIN, the lock (with the round's rules, the contest's overall rule
    and whether the session is live) and the paper are sent together in psycopg's pipeline mode: one
    round trip instead of three. The connection is in autocommit mode, so that psycopg does not send a
    BEGIN of its own and wait for its answer; everything from our BEGIN to the COMMIT is one
    transaction. The paper is its own statement, run after the lock is held, so it sees every save
    committed before (the lock's own query could not: its snapshot predates the wait).
    SQLite: lock_attempt's query with the session's check, in the session; submit_attempt reads the paper.
    """
    if db.engine.dialect.name != "postgresql":
        row = db.session.execute(_lock_query(True, is_live(session_id, Attempt.user_id))
                                 .where(Attempt.id == attempt_id)).first()
        try:
            yield Submission(row[0], row[1]) if row is not None else None
        finally:
            db.session.rollback()  # nothing, if the caller committed
        return
    lock = driver_statement(_SUBMISSION_LOCK, db.engine.dialect)
    paper = driver_statement(_PAPER_DOCUMENT["postgresql"], db.engine.dialect)
    with autocommit_driver_connection(db.engine) as raw:
        try:
            with raw.pipeline():
                raw.execute("BEGIN")
                locked = raw.execute(lock.sql, lock.params({"b_attempt": attempt_id, "b_session": session_id}))
                read = raw.execute(paper.sql, paper.params({"b_attempt": attempt_id}))
            row = lock.row(locked.fetchone())
            document = read.fetchone()[0]
            if row is None:
                yield None
                return
            values = iter(row)
            attempt = LockedAttempt(**{name: next(values) for name in _ATTEMPT_NAMES})
            attempt.round = _Values(**{name: next(values) for name in _ROUND_NAMES})
            attempt.round.contest = _Values(id=next(values), overall_rule=next(values))
            yield Submission(attempt, next(values), _paper_from(document), raw)
        finally:
            if raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                raw.rollback()


@dataclass(frozen=True)
class Entrant:
    """What starting an attempt needs of the account and its past attempts, read in one query."""

    id: int
    role: str
    stream: str
    agency_path: str | None
    is_session_live: bool  # the session starting it is a live log-in of the account (accounts.sessions)
    used: int  # attempts started in the round
    open_id: int | None  # the one in progress, if any
    bank: tuple | None  # (revision, created_at) of the round's default bank, for the cached pool


@functools.cache
def _entrant_query() -> sa.Select:
    """read_entrant's statement, built once: at the opening rush building it cost more than running it."""
    user, attempt, agency = User.__table__, Attempt.__table__, Agency.__table__
    bank = QuestionBank.__table__
    mine = sa.and_(attempt.c.user_id == sa.bindparam("user_id"), attempt.c.round_id == sa.bindparam("round_id"))
    return (sa.select(user.c.role, user.c.stream, agency.c.path, is_live(sa.bindparam("session_id"), user.c.id),
                      sa.select(sa.func.count()).select_from(attempt).where(mine).scalar_subquery(),
                      sa.select(attempt.c.id).where(mine, attempt.c.submitted_at.is_(None)).scalar_subquery(),
                      bank.c.revision, bank.c.created_at)
            .select_from(user.outerjoin(agency, agency.c.id == user.c.agency_id)
                         .outerjoin(bank, bank.c.id == sa.bindparam("bank_id")))
            .where(user.c.id == sa.bindparam("user_id")))


def read_entrant(user_id: int, session_id: str, round_: Round) -> Entrant | None:
    """The account, its attempts in the round and the round's bank revision, in one statement."""
    # Through the session: pending changes to the account are flushed first.
    row = db.session.execute(_entrant_query(), {"user_id": user_id, "session_id": session_id,
                                                "round_id": round_.id, "bank_id": round_.bank_id}).first()
    if row is None:
        return None
    role, stream, path, is_session_live, used, open_id, revision, created_at = row
    return Entrant(id=user_id, role=role, stream=stream, agency_path=path, is_session_live=bool(is_session_live),
                   used=used, open_id=open_id,
                   bank=(revision, created_at) if revision is not None else None)


def check_eligible(entrant: Entrant, round_: Round) -> None:
    """Refuse staff accounts and agencies outside the contest's eligible subtree."""
    if entrant.role != Role.CONTESTANT.value:
        raise AttemptError("Chỉ thí sinh mới được dự thi; tài khoản Ban tổ chức và Ban giám khảo không dự thi.")
    if entrant.stream not in (round_.contest.streams or ["CBCCVC"]):
        raise AttemptError(f"Cuộc thi không dành cho đối tượng “{entrant.stream}”.")
    eligible = round_.contest.eligible_agency
    if eligible is not None and (entrant.agency_path is None or not entrant.agency_path.startswith(eligible.path)):
        raise AttemptError(f"Cuộc thi dành cho cán bộ, công chức, viên chức thuộc {eligible.name}.")


def start_attempt(user: User, round_: Round, now: datetime, client_ip: str = "", device_id: str = "") -> Attempt:
    """Start (or resume) the contestant's attempt; see start_attempt_id. The caller commits."""
    return db.session.get(Attempt, start_attempt_id(read_entrant(user.id, user.session_key or "", round_), round_, now, client_ip,
                                                    device_id))


def start_attempt_id(entrant: Entrant, round_: Round, now: datetime, client_ip: str = "",
                     device_id: str = "") -> int:
    """Start (or resume) the contestant's attempt: draw the questions and shuffle their options; returns
    its id. The caller commits.

    Few statements, no ORM objects written: the entrant (read_entrant: account, attempts used, the one
    in progress, the bank's revision — its drawable questions are cached per worker), then the
    attempt and its items as two Core inserts.
    """
    check_eligible(entrant, round_)
    if now < round_.opens_at:
        raise AttemptError("Vòng thi chưa mở.")
    if now >= round_.closes_at:
        raise AttemptError("Vòng thi đã kết thúc.")
    if entrant.open_id is not None:
        current = db.session.get(Attempt, entrant.open_id)
        if not expire_if_due(current, now):
            return current.id
    used = entrant.used
    if round_.attempts_allowed is not None and used >= round_.attempts_allowed:
        raise AttemptError("Bạn đã dùng hết số lần thi của vòng này.")
    bank_id = int((round_.stream_banks or {}).get(entrant.stream, round_.bank_id))
    values = {
        "user_id": entrant.id, "round_id": round_.id, "number": used + 1, "started_at": now,
        "deadline_at": min(now + timedelta(seconds=round_.time_limit_seconds), round_.closes_at),
        "max_score": round_.question_count, "client_ip": client_ip[:45], "device_id": device_id[:64],
        "is_auto_submitted": False,
    }
    try:
        if db.engine.dialect.name == "postgresql" and bank_id == round_.bank_id and entrant.bank is not None:
            # A paper drawn ahead of the opening, if one is left: one statement, no draw here.
            attempt_id = start_with_drawn_paper(paper_recipe(round_, bank_id, entrant.bank), values)
            if attempt_id is not None:
                return attempt_id
        seed = secrets.randbits(62)
        rng = random.Random(seed)
        try:
            pool = drawable_pool(bank_id, entrant.bank if bank_id == round_.bank_id else None)
            drawn = draw_paper(pool.drawable(round_.is_flagged_excluded), round_.question_count,
                               round_.quotas or [], rng)
        except DrawError as error:
            current_app.logger.error("Round %s cannot draw a paper: %s", round_.id, error)
            raise AttemptError("Ngân hàng câu hỏi của vòng thi chưa đủ câu; vui lòng báo Ban tổ chức.")
        # Two Core statements, no unit of work: the opening rush pays for rows, not for ORM objects.
        connection = db.session.connection()
        attempt_id = connection.execute(_ATTEMPT_INSERT, {**values, "seed": seed}).scalar_one()
        connection.execute(_ITEM.insert(), [
            {"attempt_id": attempt_id, "position": position, "question_id": question.id,
             "choice_order": shuffled_order(question.choice_count, rng), "revision": 0}
            for position, question in enumerate(drawn)])
    except IntegrityError:
        # A parallel request (another tab, a double click) started one first: use that one.
        db.session.rollback()
        current = open_attempt(entrant.id, round_.id)
        if current is None:
            raise AttemptError("Yêu cầu bắt đầu bị trùng; vui lòng thử lại.")
        return current.id
    return attempt_id


@dataclass
class SaveResult:
    """What a save tells the page: the answer stored and the seconds left by the server's clock."""

    position: int
    selected: list[int]
    revision: int
    remaining_seconds: float


def remaining_seconds(attempt: Attempt, now: datetime) -> float:
    """Seconds until the attempt's deadline, never negative."""
    return max(0.0, (attempt.deadline_at - now).total_seconds())


def _validate_selection(choice_count: int, correct_count: int, selected: list[int]) -> list[int] | None:
    cleaned = sorted(set(selected))
    if any(not 0 <= position < choice_count for position in cleaned):
        raise AttemptError("Phương án không hợp lệ.")
    if len(cleaned) > 1 and correct_count == 1:
        raise AttemptError("Câu này chỉ chọn một phương án.")
    return cleaned or None


def _check_open(attempt: Attempt, now: datetime) -> None:
    if attempt.is_submitted:
        raise AttemptError("Bài thi đã nộp; không thể thay đổi câu trả lời.")
    if now > attempt.deadline_at + grace():
        expire_if_due(attempt, now)
        raise AttemptError("Đã hết thời gian làm bài.")


def _selection_checks(cleaned: list[int], highest) -> list:
    """SQL conditions on the item a save changes: the chosen options are among those shown (`highest`
    is the largest chosen, a value or a parameter), and several are chosen only where the question
    has several right answers."""
    checks = []
    if cleaned:
        checks.append(sa.func.json_array_length(_ITEM.c.choice_order) > highest)
    if len(cleaned) > 1:
        checks.append(sa.select(sa.func.json_array_length(Question.__table__.c.correct))
                      .where(Question.__table__.c.id == _ITEM.c.question_id).scalar_subquery() > 1)
    return checks


def _store_checked(attempt_id: int, position: int, selected: list[int], now: datetime,
                   revision: int | None) -> tuple | None:
    """The save as one conditional UPDATE: the options are checked against the shown count and the
    question's number of right answers, and of two saves racing from two tabs the higher revision
    wins (without a revision, the stored one plus one). Returns (selected, revision) as stored, or
    None when it stored nothing (stale, invalid, unknown position)."""
    cleaned = sorted(set(selected))
    if any(value < 0 for value in cleaned):
        return None
    conditions = [_ITEM.c.attempt_id == attempt_id, _ITEM.c.position == position,
                  *_selection_checks(cleaned, cleaned[-1] if cleaned else None)]
    if revision is None:
        revision = _ITEM.c.revision + 1
    else:
        conditions.append(_ITEM.c.revision < revision)
    return db.session.execute(
        sa.update(AttemptItem).where(*conditions)
        .values(selected=cleaned or None, answered_at=now, revision=revision)
        .returning(AttemptItem.selected, AttemptItem.revision)
        .execution_options(synchronize_session=False)).first()


@functools.cache
def _quick_save_statement(kind: str) -> sa.Update:
    """The one-statement save, built once per number of options chosen ("blank", "one", "several")."""
    sample = {"blank": [], "one": [0], "several": [0, 1]}[kind]  # only its length shapes the statement
    conditions = [
        _ITEM.c.attempt_id == sa.bindparam("b_attempt"), _ITEM.c.position == sa.bindparam("b_position"),
        _ITEM.c.revision < sa.bindparam("b_revision"),
        # The share lock keeps a save from landing between a submission's marking and its commit.
        # The session must be a live log-in of the account (logout, a password change or reset end it).
        is_live(sa.bindparam("b_session", type_=sa.String()), sa.bindparam("b_user")),
        sa.select(_ATTEMPT.c.id).where(_ATTEMPT.c.id == sa.bindparam("b_attempt"),
                                       _ATTEMPT.c.user_id == sa.bindparam("b_user"),
                                       _ATTEMPT.c.submitted_at.is_(None),
                                       _ATTEMPT.c.deadline_at >= sa.bindparam("b_cutoff", type_=UTCDateTime()))
        .with_for_update(read=True).exists(),
        *_selection_checks(sample, sa.bindparam("b_highest"))]
    deadline = sa.select(_ATTEMPT.c.deadline_at).where(_ATTEMPT.c.id == sa.bindparam("b_attempt")).scalar_subquery()
    return _ITEM.update().where(*conditions).values(
        selected=sa.null() if kind == "blank" else sa.bindparam("b_selected", type_=sa.JSON()),
        answered_at=sa.bindparam("b_now", type_=UTCDateTime()), revision=sa.bindparam("b_revision"),
    ).returning(_ITEM.c.selected, _ITEM.c.revision, deadline.label("deadline_at"))


def quick_save(attempt_id: int, user_id: int, session_id: str, position: int, selected: list[int], now: datetime,
               revision: int) -> SaveResult | None:
    """The usual save as one statement in its own transaction: no ORM objects, one round trip.

    The UPDATE stores the answer only if the attempt is the user's, still open and within its deadline
    plus the grace (checked under a share lock on the attempt row, as `lock_attempt` takes it), and if
    the options pass the checks of `_store_checked`. Returns None when it stored nothing; the caller
    then takes the full path, which says why.
    """
    cleaned = sorted(set(selected))
    if any(value < 0 for value in cleaned):
        return None
    kind = "blank" if not cleaned else "one" if len(cleaned) == 1 else "several"
    params = {"b_attempt": attempt_id, "b_user": user_id, "b_session": session_id, "b_position": position,
              "b_revision": revision,
              "b_cutoff": now - grace(), "b_now": now}
    if cleaned:
        params.update(b_highest=cleaned[-1], b_selected=cleaned)
    if db.engine.dialect.name == "postgresql":
        # Autocommit: the statement is its own transaction, with no BEGIN and COMMIT round trips; sent
        # by the driver itself, since SQLAlchemy's execution cost a third of the request's time.
        statement = driver_statement(_quick_save_statement(kind), db.engine.dialect)
        with autocommit_driver_connection(db.engine) as raw:
            row = statement.row(raw.execute(statement.sql, statement.params(params)).fetchone())
    else:
        with db.engine.begin() as connection:  # BEGIN IMMEDIATE (see tune_sqlite) … COMMIT
            row = connection.execute(_quick_save_statement(kind), params).first()
    if row is None:
        return None
    stored, revision, deadline_at = row
    return SaveResult(position=position, selected=stored or [], revision=revision,
                      remaining_seconds=max(0.0, (deadline_at - now).total_seconds()))


def save_answer(attempt: Attempt, position: int, selected: list[int], now: datetime,
                revision: int | None = None) -> SaveResult:
    """Store the answer to one question; refused once the attempt is over. The caller commits.

    Saves are ordered by `revision`, which the page increases with every change: a save whose
    revision is not above the stored one is stale or replayed, and changes nothing.
    """
    _check_open(attempt, now)
    stored = _store_checked(attempt.id, position, selected, now, revision)
    if stored is None:
        # Refused or stale: read the item to say why, or to tell the page the answer kept.
        item = db.session.scalar(sa.select(AttemptItem).where(
            AttemptItem.attempt_id == attempt.id, AttemptItem.position == position)
            .options(joinedload(AttemptItem.question)).execution_options(populate_existing=True))
        if item is None:
            raise AttemptError("Câu hỏi không thuộc bài thi này.")
        _validate_selection(len(item.choice_order), len(item.question.correct), selected)
        stored = (item.selected, item.revision)
    return SaveResult(position=position, selected=stored[0] or [], revision=stored[1],
                      remaining_seconds=remaining_seconds(attempt, now))


def save_prediction(attempt: Attempt, prediction: int | None, now: datetime) -> None:
    """Store the answer to the round's tie-break prediction; the caller commits."""
    _check_open(attempt, now)
    if not attempt.round.prediction_kind:
        raise AttemptError("Vòng thi này không có câu hỏi dự đoán.")
    if prediction is not None and not 0 <= prediction <= MAX_PREDICTION:
        raise AttemptError("Số dự đoán không hợp lệ.")
    attempt.prediction = prediction


def keep_answers(attempt: Attempt, answers: dict[int, list[int]], prediction: int | None, now: datetime) -> None:
    """Store the answers a page without JavaScript sent on its way to handing in; the caller commits.

    Taken under `lock_attempt(..., exclusive=False)`, like a save. A blank sent does not clear a saved
    answer (a plain form cannot un-choose a radio button anyway).
    """
    _check_open(attempt, now)
    _store_sent_answers(attempt, _paper_rows(attempt.id), answers, now)
    if prediction is not None and attempt.round.prediction_kind:
        save_prediction(attempt, prediction, now)


def unanswered_positions(attempt: Attempt) -> list[int]:
    """Positions of the questions left without an answer."""
    return [item.position for item in attempt.items if not item.selected]


@dataclass
class PaperRow:
    """What marking needs of one item: plain values read in one query, not ORM objects."""

    position: int
    selected: list[int] | None
    choice_order: list[int]
    revision: int
    correct: list[int]


def _paper_document(dialect: str) -> sa.Select:
    """The paper as one JSON array of [position, selected, choice_order, revision, correct] per item:
    one value to decode instead of three JSON columns on each of twenty rows (most of a submit's
    reading time went to decoding them one by one)."""
    question = Question.__table__
    if dialect == "postgresql":
        item = sa.func.json_build_array(_ITEM.c.position, _ITEM.c.selected, _ITEM.c.choice_order,
                                        _ITEM.c.revision, question.c.correct)
        document = sa.func.json_agg(item)
    else:  # SQLite keeps JSON as text: json() embeds it as JSON rather than as a string
        item = sa.func.json_array(_ITEM.c.position, sa.func.json(_ITEM.c.selected), sa.func.json(_ITEM.c.choice_order),
                                  _ITEM.c.revision, sa.func.json(question.c.correct))
        document = sa.func.json_group_array(item)
    return sa.select(document).select_from(_ITEM.join(question, question.c.id == _ITEM.c.question_id)) \
        .where(_ITEM.c.attempt_id == sa.bindparam("b_attempt"))


_PAPER_DOCUMENT = {dialect: _paper_document(dialect) for dialect in ("postgresql", "sqlite")}
_MARK = _ITEM.update().where(_ITEM.c.attempt_id == sa.bindparam("b_attempt")) \
    .values(is_correct=_ITEM.c.position.in_(sa.bindparam("b_correct", expanding=True)))
_CLAIM = _ATTEMPT.update().where(_ATTEMPT.c.id == sa.bindparam("b_attempt"), _ATTEMPT.c.submitted_at.is_(None))


@functools.cache
def _finish_statement(rule: str, is_before_freeze: bool, enters_standings: bool, is_best_round: bool) -> sa.Select:
    """PostgreSQL: claim the attempt (only if still open), mark its items and, if the claim took, upsert
    the round standing and, if that changed, the contest standing, as one statement of data-modifying
    CTEs (one round trip instead of four). Returns 1 if the claim took, else 0. Sent by the driver,
    so that the transaction's COMMIT can travel with it (see submit_attempt). Its text stays
    under 4 kB, the longest psycopg keeps converted in its cache (longer, it is parsed on every call)."""
    claim = _CLAIM.values(submitted_at=sa.bindparam("b_submitted_at", type_=UTCDateTime()),
                          score=sa.bindparam("b_score", type_=sa.Integer()),
                          is_auto_submitted=sa.bindparam("b_is_auto_submitted", type_=sa.Boolean()),
                          duration_ms=sa.bindparam("b_duration_ms", type_=sa.BigInteger()),
                          prediction=sa.bindparam("b_prediction", type_=sa.BigInteger())) \
        .returning(_ATTEMPT.c.id).cte("claim")
    # One array parameter, not an expanding IN: the statement's text stays the same for every paper.
    mark = _ITEM.update().where(_ITEM.c.attempt_id == sa.bindparam("b_attempt")) \
        .values(is_correct=_ITEM.c.position == sa.func.any(sa.bindparam("b_correct", type_=ARRAY(sa.Integer()))))
    statement = sa.select().add_cte(mark.cte("mark"))
    if enters_standings:
        standing = standing_statement("postgresql", rule, is_before_freeze, source=claim).cte("standing")
        overall = contest_standing_statement(
            "postgresql", is_best_round, sa.bindparam("b_contest_id", type_=sa.Integer()),
            sa.bindparam("b_user_id", type_=sa.Integer()), incoming=standing)
        statement = statement.add_cte(overall.cte("contest_standing"))
    # A data-modifying CTE runs whether or not the statement reads it.
    return statement.add_columns(sa.select(sa.func.count()).select_from(claim).scalar_subquery())


def _paper_rows(attempt_id: int) -> list[PaperRow]:
    """The attempt's items with their questions' keys, in position order."""
    connection = db.session.connection()
    document = connection.execute(_PAPER_DOCUMENT[connection.dialect.name], {"b_attempt": attempt_id}).scalar_one()
    return _paper_from(document)


def _paper_from(document) -> list[PaperRow]:
    """The paper document (see _paper_document) as rows in position order."""
    if isinstance(document, str):  # SQLite returns the text; psycopg has decoded it already
        document = json.loads(document)
    return sorted((PaperRow(*item) for item in document or ()), key=attrgetter("position"))


_STORE_SENT = _ITEM.update().where(_ITEM.c.attempt_id == sa.bindparam("b_attempt"),
                                   _ITEM.c.position == sa.bindparam("b_position")) \
    .values(selected=sa.bindparam("b_selected", type_=sa.JSON()), answered_at=sa.bindparam("b_now", type_=UTCDateTime()),
            revision=sa.bindparam("b_revision"))


def _store_sent_answers(attempt, paper: list[PaperRow], answers: dict[int, list[int]], now: datetime,
                        connection=None) -> None:
    """Store the answers sent with a submission where they differ from the saved ones (a page without
    JavaScript sends them all; a page with it has saved them already). connection: the driver's, if
    the submission runs on it (see open_submission); else the session's."""
    rows = {row.position: row for row in paper}
    changes = []
    try:
        for position, sent in answers.items():
            row = rows.get(position)
            if row is None or not sent:
                continue
            cleaned = _validate_selection(len(row.choice_order), len(row.correct), sent)
            if cleaned != row.selected:
                row.selected, row.revision = cleaned, row.revision + 1
                changes.append({"b_attempt": attempt.id, "b_position": row.position, "b_selected": cleaned,
                                "b_now": now, "b_revision": row.revision})
    finally:
        # Answers before a refused one are kept, as each would be by its own save.
        if changes and connection is None:
            db.session.execute(_STORE_SENT, changes)
        elif changes:
            statement = driver_statement(_STORE_SENT, db.engine.dialect)
            connection.cursor().executemany(statement.sql, [statement.params(change) for change in changes])


def submit_attempt(attempt: "Attempt | LockedAttempt", now: datetime, answers: dict[int, list[int]] | None = None,
                   prediction: int | None = None, paper: list[PaperRow] | None = None,
                   connection: "psycopg.Connection | None" = None, commit: bool = False,
                   is_by_clock: bool = True) -> "Attempt | LockedAttempt":
    """Finish the attempt and fix its score; idempotent. The caller commits.

    Answers sent with the submission count only if it arrives by the deadline plus the grace;
    the finish time is never later than the deadline. Where the round requires every question
    answered, a contestant's own submission with gaps is refused; a paper closed by the clock is
    kept but does not enter the standings. Marking is a few statements over plain rows: one read of
    the paper, one UPDATE of its items, one of the attempt, and the standings' upserts.

    connection, paper: the driver connection and paper of open_submission (PostgreSQL), the attempt
    then a LockedAttempt; without them the session's connection, and the paper is read here.
    commit: the caller commits as soon as this returns. On PostgreSQL the COMMIT is then sent with the
    finish statement, in one round trip, and the caller's commit finds nothing left to send.
    is_by_clock: False when the contestant handed the paper in (not the page's timer): arriving in the
    grace, it is still theirs, not automatic.
    """
    if attempt.is_submitted:
        return attempt
    if connection is None:
        db.session.flush()
    if paper is None:
        paper = _paper_rows(attempt.id)
    in_time = now <= attempt.deadline_at + grace()
    if in_time:
        _store_sent_answers(attempt, paper, answers or {}, now, connection)
        if prediction is not None and attempt.round.prediction_kind:
            save_prediction(attempt, prediction, now)  # written by the finish statement on PostgreSQL
            if connection is None:
                db.session.flush()
    is_timed_out = now >= attempt.deadline_at and (is_by_clock or not in_time)
    gaps = [row.position for row in paper if not row.selected]
    if attempt.round.is_all_required and gaps and not is_timed_out:
        numbers = ", ".join(str(position + 1) for position in gaps)
        raise AttemptError(f"Vòng thi yêu cầu trả lời tất cả các câu; còn thiếu câu {numbers}.")
    finished_at = min(now, attempt.deadline_at)
    correct = [row.position for row in paper if is_answer_correct(row.selected, row.choice_order, row.correct)]
    round_ = attempt.round
    result = {
        "submitted_at": finished_at, "score": len(correct), "is_auto_submitted": is_timed_out,
        # Integer division of timedeltas: exact to the millisecond (floats lose 1 ms in 1.001 s).
        "duration_ms": (finished_at - attempt.started_at) // timedelta(milliseconds=1),
    }
    enters_standings = not (round_.is_all_required and gaps)
    session_connection = db.session.connection() if connection is None else None
    is_one_statement = db.engine.dialect.name == "postgresql"
    if is_one_statement:
        # Mark, claim and the standings in one statement.
        raw = connection or session_connection.connection.driver_connection
        is_before_freeze = round_.freeze_at is None or finished_at < round_.freeze_at
        params = {"b_attempt": attempt.id, "b_correct": correct, "b_contest_id": round_.contest_id,
                  **standing_params(attempt, result)}
        finish = driver_statement(_finish_statement(round_.counting_rule, is_before_freeze, enters_standings,
                                                    round_.contest.overall_rule == "best_round"), db.engine.dialect)
        with raw.pipeline():
            finished = raw.execute(finish.sql, finish.params(params))
            if commit:
                raw.execute("COMMIT")
        claimed = finished.fetchone()[0]
    else:
        session_connection.execute(_MARK, {"b_attempt": attempt.id, "b_correct": correct})
        # The guard on submitted_at makes a double submit, or a submit racing the expiry job, count once.
        claimed = session_connection.execute(_CLAIM.values(**result), {"b_attempt": attempt.id}).rowcount
    if not isinstance(attempt, Attempt):  # a LockedAttempt: the lock is held, so the claim took
        attempt.__dict__.update(result)
        return attempt
    if not claimed:
        db.session.refresh(attempt)
        return attempt
    for name, value in result.items():
        set_committed_value(attempt, name, value)
    if "items" in attempt.__dict__:
        # Items loaded by the caller are out of date now: reload them when next read.
        for item in attempt.items:
            db.session.expire(item)
    if enters_standings and not is_one_statement:
        record_standing(attempt)
    return attempt


def expire_if_due(attempt: Attempt, now: datetime) -> bool:
    """Finalize an attempt whose deadline and grace have passed; True if it is (now) submitted."""
    if attempt.is_submitted:
        return True
    if now > attempt.deadline_at + grace():
        # The caller may have read the attempt without a lock: re-read it under the exclusive lock
        # (refreshing this same object), so a save that committed meanwhile is marked as stored.
        submit_attempt(lock_attempt(attempt.id, exclusive=True), now)
        return True
    return False


def finalize_expired(now: datetime, batch_size: int = 200) -> int:
    """Submit every attempt left open past its deadline with the answers it saved; returns how many.

    Safe to run concurrently (every minute from cron on each instance): on PostgreSQL each run skips
    the rows another run holds, and the submit guard counts each attempt once anyway.
    """
    cutoff = now - grace()
    finalized = 0
    while True:
        attempts = db.session.scalars(
            sa.select(Attempt).where(Attempt.submitted_at.is_(None), Attempt.deadline_at < cutoff)
            .order_by(Attempt.id).limit(batch_size).with_for_update(skip_locked=True)).all()
        if not attempts:
            return finalized
        for attempt in attempts:
            submit_attempt(attempt, now)
            finalized += 1
        db.session.commit()


def finalize_round(round_: Round, now: datetime) -> int:
    """Submit every paper of the round still open past its deadline and grace; returns how many."""
    cutoff = now - grace()
    attempts = db.session.scalars(
        sa.select(Attempt).where(Attempt.round_id == round_.id, Attempt.submitted_at.is_(None),
                                 Attempt.deadline_at < cutoff)
        .with_for_update()).all()
    for attempt in attempts:
        submit_attempt(attempt, now)
    return len(attempts)

"""The attempt engine: start, save, submit and expire, with the server's clock as the only clock.

Concurrency: a save holds a share lock on its attempt row and a submission an exclusive one, so a
save can never land between a submission's marking and its commit; limits on attempts are unique
indexes, so parallel starts cannot exceed them (see docs/ARCHITECTURE.md).
"""
import random
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from contest.accounts.models import Role, User
from contest.accounts.sessions import is_live
from contest.attempts import postgres
from contest.attempts.ahead import paper_recipe
from contest.attempts.draw import DrawError, draw_paper, shuffled_order
from contest.attempts.models import Attempt, AttemptItem
from contest.attempts.pool import drawable_pool
from contest.attempts.statements import (ATTEMPT_INSERT, CLAIM, ITEM, MARK, PAPER_DOCUMENT, STORE_SENT, PaperRow,
                                         entrant_query, lock_query, paper_from, quick_save_statement,
                                         selection_checks)
from contest.database import first_row
from contest.extensions import db
from contest.leaderboards.services import record_standing, standing_params
from contest.rounds.models import Round
from contest.scoring.rules import is_answer_correct

MAX_PREDICTION = 10**9


class AttemptError(Exception):
    """A request the rules refuse; the message is Vietnamese and shown to the contestant."""


def grace() -> timedelta:
    """How long after the deadline a save or submission sent in time may still arrive."""
    return timedelta(seconds=current_app.config["ATTEMPT_GRACE_SECONDS"])


def open_attempt(user_id: int, round_id: int) -> Attempt | None:
    """The contestant's attempt in progress in this round, if any."""
    return db.session.scalar(sa.select(Attempt).where(
        Attempt.user_id == user_id, Attempt.round_id == round_id, Attempt.submitted_at.is_(None)))


def lock_attempt(attempt_id: int, exclusive: bool) -> Attempt | None:
    """Load an attempt row under a lock: shared for saves, exclusive for submission.

    Neither needs the paper as ORM objects: a save loads the one item it changes, marking reads plain
    rows. Its round and contest come in the same query (marking and the standings read their rules);
    only the attempt row is locked.
    """
    return db.session.scalar(lock_query(exclusive).where(Attempt.id == attempt_id))


@dataclass
class Submission:
    """An attempt locked for submission, and whether the session submitting is a live log-in of its owner. On PostgreSQL also its paper
    and the driver connection holding the lock (its transaction open); on SQLite the session's."""

    attempt: "Attempt | postgres.LockedAttempt"
    is_session_live: bool
    paper: list[PaperRow] | None = None
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

    PostgreSQL: on a driver connection, with the paper read in the same round trip
    (postgres.locked_for_submission). SQLite: the lock query with the session's check, in the session;
    submit_attempt reads the paper.
    """
    if db.engine.dialect.name == "postgresql":
        with postgres.locked_for_submission(attempt_id, session_id) as locked:
            yield Submission(*locked) if locked is not None else None
        return
    row = db.session.execute(lock_query(True, is_live(session_id, Attempt.user_id))
                             .where(Attempt.id == attempt_id)).first()
    try:
        yield Submission(row[0], row[1]) if row is not None else None
    finally:
        db.session.rollback()  # nothing, if the caller committed


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


@dataclass(frozen=True)
class StartRules:
    """What starting an attempt needs of the round and its contest, read with the entrant."""

    id: int
    bank_id: int
    opens_at: datetime
    closes_at: datetime
    attempts_allowed: int | None
    stream_banks: dict
    time_limit_seconds: int
    question_count: int
    is_flagged_excluded: bool
    quotas: list
    streams: list  # the contest's
    eligible_name: str | None  # the agency whose subtree may take part, if the contest names one
    eligible_path: str | None


def read_entrant(user_id: int, session_id: str, round_id: int) -> tuple[Entrant | None, StartRules] | None:
    """The round's rules for a start, with the account, its attempts in the round and the round's bank
    revision, in one statement: None if there is no such round, no Entrant if there is no such account."""
    row = first_row(db.session, db.engine, entrant_query(), {"user_id": user_id, "session_id": session_id,
                                                             "round_id": round_id})
    if row is None:
        return None
    role, stream, path, is_session_live, used, open_id, revision, created_at, *rules = row
    entrant = None if role is None else Entrant(
        id=user_id, role=role, stream=stream, agency_path=path, is_session_live=bool(is_session_live), used=used,
        open_id=open_id, bank=(revision, created_at) if revision is not None else None)
    return entrant, StartRules(*rules)


def check_eligible(entrant: Entrant, round_: StartRules) -> None:
    """Refuse staff accounts and agencies outside the contest's eligible subtree."""
    if entrant.role != Role.CONTESTANT.value:
        raise AttemptError("Chỉ thí sinh mới được dự thi; tài khoản Ban tổ chức và Ban giám khảo không dự thi.")
    if entrant.stream not in (round_.streams or ["CBCCVC"]):
        raise AttemptError(f"Cuộc thi không dành cho đối tượng “{entrant.stream}”.")
    if round_.eligible_path is not None and (entrant.agency_path is None
                                             or not entrant.agency_path.startswith(round_.eligible_path)):
        raise AttemptError(f"Cuộc thi dành cho cán bộ, công chức, viên chức thuộc {round_.eligible_name}.")


def start_attempt(user: User, round_: Round, now: datetime, client_ip: str = "", device_id: str = "") -> Attempt:
    """Start (or resume) the contestant's attempt; see start_attempt_id. The caller commits."""
    entrant, rules = read_entrant(user.id, user.session_key or "", round_.id)
    return db.session.get(Attempt, start_attempt_id(entrant, rules, now, client_ip, device_id))


def start_attempt_id(entrant: Entrant, round_: StartRules, now: datetime, client_ip: str = "",
                     device_id: str = "") -> int:
    """Start (or resume) the contestant's attempt: draw the questions and shuffle their options; returns
    its id. The caller commits.

    Few statements, no ORM objects written: the round's rules with the entrant (read_entrant: account,
    attempts used, the one in progress, the bank's revision — its drawable questions are cached per
    worker), then a paper drawn ahead claimed, or the attempt and its items as two Core inserts.
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
            attempt_id = postgres.start_with_drawn_paper(paper_recipe(round_, bank_id, entrant.bank), values)
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
        attempt_id = connection.execute(ATTEMPT_INSERT, {**values, "seed": seed}).scalar_one()
        connection.execute(ITEM.insert(), [
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


def _store_checked(attempt_id: int, position: int, selected: list[int], now: datetime,
                   revision: int | None) -> tuple | None:
    """The save as one conditional UPDATE: the options are checked against the shown count and the
    question's number of right answers, and of two saves racing from two tabs the higher revision
    wins (without a revision, the stored one plus one). Returns (selected, revision) as stored, or
    None when it stored nothing (stale, invalid, unknown position)."""
    cleaned = sorted(set(selected))
    if any(value < 0 for value in cleaned):
        return None
    conditions = [ITEM.c.attempt_id == attempt_id, ITEM.c.position == position,
                  *selection_checks(cleaned, cleaned[-1] if cleaned else None)]
    if revision is None:
        revision = ITEM.c.revision + 1
    else:
        conditions.append(ITEM.c.revision < revision)
    return db.session.execute(
        sa.update(AttemptItem).where(*conditions)
        .values(selected=cleaned or None, answered_at=now, revision=revision)
        .returning(AttemptItem.selected, AttemptItem.revision)
        .execution_options(synchronize_session=False)).first()


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
        row = postgres.save_in_one_trip(kind, params)
    else:
        with db.engine.begin() as connection:  # BEGIN IMMEDIATE (see tune_sqlite) … COMMIT
            row = connection.execute(quick_save_statement(kind), params).first()
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


def _paper_rows(attempt_id: int) -> list[PaperRow]:
    """The attempt's items with their questions' keys, in position order."""
    connection = db.session.connection()
    document = connection.execute(PAPER_DOCUMENT[connection.dialect.name], {"b_attempt": attempt_id}).scalar_one()
    return paper_from(document)


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
            db.session.execute(STORE_SENT, changes)
        elif changes:
            postgres.store_sent_answers(connection, changes)


def submit_attempt(attempt: "Attempt | postgres.LockedAttempt", now: datetime, answers: dict[int, list[int]] | None = None,
                   prediction: int | None = None, paper: list[PaperRow] | None = None,
                   connection: "psycopg.Connection | None" = None, commit: bool = False,
                   is_by_clock: bool = True) -> "Attempt | postgres.LockedAttempt":
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
    if is_one_statement:  # mark, claim and the standings in one statement
        is_before_freeze = round_.freeze_at is None or finished_at < round_.freeze_at
        shape = (round_.counting_rule, is_before_freeze, enters_standings, round_.contest.overall_rule == "best_round")
        params = {"b_attempt": attempt.id, "b_correct": correct, "b_contest_id": round_.contest_id,
                  **standing_params(attempt, result)}
        claimed = postgres.finish(connection or session_connection.connection.driver_connection, shape, params,
                                  commit)
    else:
        session_connection.execute(MARK, {"b_attempt": attempt.id, "b_correct": correct})
        claimed = session_connection.execute(CLAIM.values(**result), {"b_attempt": attempt.id}).rowcount
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

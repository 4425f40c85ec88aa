"""The attempt engine as a state machine: random starts, saves, submits, clock moves and expiry by
two contestants, run against the real services and database and checked against a model after
every step."""
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import current_app
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from contest.accounts.models import Role, User
from contest.agencies.services import add_agency
from contest.attempts import services
from contest.attempts.models import Attempt, AttemptItem
from contest.attempts.services import (AttemptError, finalize_expired, lock_attempt, save_answer,
                                       start_attempt, submit_attempt)
from contest.bank.models import Question
from contest.bank.services import import_questions
from contest.database import utcnow
from contest.extensions import db
from contest.leaderboards.models import Standing
from contest.prizes.services import PrizeError, canonical, propose_winners, set_prize_rules, sign
from contest.results.lifecycle import round_state
from contest.results.services import settled
from contest.rounds.models import Round
from questions.records import QuestionRecord
from tests import factories
from tests.conftest import empty_tables

BANK = "Ngân hàng máy trạng thái"
CHOICES = 4
MILLISECOND = timedelta(milliseconds=1)

# Shown option numbers as a page (or a forged request) might send them: empty, repeated, several,
# and 4, which no question of four options has.
SELECTIONS = st.lists(st.integers(0, CHOICES), max_size=3)
# Revisions relative to the stored one: a stale one below it, a replay of it, a fresh one above it,
# or none (the service then takes the next).
REVISIONS = st.one_of(st.none(), st.tuples(st.sampled_from(["stale", "replay", "fresh"]), st.integers(0, 3)))
# Clock moves, in milliseconds or to an edge (the deadline of the latest paper in progress, or the
# round's close): STEPS are none or a little; MOVES also go a long way.
STEPS = st.one_of(st.just(("by", 0)), st.tuples(st.just("by"), st.integers(1, 30_000)),
                  st.tuples(st.just("by"), st.integers(1, 120_000)))
EDGES = st.sampled_from(["well before", "just before", "at", "just after", "at grace end", "just past grace",
                         "well past grace"])
NEAR_DEADLINE = st.tuples(st.just("deadline"), EDGES)
NEAR_CLOSE = st.tuples(st.just("close"), EDGES)
AT_CLOSE = st.tuples(st.just("close"), st.sampled_from(["just before", "at", "just after"]))
MOVES = st.one_of(STEPS, NEAR_DEADLINE, NEAR_CLOSE, st.tuples(st.just("by"), st.integers(300_000, 3_600_000)))


def bank_records() -> list[QuestionRecord]:
    """Twelve questions: half with one correct option, half with two (so several may be chosen)."""
    records = []
    for n in range(1, 13):
        correct = [0] if n % 2 else [n % 4, (n + 1) % 4]
        records.append(QuestionRecord(text=f"Câu máy trạng thái số {n}: chọn phương án đúng?",
                                      choices=[f"Phương án {letter} {n}" for letter in "ABCD"],
                                      correct=correct, topic="Chung",
                                      citation="Khoản 1 Điều 3 Nghị định 63/2010/NĐ-CP"))
    return records


def is_marked_correct(selected: list[int] | None, choice_order: list[int], correct) -> bool:
    """The marking rule written out again: the chosen original options are exactly the correct set."""
    return bool(selected) and {choice_order[shown] for shown in selected} == set(correct)


def rank_key(score: int, duration_ms: int, submitted_at: datetime) -> tuple:
    """Higher score, then shorter time, then earlier submission; smaller is better."""
    return (-score, duration_ms, submitted_at)


class SeededSecrets:
    """Stands in for the `secrets` module inside the engine, so that the papers an example draws,
    and so its whole run, replay exactly when Hypothesis runs it again or shrinks it."""

    def __init__(self, seed: int):
        self.random = random.Random(seed)

    def randbits(self, bits: int) -> int:
        """A seed for the next paper."""
        return self.random.getrandbits(bits)


@dataclass
class ItemModel:
    """What the model expects of one question of an attempt."""

    question_id: int
    choice_order: list[int]
    correct: list[int]
    selected: list[int] | None = None
    revision: int = 0
    answered_at: datetime | None = None


@dataclass
class AttemptModel:
    """What the model expects of one attempt."""

    id: int
    user: int
    number: int
    started_at: datetime
    deadline_at: datetime
    items: dict[int, ItemModel] = field(default_factory=dict)
    submitted_at: datetime | None = None
    score: int | None = None
    is_auto_submitted: bool = False


class AttemptMachine(RuleBasedStateMachine):
    """Two contestants in one round with random settings; the clock only moves forward.

    No rule has a precondition: which rules may run must not depend on outcomes, or replays diverge.
    Both contestants start a paper first, so there is always an attempt to act on.
    """

    app = None  # set by the module fixture below

    def __init__(self):
        super().__init__()
        self.context = self.app.app_context()
        self.context.push()
        self.secrets = services.secrets
        self.round_id = None
        self.attempts: list[AttemptModel] = []
        self.standings: dict[int, AttemptModel] = {}
        self.frozen: dict[int, tuple] = {}
        self.settled_at: datetime | None = None
        self.signers: set[int] = set()

    def teardown(self):
        """Empty the tables for the next example and leave the app context."""
        services.secrets = self.secrets
        try:
            empty_tables()
            db.session.remove()
        finally:
            self.context.pop()

    # --- set-up -----------------------------------------------------------------------------

    @initialize(attempts_allowed=st.sampled_from([2, 3, None, 1]),
                counting_rule=st.sampled_from(["best", "best", "first", "last"]),
                is_all_required=st.sampled_from([False, False, True]),
                question_count=st.integers(2, 5), minutes=st.integers(1, 10), lasts_minutes=st.integers(3, 40),
                seed=st.integers(0, 2**32))
    def build_round(self, attempts_allowed, counting_rule, is_all_required, question_count, minutes,
                    lasts_minutes, seed):
        """A round with random settings, two contestants, and a paper started by each."""
        services.secrets = SeededSecrets(seed)
        self.now = utcnow()
        province = add_agency(code="T", name="UBND tỉnh Thử", headcount=10)
        department = add_agency(code="STP", name="Sở Tư pháp", parent=province, headcount=20)
        import_questions(bank_records(), BANK)
        round_ = factories.make_round(self.now, bank_name=BANK, question_count=question_count,
                                      attempts_allowed=attempts_allowed, minutes=minutes,
                                      opens_in=timedelta(hours=-1),
                                      lasts=timedelta(hours=1, minutes=lasts_minutes))
        round_.counting_rule = counting_rule
        round_.is_all_required = is_all_required
        users = [factories.make_user("thisinh1@example.vn", department),
                 factories.make_user("thisinh2@example.vn", province, name="Trần Thị Hai")]
        judges = [factories.make_user(f"giamkhao{n}@example.vn", province, Role.JUDGE, name=f"Giám khảo {n}")
                  for n in range(2)]
        set_prize_rules(round_, "CBCCVC", [("Giải Nhất", 1, 0)], None)
        db.session.commit()
        self.judge_ids = [judge.id for judge in judges]
        self.round_id, self.user_ids = round_.id, [user.id for user in users]
        self.attempts_allowed, self.counting_rule = attempts_allowed, counting_rule
        self.is_all_required = is_all_required
        self.limit = timedelta(minutes=minutes)
        self.closes_at = round_.closes_at
        self.grace = timedelta(seconds=current_app.config["ATTEMPT_GRACE_SECONDS"])
        # Every example has papers to work on, whichever rules it draws.
        self.check_start(0)
        self.check_start(1)

    # --- the model's own rules ----------------------------------------------------------------

    def finalize(self, model: AttemptModel, now: datetime) -> None:
        """Fix the score as submit_attempt should, and update the expected standing."""
        model.submitted_at = min(now, model.deadline_at)
        model.is_auto_submitted = now >= model.deadline_at
        model.score = sum(is_marked_correct(item.selected, item.choice_order, item.correct)
                          for item in model.items.values())
        if self.is_all_required and any(not item.selected for item in model.items.values()):
            return  # kept, but a paper with gaps does not enter the standings
        held = self.standings.get(model.user)  # a tie keeps the one held
        if held is None \
                or (self.counting_rule == "last" and model.submitted_at >= held.submitted_at) \
                or (self.counting_rule == "best" and self.key(model) < self.key(held)):
            self.standings[model.user] = model

    @staticmethod
    def key(model: AttemptModel) -> tuple:
        """The submitted paper's rank key."""
        return rank_key(model.score, (model.submitted_at - model.started_at) // MILLISECOND, model.submitted_at)

    def open_of(self, user: int) -> AttemptModel | None:
        """The contestant's paper in progress, if any."""
        return next((m for m in self.attempts if m.user == user and m.submitted_at is None), None)

    def is_past_grace(self, model: AttemptModel, now: datetime) -> bool:
        """Whether the paper's deadline and grace have passed (saves refused, expiry due)."""
        return now > model.deadline_at + self.grace

    def expected_refusal(self, item: ItemModel, selection: list[int]) -> str | None:
        """The refusal _validate_selection should give, if any."""
        cleaned = sorted(set(selection))
        if any(not 0 <= shown < len(item.choice_order) for shown in cleaned):
            return "không hợp lệ"
        if len(cleaned) > 1 and len(item.correct) == 1:
            return "chỉ chọn một"
        return None

    def stored_item(self, attempt_id: int, position: int):
        """The stored answer to one question: (selected, revision, answered_at), or None."""
        return db.session.execute(sa.select(AttemptItem.selected, AttemptItem.revision, AttemptItem.answered_at)
                                  .where(AttemptItem.attempt_id == attempt_id,
                                         AttemptItem.position == position)).one_or_none()

    # --- rules ---------------------------------------------------------------------------------

    def move_clock(self, move: tuple) -> None:
        """Move the clock forward as STEPS and MOVES describe; it never goes back."""
        kind, amount = move
        event(f"clock: {kind}")
        in_progress = [m for m in self.attempts if m.submitted_at is None]
        if kind == "by" or (kind == "deadline" and not in_progress):
            self.now += timedelta(milliseconds=amount if kind == "by" else 0)
            return
        edge = in_progress[-1].deadline_at if kind == "deadline" else self.closes_at
        offset = {"well before": timedelta(seconds=-5), "just before": -MILLISECOND, "at": timedelta(0),
                  "just after": MILLISECOND, "at grace end": self.grace,
                  "just past grace": self.grace + MILLISECOND,
                  "well past grace": self.grace + timedelta(seconds=5)}
        self.now = max(self.now, edge + offset[amount])

    @rule(user=st.sampled_from([0, 1]), after=st.one_of(STEPS, AT_CLOSE))
    def start(self, user, after):
        """A contestant presses start (or comes back to the paper in progress)."""
        self.move_clock(after)
        self.check_start(user)

    def check_start(self, user: int) -> None:
        """Start through the service as the route does, and compare with what the model expects."""
        current = self.open_of(user)
        if self.now >= self.closes_at:
            expected = "đã kết thúc"
        elif current is not None and not self.is_past_grace(current, self.now):
            expected = current.id
        else:
            if current is not None:
                self.finalize(current, self.now)
            used = sum(m.user == user for m in self.attempts)
            expected = "hết số lần" if self.attempts_allowed is not None and used >= self.attempts_allowed \
                else "new"
        try:
            attempt = start_attempt(db.session.get(User, self.user_ids[user]),
                                    db.session.get(Round, self.round_id), self.now)
            outcome = attempt.id
        except AttemptError as error:
            outcome = str(error)
        db.session.commit()  # as the route does, also after a refusal (it keeps an expired paper)
        event(f"start: {expected if isinstance(expected, str) else 'resumed'}")

        if expected == "new":
            assert isinstance(outcome, int) and outcome not in {m.id for m in self.attempts}, outcome
            model = AttemptModel(id=outcome, user=user,
                                 number=sum(m.user == user for m in self.attempts) + 1,
                                 started_at=self.now,
                                 deadline_at=min(self.now + self.limit, self.closes_at))
            rows = db.session.execute(sa.select(AttemptItem.position, AttemptItem.question_id,
                                                AttemptItem.choice_order, Question.correct)
                                      .join(Question, Question.id == AttemptItem.question_id)
                                      .where(AttemptItem.attempt_id == outcome)).all()
            model.items = {row.position: ItemModel(row.question_id, list(row.choice_order), list(row.correct))
                           for row in rows}
            self.attempts.append(model)
        elif isinstance(expected, int):
            assert outcome == expected, f"expected to resume attempt {expected}, got {outcome!r}"
        else:
            assert isinstance(outcome, str) and expected in outcome, (expected, outcome)

    def check_save(self, model: AttemptModel, position: int, selection: list[int], revision) -> None:
        """Save through the service as the JSON route does, and compare with what the model expects."""
        item = model.items.get(position)
        stored = item.revision if item else 0
        if isinstance(revision, tuple):
            kind, step = revision
            revision = {"stale": stored - 1 - step, "replay": stored, "fresh": stored + 1 + step}[kind]
        before = self.stored_item(model.id, position)

        if model.submitted_at is not None:
            expected = "đã nộp"
        elif self.is_past_grace(model, self.now):
            expected = "hết thời gian"
            self.finalize(model, self.now)
        elif item is None:
            expected = "không thuộc"
        else:
            expected = self.expected_refusal(item, selection)
            effective = stored + 1 if revision is None else revision
            if expected is None and effective > stored:
                item.selected = sorted(set(selection)) or None
                item.revision, item.answered_at = effective, self.now

        try:
            result = save_answer(lock_attempt(model.id, exclusive=False), position, selection, self.now, revision)
            outcome = None
        except AttemptError as error:
            result, outcome = None, str(error)
        db.session.commit()

        if expected is None:
            assert outcome is None, outcome
            assert (result.selected or None, result.revision) == (item.selected, item.revision)
        else:
            assert outcome is not None and expected in outcome, (expected, outcome)
        after = self.stored_item(model.id, position)
        event(f"save: {expected or ('changed' if after != before else 'unchanged')}")
        if revision is not None and item is not None and revision <= stored:
            assert after == before, "a stale or replayed save changed the stored answer"
        if self.now > self.closes_at + self.grace:
            assert after == before, "a save was accepted after the round closed (and its grace)"

    @rule(pick=st.integers(0, 1), position=st.integers(0, 4),
          choices=st.lists(st.integers(0, CHOICES - 1), min_size=1, max_size=2, unique=True),
          fresh=st.one_of(st.none(), st.integers(1, 3)), after=st.integers(0, 60_000))
    def answer(self, pick, position, choices, fresh, after):
        """What a page sends: an attempt in progress, one of its questions, a fresh revision."""
        self.move_clock(("by", after))
        in_progress = [m for m in self.attempts if m.submitted_at is None]
        if not in_progress:
            event("answer: no paper in progress")
            return
        model = in_progress[pick % len(in_progress)]
        position = position % len(model.items)
        item = model.items[position]
        selection = choices[:1] if len(item.correct) == 1 else choices
        self.check_save(model, position, selection, None if fresh is None else ("fresh", fresh - 1))

    @rule(pick=st.integers(0, 3), position=st.integers(0, 5), selection=SELECTIONS, revision=REVISIONS,
          after=st.one_of(STEPS, NEAR_DEADLINE))
    def save(self, pick, position, selection, revision, after):
        """Anything else: any attempt, any position, forged selections, stale and replayed revisions."""
        self.move_clock(after)
        self.check_save(self.attempts[-1 - pick % len(self.attempts)], position, selection, revision)

    @rule(pick=st.integers(0, 3),
          answers=st.one_of(st.none(), st.dictionaries(st.integers(0, 5), SELECTIONS, max_size=5),
                            st.dictionaries(st.integers(0, 4), st.lists(st.integers(0, CHOICES - 1),
                                                                        min_size=1, max_size=1), max_size=5)),
          after=st.one_of(STEPS, NEAR_DEADLINE))
    def submit(self, pick, answers, after):
        """Submit, with or without answers in the form (some forged), before, at or after the deadline."""
        self.move_clock(after)
        # Mostly a paper in progress; sometimes one already submitted (which must change nothing).
        ordered = [m for m in self.attempts if m.submitted_at is None] \
            + [m for m in reversed(self.attempts) if m.submitted_at is not None]
        model = ordered[pick % len(ordered)]
        expected = None
        if model.submitted_at is None:
            if not self.is_past_grace(model, self.now):
                # Answers sent with the submission are taken in order; a refused one stops the rest,
                # and the ones taken before it are kept (the route commits after a refusal).
                for position, selection in (answers or {}).items():
                    item = model.items.get(position)
                    if item is None or not selection:
                        continue
                    expected = self.expected_refusal(item, selection)
                    if expected:
                        break
                    if sorted(set(selection)) != item.selected:  # an unchanged answer is not written again
                        item.selected = sorted(set(selection))
                        item.revision, item.answered_at = item.revision + 1, self.now
            gaps = any(not item.selected for item in model.items.values())
            if expected is None and self.is_all_required and gaps and self.now < model.deadline_at:
                expected = "trả lời tất cả"
            if expected is None:
                self.finalize(model, self.now)

        try:
            submit_attempt(lock_attempt(model.id, exclusive=True), self.now, answers)
            outcome = None
        except AttemptError as error:
            outcome = str(error)
        db.session.commit()

        event(f"submit: {expected or ('auto' if model.is_auto_submitted else 'in time')}")
        if expected is None:
            assert outcome is None, outcome
        else:
            assert outcome is not None and expected in outcome, (expected, outcome)

    @rule(after=MOVES)
    def expire(self, after):
        """Time passes, then the cron job finalizes every paper left open past its deadline and grace."""
        self.move_clock(after)
        due = [m for m in self.attempts if m.submitted_at is None and self.is_past_grace(m, self.now)]
        for model in sorted(due, key=lambda m: m.id):
            self.finalize(model, self.now)
        count = finalize_expired(self.now)
        db.session.commit()
        event(f"expire: {min(count, 2)} finalized")
        assert count == len(due)

    @rule(after=st.one_of(NEAR_CLOSE, STEPS))
    def settle(self, after):
        """A reader of the final figures (or `flask rounds settle`) settles the round: once, and only
        after the close and its grace, finalising every paper still open, in its own transaction."""
        self.move_clock(after)
        is_due = self.settled_at is None and self.now > self.closes_at + self.grace
        settled(db.session.get(Round, self.round_id), self.now)
        db.session.rollback()  # settling committed on its own: nothing is left for the caller to lose
        if is_due:
            for model in sorted((m for m in self.attempts if m.submitted_at is None), key=lambda m: m.id):
                self.finalize(model, self.now)
            self.settled_at = self.now
        event(f"settle: {'settled' if is_due else 'nothing to do'}")
        assert db.session.scalar(sa.select(Round.settled_at).where(Round.id == self.round_id)) == self.settled_at

    @rule(judge=st.sampled_from([0, 1]), after=STEPS)
    def sign_results(self, judge, after):
        """A judge signs the proposal they see: refused before settling; two judges freeze it."""
        self.move_clock(after)
        round_ = db.session.get(Round, self.round_id)
        checksum = canonical(round_, propose_winners(round_))[1]
        if self.now < self.closes_at:
            expected = "chưa kết thúc"
        elif self.settled_at is None:
            expected = "chưa được chốt"
        elif len(self.signers) >= 2:
            expected = "đã được ký và chốt"
        elif judge in self.signers:
            expected = "đã ký"
        else:
            expected = None
            self.signers.add(judge)
        try:
            sign(round_, db.session.get(User, self.judge_ids[judge]), checksum, self.now)
            outcome = None
        except PrizeError as error:
            outcome = str(error)
        db.session.commit()
        event(f"sign: {expected or 'signed'}")
        if expected is None:
            assert outcome is None, outcome
        else:
            assert outcome is not None and expected in outcome, (expected, outcome)

    # --- invariants ----------------------------------------------------------------------------

    @invariant()
    def lifecycle_agrees(self):
        """The round's state follows the clock, the settling and the signatures; a settled round has
        no paper left open."""
        round_ = db.session.get(Round, self.round_id)
        db.session.refresh(round_)
        if self.now < self.closes_at:
            expected = "open"
        elif self.settled_at is None:
            expected = "closed"
        else:
            expected = "signed" if len(self.signers) >= 2 else "settled"
        assert round_state(round_, self.now) == expected
        if self.settled_at is not None:
            assert db.session.scalar(sa.select(sa.func.count()).select_from(Attempt).where(
                Attempt.round_id == self.round_id, Attempt.submitted_at.is_(None))) == 0
        db.session.rollback()

    @invariant()
    def database_agrees(self):
        """The rows, read afresh, keep every rule and match the model."""
        attempts = {row.id: row for row in db.session.execute(
            sa.select(Attempt.__table__).where(Attempt.round_id == self.round_id))}
        items = db.session.execute(
            sa.select(AttemptItem.__table__, Question.correct)
            .join(Question, Question.id == AttemptItem.question_id)
            .join(Attempt, Attempt.id == AttemptItem.attempt_id)
            .where(Attempt.round_id == self.round_id)).all()
        standings = {row.user_id: row for row in db.session.execute(
            sa.select(Standing.__table__).where(Standing.round_id == self.round_id))}
        db.session.rollback()
        items_of = {attempt_id: {} for attempt_id in attempts}
        for row in items:
            items_of[row.attempt_id][row.position] = row

        for user_id in self.user_ids:
            mine = [row for row in attempts.values() if row.user_id == user_id]
            if self.attempts_allowed is not None:
                assert len(mine) <= self.attempts_allowed, "more attempts than allowed"
            assert sum(row.submitted_at is None for row in mine) <= 1, "two attempts in progress"
            assert sorted(row.number for row in mine) == list(range(1, len(mine) + 1))

        for row in attempts.values():
            assert row.deadline_at == min(row.started_at + self.limit, self.closes_at)
            assert row.started_at < self.closes_at, "an attempt started after the round closed"
            for item in items_of[row.id].values():
                if item.answered_at is not None:
                    assert item.answered_at <= row.deadline_at + self.grace, "a save landed after the grace"
            if row.submitted_at is None:
                assert row.score is None and row.duration_ms is None
                assert all(item.is_correct is None for item in items_of[row.id].values())
                continue
            assert row.submitted_at <= row.deadline_at
            assert row.duration_ms == (row.submitted_at - row.started_at) // MILLISECOND
            marks = {position: is_marked_correct(item.selected, item.choice_order, item.correct)
                     for position, item in items_of[row.id].items()}
            assert {position: item.is_correct for position, item in items_of[row.id].items()} == marks
            assert row.score == sum(marks.values())
            snapshot = (row.submitted_at, row.score, row.duration_ms, row.is_auto_submitted,
                        sorted((item.position, item.selected, item.revision, item.answered_at, item.is_correct)
                               for item in items_of[row.id].values()))
            assert self.frozen.setdefault(row.id, snapshot) == snapshot, "a submitted attempt changed"

        # The model: the same attempts, answers and results.
        assert set(attempts) == {m.id for m in self.attempts}
        for model in self.attempts:
            row = attempts[model.id]
            assert (row.user_id, row.number, row.started_at, row.deadline_at) == \
                (self.user_ids[model.user], model.number, model.started_at, model.deadline_at)
            assert (row.submitted_at, row.score) == (model.submitted_at, model.score)
            if model.submitted_at is not None:
                assert row.is_auto_submitted == model.is_auto_submitted
            stored = {position: (item.selected, item.revision, item.answered_at)
                      for position, item in items_of[model.id].items()}
            assert stored == {position: (item.selected, item.revision, item.answered_at)
                              for position, item in model.items.items()}

        # Standings: the counted attempt per the round's rule, with its keys.
        assert set(standings) == {self.user_ids[user] for user in self.standings}
        for user, model in self.standings.items():
            standing = standings[self.user_ids[user]]
            counted = attempts[standing.attempt_id]
            assert standing.attempt_id == model.id
            assert (standing.score, standing.duration_ms, standing.submitted_at) == \
                (counted.score, counted.duration_ms, counted.submitted_at)
            if self.counting_rule == "best":
                # Recomputed from the rows alone: no submitted paper that counts ranks above it.
                eligible = [row for row in attempts.values()
                            if row.user_id == standing.user_id and row.submitted_at is not None
                            and not (self.is_all_required and any(
                                not item.selected for item in items_of[row.id].values()))]
                best = min(rank_key(row.score, row.duration_ms, row.submitted_at) for row in eligible)
                assert rank_key(standing.score, standing.duration_ms, standing.submitted_at) == best


@pytest.fixture(scope="module", autouse=True)
def machine_app(session_app):
    """Hand the session's application to the state machine, which fixtures cannot reach."""
    AttemptMachine.app = session_app
    yield session_app
    AttemptMachine.app = None


TestAttemptMachine = AttemptMachine.TestCase
TestAttemptMachine.settings = settings(max_examples=25, stateful_step_count=20, deadline=None, database=None,
                                       suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("elapsed_ms", [1001, 16057, 64999])
def test_duration_is_exact_to_the_millisecond(world, now, elapsed_ms):
    """int(seconds * 1000) in floating point stored 1.001 s as 1000 ms (found by the machine above)."""
    attempt = start_attempt(world.contestant, world.round, now)
    submit_attempt(attempt, now + timedelta(milliseconds=elapsed_ms))
    db.session.commit()
    assert attempt.duration_ms == elapsed_ms

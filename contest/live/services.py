"""Live events: setting one up, and running it. The server's clock decides: every function that changes
the stage takes `now`, and a question whose lock time has passed is locked (and marked) before anything
else happens to its run. Every change every screen must see moves the run's `version` and is announced
(contest.live.transport) when the transaction commits. The caller commits.
"""
import functools
import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from contest.accounts import throttle
from contest.accounts.models import Role, User
from contest.attempts.draw import DrawError, Drawable, draw_paper
from contest.audit.services import record
from contest.bank.models import Question, QuestionBank
from contest.database import dialect_insert
from contest.extensions import db
from contest.live.models import (SEGMENT_KINDS, LiveAnswer, LiveBuzz, LiveEvent, LiveMark, LiveQuestion, LiveRun,
                                 LiveSegment, LiveStake, LiveTeam)
from contest.live.rules import ANSWERED_ON_DEVICE, SegmentRules, buzzer_mark, letter, mark_question
from contest.live import postgres
from contest.live.notify import announce
from contest.prizes.models import ResultSnapshot

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I, O, 0, 1: read aloud and typed on phones
NEXT_FROM = ("lobby", "locked", "revealed", "scoreboard")


class LiveError(ValueError):
    """Something the rules of the event refuse; the message is Vietnamese and shown to whoever asked."""


# --- setting up ---------------------------------------------------------------------------------------

def normalise_code(code: str) -> str:
    """An event code as typed: spaces and dashes dropped, upper case."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def create_event(title: str, bank: QuestionBank, mode: str, venue: str, organizer: User, now: datetime) -> LiveEvent:
    """A new event with its join code."""
    title = " ".join((title or "").split())
    if not title:
        raise LiveError("Cần tên hội thi.")
    if mode not in ("teams", "individuals"):
        raise LiveError("Hình thức thi không hợp lệ.")
    for _ in range(20):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
        if db.session.scalar(sa.select(LiveEvent.id).where(LiveEvent.code == code)) is None:
            break
    event = LiveEvent(code=code, title=title, mode=mode, venue=" ".join((venue or "").split()), bank_id=bank.id,
                      created_by_id=organizer.id, created_at=now)
    db.session.add(event)
    db.session.flush()
    record(organizer.id, "live.create", "live_event", event.id, title=title, code=code)
    return event


def real_run(event: LiveEvent) -> LiveRun | None:
    """The event's real run, if it has started."""
    return db.session.scalar(sa.select(LiveRun).where(LiveRun.event_id == event.id, LiveRun.is_rehearsal.is_(False)))


def _refuse_if_started(event: LiveEvent) -> None:
    if real_run(event) is not None:
        raise LiveError("Hội thi đã diễn ra: không thể thay đổi đội, phần thi hay câu hỏi.")


def add_team(event: LiveEvent, name: str, agency_id: int | None, members: str, organizer: User) -> LiveTeam:
    """A team (or one contestant) with its six-digit PIN."""
    _refuse_if_started(event)
    name = " ".join((name or "").split())
    if not name:
        raise LiveError("Cần tên đội." if not event.is_individual else "Cần họ tên thí sinh.")
    if any(team.name.casefold() == name.casefold() for team in event.teams):
        raise LiveError(f"Đã có “{name}” trong hội thi.")
    members = "\n".join(line.strip() for line in (members or "").splitlines() if line.strip())
    team = LiveTeam(event=event, position=len(event.teams) + 1, name=name, agency_id=agency_id, members=members,
                    pin=f"{secrets.randbelow(10**6):06d}")
    db.session.add(team)
    db.session.flush()
    record(organizer.id, "live.team.add", "live_event", event.id, team=name)
    return team


def remove_team(event: LiveEvent, team: LiveTeam, organizer: User) -> None:
    """Take a team out before the event is run (rehearsal records of it go too)."""
    _refuse_if_started(event)
    for model in (LiveAnswer, LiveBuzz, LiveStake, LiveMark):
        db.session.execute(sa.delete(model).where(model.team_id == team.id))
    db.session.execute(sa.update(LiveRun).where(LiveRun.buzz_team_id == team.id).values(buzz_team_id=None))
    event.teams.remove(team)
    for position, other in enumerate(event.teams, start=1):
        other.position = position
    record(organizer.id, "live.team.remove", "live_event", event.id, team=team.name)


def add_segment(event: LiveEvent, kind: str, title: str, seconds: int, points: int, rules: SegmentRules,
                organizer: User) -> LiveSegment:
    """A segment at the end of the event."""
    _refuse_if_started(event)
    if kind not in SEGMENT_KINDS:
        raise LiveError("Loại phần thi không hợp lệ.")
    if not 3 <= seconds <= 600 or not 0 <= points <= 1000:
        raise LiveError("Thời gian 3–600 giây, điểm 0–1000.")
    if kind == "speed" and (not rules.speed_points or any(value < 0 for value in rules.speed_points)):
        raise LiveError("Cần điểm theo thứ tự, không âm (ví dụ 40, 30, 20, 10).")
    if kind == "star" and not 1 <= rules.stars_per_team <= 10:
        raise LiveError("Mỗi đội có 1–10 ngôi sao.")
    if rules.buzzer_wrong_penalty < 0:
        raise LiveError("Điểm trừ không âm.")
    segment = LiveSegment(event=event, position=len(event.segments) + 1, kind=kind,
                          title=" ".join((title or "").split()) or kind, seconds=seconds, points=points,
                          settings=rules.as_settings())
    db.session.add(segment)
    db.session.flush()
    record(organizer.id, "live.segment.add", "live_event", event.id, segment=segment.title, kind=kind)
    return segment


def _questions_in_event(event: LiveEvent) -> set[int]:
    return set(db.session.scalars(sa.select(LiveQuestion.question_id).join(LiveSegment)
                                  .where(LiveSegment.event_id == event.id)))


def choose_questions(segment: LiveSegment, question_ids: list[int], organizer: User) -> int:
    """Put chosen questions of the event's bank at the end of the segment; returns how many were added.
    Only approved current questions (each cites its document and article) may go on the stage."""
    event = segment.event
    _refuse_if_started(event)
    used = _questions_in_event(event)
    wanted = [qid for qid in dict.fromkeys(question_ids) if qid not in used]
    questions = {q.id: q for q in db.session.scalars(sa.select(Question).where(Question.id.in_(wanted)))}
    for qid in wanted:
        question = questions.get(qid)
        if question is None or question.bank_id != event.bank_id:
            raise LiveError(f"Câu hỏi #{qid} không thuộc ngân hàng của hội thi.")
        if question.status != "approved" or question.replaced_by_id is not None:
            raise LiveError(f"Câu hỏi #{qid} chưa được duyệt hoặc đã ngừng dùng.")
    for qid in wanted:
        segment.questions.append(LiveQuestion(position=len(segment.questions) + 1, question_id=qid))
    db.session.flush()
    if wanted:
        record(organizer.id, "live.questions.choose", "live_event", event.id, segment=segment.title,
               questions=", ".join(map(str, wanted)))
    return len(wanted)


def draw_questions(segment: LiveSegment, count: int, quotas: list[dict], organizer: User, rng: random.Random) -> int:
    """Draw `count` questions for the segment from the bank by its quotas (topic, difficulty, count)."""
    event = segment.event
    _refuse_if_started(event)
    used = _questions_in_event(event)
    rows = db.session.execute(sa.select(Question.id, Question.topic, Question.difficulty)
                              .where(Question.bank_id == event.bank_id, Question.status == "approved",
                                     Question.replaced_by_id.is_(None)).order_by(Question.id)).all()
    pool = [Drawable(row.id, row.topic, row.difficulty, 0) for row in rows if row.id not in used]
    try:
        drawn = draw_paper(pool, count, quotas, rng)
    except DrawError as error:
        raise LiveError(f"Không rút được câu hỏi: {error}.") from None
    return choose_questions(segment, [question.id for question in drawn], organizer)


def set_judges(event: LiveEvent, user_ids: list[int], organizer: User) -> None:
    """The judges who sign the event's final table."""
    judges = db.session.scalars(sa.select(User).where(User.id.in_(user_ids))).all()
    if any(judge.role != Role.JUDGE.value for judge in judges) or len(judges) != len(set(user_ids)):
        raise LiveError("Chỉ chọn được tài khoản Ban giám khảo.")
    if db.session.scalar(sa.select(ResultSnapshot.id).where(ResultSnapshot.live_event_id == event.id)):
        raise LiveError("Kết quả đã được ký: không thể đổi Ban giám khảo.")
    event.judges = list(judges)
    record(organizer.id, "live.judges", "live_event", event.id, judges=", ".join(j.full_name for j in judges))


# --- running ------------------------------------------------------------------------------------------

def ordered_questions(event_id: int) -> list[LiveQuestion]:
    """Every question of the event in stage order (segment, then position)."""
    return db.session.scalars(sa.select(LiveQuestion).join(LiveSegment).where(LiveSegment.event_id == event_id)
                              .order_by(LiveSegment.position, LiveQuestion.position)).all()


def active_run(event_id: int) -> LiveRun | None:
    """The run on the stage now (not yet ended), if any."""
    return db.session.scalar(sa.select(LiveRun).where(LiveRun.event_id == event_id, LiveRun.ended_at.is_(None)))


def locked_run(run_id: int) -> LiveRun | None:
    """A run row under an exclusive lock: one change to a stage at a time, and answers wait for it (on
    PostgreSQL through the run's advisory lock, contest.live.postgres; SQLite runs one writer at a time)."""
    if db.engine.dialect.name == "postgresql":
        postgres.hold_run(run_id)
    return db.session.scalar(sa.select(LiveRun).where(LiveRun.id == run_id).with_for_update()
                             .execution_options(populate_existing=True))


def _changed(run: LiveRun, kind: str = "state") -> None:
    """Move the run's version and announce the change to every instance on commit."""
    run.version += 1
    announce(run.event_id, kind)


def start_run(event: LiveEvent, organizer: User, now: datetime, rehearsal: bool) -> LiveRun:
    """Put the event on the stage: the real run (once) or a rehearsal. Starting the real run ends any
    rehearsal still on the stage, and with it the rehearsal's records."""
    if not event.teams:
        raise LiveError("Chưa có đội (thí sinh) nào.")
    if not ordered_questions(event.id):
        raise LiveError("Chưa có câu hỏi nào trong các phần thi.")
    if real_run(event) is not None:
        raise LiveError("Hội thi đã diễn ra." if not rehearsal else "Hội thi đã diễn ra: không diễn tập được nữa.")
    current = active_run(event.id)
    if current is not None:
        if current.is_rehearsal and not rehearsal:
            end_rehearsal(current, organizer, now)
            db.session.flush()
        else:
            raise LiveError("Đang có một buổi diễn tập trên sân khấu.")
    run = LiveRun(event_id=event.id, is_rehearsal=rehearsal, started_at=now, started_by_id=organizer.id,
                  phase="lobby", version=1)
    db.session.add(run)
    try:
        db.session.flush()
    except IntegrityError:
        raise LiveError("Hội thi đang được điều khiển ở một máy khác.") from None
    announce(event.id, "state")
    record(organizer.id, "live.rehearsal.start" if rehearsal else "live.start", "live_event", event.id)
    return run


def end_rehearsal(run: LiveRun, organizer: User, now: datetime) -> None:
    """Take a rehearsal off the stage: its answers, presses, stakes and marks are deleted (no trace in results)."""
    if not run.is_rehearsal:
        raise LiveError("Đây không phải buổi diễn tập.")
    for model in (LiveAnswer, LiveBuzz, LiveStake, LiveMark):
        db.session.execute(sa.delete(model).where(model.run_id == run.id))
    run.ended_at = now
    run.phase = "finished"
    run.question_id = run.buzz_team_id = run.locks_at = run.remaining_ms = None
    _changed(run)
    record(organizer.id, "live.rehearsal.end", "live_event", run.event_id)


def settle_if_due(run: LiveRun, now: datetime) -> bool:
    """Lock (and mark) the open question if its lock time has passed; True if this call locked it."""
    if run.phase == "open" and run.locks_at is not None and run.locks_at <= now:
        _lock(run, now)
        return True
    return False


def _lock(run: LiveRun, now: datetime) -> None:
    """Close the question to answers and record the server's marks for it."""
    question = run.question
    segment = question.segment
    if segment.kind in ANSWERED_ON_DEVICE:
        answers = db.session.execute(sa.select(LiveAnswer.team_id, LiveAnswer.choice)
                                     .where(LiveAnswer.run_id == run.id, LiveAnswer.question_id == question.id)
                                     .order_by(LiveAnswer.received_at, LiveAnswer.id)).all()
        stakes = db.session.scalars(sa.select(LiveStake.team_id).where(LiveStake.run_id == run.id,
                                                                       LiveStake.question_id == question.id)).all()
        marks = mark_question(segment.kind, SegmentRules.from_settings(segment.settings), segment.points,
                              question.question.correct, [tuple(row) for row in answers], stakes)
        if marks:  # one executemany: a hall of hundreds of devices is marked at once
            db.session.execute(sa.insert(LiveMark), [
                {"run_id": run.id, "question_id": question.id, "team_id": team_id, "kind": "auto",
                 "points": mark.points, "is_correct": mark.is_correct, "note": mark.note, "user_id": None,
                 "created_at": now} for team_id, mark in marks.items()])
    run.phase = "locked"
    run.locks_at = run.locks_at or now
    run.remaining_ms = None
    run.buzz_team_id = None
    _changed(run)


def _running(run: LiveRun | None, now: datetime) -> LiveRun:
    if run is None or run.ended_at is not None:
        raise LiveError("Hội thi không còn trên sân khấu.")
    settle_if_due(run, now)
    return run


def _open(run: LiveRun, question: LiveQuestion, now: datetime) -> None:
    run.question_id = question.id
    run.question = question
    run.phase = "open"
    run.opened_at = now
    run.locks_at = now + timedelta(seconds=question.segment.seconds)
    run.remaining_ms = None
    run.buzz_team_id = None


def _stars_left(run: LiveRun, segment: LiveSegment) -> dict[int, int]:
    """Stars each team may still stake in a star segment."""
    used = dict(db.session.execute(
        sa.select(LiveStake.team_id, sa.func.count()).join(LiveQuestion, LiveQuestion.id == LiveStake.question_id)
        .where(LiveStake.run_id == run.id, LiveQuestion.segment_id == segment.id).group_by(LiveStake.team_id)).all())
    allowed = SegmentRules.from_settings(segment.settings).stars_per_team
    return {team.id: allowed - used.get(team.id, 0) for team in segment.event.teams}


def next_question(run: LiveRun, now: datetime) -> LiveQuestion:
    """The host's "next": from the lobby or after a question, the next one opens (a star question first
    waits for stakes); from the stakes, the question opens."""
    _running(run, now)
    if run.phase == "staking":
        _open(run, run.question, now)
        _changed(run)
        return run.question
    if run.phase not in NEXT_FROM:
        raise LiveError("Câu hỏi đang mở: hãy khóa câu hỏi trước." if run.phase in ("open", "paused")
                        else "Hội thi đã kết thúc.")
    questions = ordered_questions(run.event_id)
    ids = [q.id for q in questions]
    position = ids.index(run.question_id) + 1 if run.question_id in ids else 0
    if position >= len(questions):
        raise LiveError("Đã hết câu hỏi: bấm “Kết thúc” để chốt bảng điểm.")
    question = questions[position]
    if question.segment.kind == "star" and any(left > 0 for left in _stars_left(run, question.segment).values()):
        run.question_id, run.question = question.id, question
        run.phase = "staking"
        run.opened_at = run.locks_at = run.remaining_ms = run.buzz_team_id = None
    else:
        _open(run, question, now)
    _changed(run)
    return question


def lock_now(run: LiveRun, now: datetime) -> None:
    """The host closes the open question before its time is up."""
    _running(run, now)
    if run.phase == "locked":
        return
    if run.phase not in ("open", "paused"):
        raise LiveError("Không có câu hỏi đang mở.")
    _lock(run, now)


def pause(run: LiveRun, now: datetime) -> None:
    """Stop the countdown of the open question; answers wait until it resumes."""
    _running(run, now)
    if run.phase != "open" or run.locks_at is None:
        raise LiveError("Không có đồng hồ đang chạy để tạm dừng.")
    run.remaining_ms = max(0, int((run.locks_at - now).total_seconds() * 1000))
    run.locks_at = None
    run.phase = "paused"
    _changed(run)


def resume(run: LiveRun, now: datetime) -> None:
    """Restart the countdown where it stopped."""
    _running(run, now)
    if run.phase != "paused":
        raise LiveError("Câu hỏi không tạm dừng.")
    run.phase = "open"
    run.locks_at = now + timedelta(milliseconds=run.remaining_ms or 0)
    run.remaining_ms = None
    _changed(run)


def reveal(run: LiveRun, now: datetime) -> None:
    """Show the right answer with its legal citation."""
    _running(run, now)
    if run.phase not in ("locked", "scoreboard") or run.question_id is None:
        raise LiveError("Chỉ công bố đáp án sau khi câu hỏi đã khóa.")
    run.phase = "revealed"
    _changed(run)


def show_scoreboard(run: LiveRun, now: datetime) -> None:
    """Put the scoreboard on the screens between questions."""
    _running(run, now)
    if run.phase not in ("lobby", "locked", "revealed"):
        raise LiveError("Bảng điểm hiện giữa các câu hỏi.")
    run.phase = "scoreboard"
    _changed(run)


def finish(run: LiveRun, organizer: User, now: datetime) -> None:
    """End the event: the final table goes on the screens. The real run leaves the stage at once (its table
    goes to the judges); a rehearsal stays until the host ends it (and its records with it)."""
    _running(run, now)
    if run.phase in ("open", "paused", "staking"):
        raise LiveError("Câu hỏi đang mở: hãy khóa câu hỏi trước.")
    run.phase = "finished"
    if not run.is_rehearsal:
        run.ended_at = now
    _changed(run)
    record(organizer.id, "live.rehearsal.finish" if run.is_rehearsal else "live.finish", "live_event", run.event_id)


# --- on the devices -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Ack:
    """What a device is told about its answer: kept (with the choice the team holds) or refused, and why."""

    is_accepted: bool
    choice: int | None
    message: str


_ANSWERS = LiveAnswer.__table__
_RUNS = LiveRun.__table__


@functools.cache
def _insert_answer_statement(dialect: str):
    """INSERT … SELECT from the run row: stored only while the question is open and its lock time not passed."""
    source = (sa.select(_RUNS.c.id, sa.bindparam("question_id"), sa.bindparam("team_id"), sa.bindparam("choice"),
                        sa.bindparam("device"), sa.bindparam("received_at", type_=_ANSWERS.c.received_at.type))
              .where(_RUNS.c.id == sa.bindparam("run_id"), _RUNS.c.event_id == sa.bindparam("event_id"),
                     _RUNS.c.phase == "open", _RUNS.c.question_id == sa.bindparam("question_id"),
                     _RUNS.c.ended_at.is_(None), _RUNS.c.locks_at >= sa.bindparam("received_at")))
    return (dialect_insert(_ANSWERS, dialect).from_select(["run_id", "question_id", "team_id", "choice", "device", "received_at"],
                                         source)
            .on_conflict_do_nothing(index_elements=["run_id", "question_id", "team_id"]).returning(_ANSWERS.c.id))


def answer(code: str, run_id: int, question_id: int, team_id: int, choice: int, device: str, now: datetime) -> Ack:
    """A device's answer for its team (the event named by its code): kept if the question is open and its lock
    time has not passed (the server's clock), once per team — the first answer counts, the same one again is
    acknowledged, another is refused with the one the team holds."""
    if db.engine.dialect.name == "postgresql" and postgres.store_answer(code, run_id, question_id, team_id, choice,
                                                                        device, now):
        return Ack(True, choice, f"Đã chọn {letter(choice)} — chờ công bố.")
    event_id = db.session.scalar(sa.select(LiveEvent.id).where(LiveEvent.code == code))
    count = choice_count(question_id)
    if event_id is None or count is None:
        return Ack(False, None, "Câu hỏi này không còn mở.")
    return submit_answer(event_id, run_id, question_id, team_id, choice, device, count, now)


def choice_count(question_id: int) -> int | None:
    """How many options the live question's bank question has (None: no such question)."""
    choices = db.session.scalar(sa.select(Question.choices).join(LiveQuestion, LiveQuestion.question_id == Question.id)
                                .where(LiveQuestion.id == question_id))
    return None if choices is None else len(choices)


def submit_answer(event_id: int, run_id: int, question_id: int, team_id: int, choice: int, device: str,
                  choice_count: int, now: datetime) -> Ack:
    """The answer's plain path (SQLite, and on PostgreSQL the explanation of an answer the fast path did not
    store): the same rules through the session, then why it was refused."""
    if not 0 <= choice < choice_count:
        return Ack(False, None, "Phương án không hợp lệ.")
    if db.engine.dialect.name == "postgresql":
        postgres.share_run(run_id)  # never beside a lock that is marking
    stored = db.session.execute(_insert_answer_statement(db.engine.dialect.name),
                                {"run_id": run_id, "event_id": event_id, "question_id": question_id,
                                 "team_id": team_id, "choice": choice, "device": device[:16],
                                 "received_at": now}).first()
    if stored is not None:
        announce(event_id, "tally")
        return Ack(True, choice, f"Đã chọn {letter(choice)} — chờ công bố.")
    kept = db.session.scalar(sa.select(LiveAnswer.choice).where(
        LiveAnswer.run_id == run_id, LiveAnswer.question_id == question_id, LiveAnswer.team_id == team_id))
    if kept is not None:
        if kept == choice:
            return Ack(True, kept, f"Đã chọn {letter(kept)} — chờ công bố.")
        return Ack(False, kept, f"Đội đã chọn {letter(kept)}; mỗi đội chỉ trả lời một lần.")
    run = db.session.get(LiveRun, run_id)
    if run is None or run.ended_at is not None or run.question_id != question_id:
        return Ack(False, None, "Câu hỏi này không còn mở.")
    if run.phase == "paused":
        return Ack(False, None, "Câu hỏi đang tạm dừng — chờ người dẫn chương trình.")
    return Ack(False, None, "Đã hết giờ: câu trả lời đến sau khi khóa không được tính.")


def press_buzzer(run: LiveRun, question_id: int, team_id: int, now: datetime) -> str:
    """A team presses the buzzer: the first press takes the turn; later presses queue for it."""
    _running(run, now)
    question = run.question
    if run.phase != "open" or question is None or question.id != question_id or question.segment.kind != "buzzer":
        raise LiveError("Chưa thể bấm chuông lúc này.")
    if run.buzz_team_id is None and (run.locks_at is None or run.locks_at < now):
        raise LiveError("Đã hết giờ bấm chuông.")
    if db.session.scalar(sa.select(LiveBuzz.id).where(LiveBuzz.run_id == run.id, LiveBuzz.question_id == question_id,
                                                      LiveBuzz.team_id == team_id)):
        raise LiveError("Đội đã bấm chuông câu này.")
    db.session.add(LiveBuzz(run_id=run.id, question_id=question_id, team_id=team_id, pressed_at=now))
    if run.buzz_team_id is None:
        run.buzz_team_id = team_id
        run.remaining_ms = max(0, int((run.locks_at - now).total_seconds() * 1000))
        run.locks_at = None
        message = "Đội giành quyền trả lời!"
    else:
        message = "Đã bấm chuông — chờ lượt."
    _changed(run)
    return message


def mark_spoken(run: LiveRun, team_id: int, is_correct: bool, host: User, now: datetime) -> None:
    """The host marks the spoken answer of the team holding the buzzer. Right: the question locks. Wrong: the
    segment's penalty; then the next team that pressed answers, or the buzzer reopens for the others (if the
    segment passes the question on), else the question locks."""
    _running(run, now)
    if run.phase != "open" or run.buzz_team_id != team_id:
        raise LiveError("Đội này không giữ quyền trả lời.")
    question = run.question
    segment = question.segment
    rules = SegmentRules.from_settings(segment.settings)
    mark = buzzer_mark(rules, segment.points, is_correct)
    db.session.add(LiveMark(run_id=run.id, question_id=question.id, team_id=team_id, kind="host", points=mark.points,
                            is_correct=is_correct, note=mark.note, user_id=host.id, created_at=now))
    db.session.execute(sa.update(LiveBuzz).where(LiveBuzz.run_id == run.id, LiveBuzz.question_id == question.id,
                                                 LiveBuzz.team_id == team_id).values(is_correct=is_correct))
    record(host.id, "live.mark", "live_event", run.event_id, question=question.id, team=team_id,
           correct=is_correct, points=mark.points, rehearsal=run.is_rehearsal)
    if is_correct or not rules.buzzer_wrong_passes:
        _lock(run, now)
        return
    waiting = db.session.scalar(sa.select(LiveBuzz.team_id).where(
        LiveBuzz.run_id == run.id, LiveBuzz.question_id == question.id, LiveBuzz.is_correct.is_(None),
        LiveBuzz.team_id != team_id).order_by(LiveBuzz.pressed_at, LiveBuzz.id).limit(1))
    if waiting is not None:
        run.buzz_team_id = waiting
    elif (run.remaining_ms or 0) > 0:
        run.buzz_team_id = None
        run.locks_at = now + timedelta(milliseconds=run.remaining_ms)
        run.remaining_ms = None
    else:
        _lock(run, now)
        return
    _changed(run)


def stake(run: LiveRun, question_id: int, team_id: int, now: datetime) -> None:
    """A team puts its star on the star question waiting to open."""
    _running(run, now)
    if run.phase != "staking" or run.question_id != question_id:
        raise LiveError("Chỉ đặt ngôi sao trước khi câu hỏi mở.")
    if db.session.scalar(sa.select(LiveStake.id).where(LiveStake.run_id == run.id, LiveStake.question_id == question_id,
                                                       LiveStake.team_id == team_id)):
        return
    if _stars_left(run, run.question.segment).get(team_id, 0) <= 0:
        raise LiveError("Đội đã dùng hết ngôi sao của phần thi này.")
    db.session.add(LiveStake(run_id=run.id, question_id=question_id, team_id=team_id, staked_at=now))
    _changed(run)


# --- marks and corrections -----------------------------------------------------------------------------

def team_points(run_id: int, question_id: int, team_id: int) -> int:
    """A team's points on one question, as the ledger stands."""
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(LiveMark.points), 0)).where(
        LiveMark.run_id == run_id, LiveMark.question_id == question_id, LiveMark.team_id == team_id))


def correct_mark(run: LiveRun, question_id: int, team_id: int, points: int, reason: str, user: User,
                 now: datetime) -> LiveMark:
    """Set a team's points on a question to `points`, with a written reason: the ledger gains the difference,
    and the audit log says who and why. Refused once the final table is signed."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise LiveError("Cần ghi rõ lý do sửa điểm.")
    if db.session.scalar(sa.select(ResultSnapshot.id).where(ResultSnapshot.live_event_id == run.event_id)):
        raise LiveError("Kết quả đã được ký: không thể sửa điểm.")
    if run.question_id is not None and question_id == run.question_id and run.phase in ("open", "paused", "staking"):
        raise LiveError("Câu hỏi còn đang mở: sửa điểm sau khi khóa.")
    if not db.session.scalar(sa.select(LiveTeam.id).where(LiveTeam.id == team_id, LiveTeam.event_id == run.event_id)):
        raise LiveError("Không có đội này.")
    if question_id not in {q.id for q in ordered_questions(run.event_id)}:
        raise LiveError("Không có câu hỏi này.")
    before = team_points(run.id, question_id, team_id)
    if points == before:
        raise LiveError("Điểm không thay đổi.")
    mark = LiveMark(run_id=run.id, question_id=question_id, team_id=team_id, kind="correction",
                    points=points - before, note=reason, user_id=user.id, created_at=now)
    db.session.add(mark)
    run.version += 1
    announce(run.event_id, "state")
    record(user.id, "live.correct", "live_event", run.event_id, question=question_id, team=team_id,
           before=before, after=points, reason=reason, rehearsal=run.is_rehearsal)
    return mark


# --- joining ------------------------------------------------------------------------------------------

def join_team(event: LiveEvent, team_id: int, pin: str, address: str, now: datetime) -> LiveTeam:
    """A device joins a team with the team's PIN. Wrong PINs are counted like failed log-ins (per team and
    address, per team, per address: contest.accounts.throttle), so a PIN cannot be guessed from the hall."""
    team = next((team for team in event.teams if team.id == team_id), None)
    if team is None:
        raise LiveError("Không có đội này trong hội thi.")
    keys = throttle.Keys(pair=f"lp|{team.id}|{address}", account=f"lt|{team.id}", address=f"i|{address}")
    counts = throttle.running_counts(keys, now)
    until = throttle.refused_until(keys, counts)
    if until is not None:
        raise LiveError("Nhập sai mã PIN quá nhiều lần; vui lòng thử lại sau ít phút hoặc hỏi Ban tổ chức.")
    if not secrets.compare_digest((pin or "").strip(), team.pin):
        throttle.record_failure(keys, now)
        raise LiveError("Mã PIN không đúng.")
    return team

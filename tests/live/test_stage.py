"""Running a live event on the server's clock: every segment kind, pause, the lock, corrections, rehearsal."""
import random

import pytest
import sqlalchemy as sa

from contest.audit.models import AuditEntry
from contest.bank.models import Question
from contest.extensions import db
from contest.live import services
from contest.live.models import LiveAnswer, LiveMark, LiveRun
from contest.live.queries import final_table, public_state, scoreboard, team_view
from contest.live.services import LiveError

RIGHT, WRONG = 0, 2  # the factories' questions: the first option is right


def answer(stage, run, team, choice, at):
    """A device's answer, as the route sends it."""
    ack = services.submit_answer(stage.event.id, run.id, run.question_id, stage.teams[team].id, choice, "dev",
                                 4, at)
    db.session.commit()
    return ack


def start(stage, now, rehearsal=False):
    run = services.start_run(stage.event, stage.organizer, now, rehearsal=rehearsal)
    db.session.commit()
    return run


def step(run, action, at, *args):
    getattr(services, action)(services.locked_run(run.id), *args, at) if args else \
        getattr(services, action)(services.locked_run(run.id), at)
    db.session.commit()


def totals(stage, run):
    return {row["name"]: row["score"] for row in scoreboard(run, stage.teams)}


def test_an_all_answer_question_opens_and_locks_at_server_times(stage, later):
    run = start(stage, later(0))
    step(run, "next_question", later(1))
    assert run.phase == "open" and run.locks_at == later(21)
    assert answer(stage, run, 0, RIGHT, later(5)).is_accepted
    ack = answer(stage, run, 1, WRONG, later(21))  # exactly at the lock time: still in
    assert ack.is_accepted and ack.message == "Đã chọn C — chờ công bố."
    late = answer(stage, run, 2, RIGHT, later(21.001))
    assert not late.is_accepted and late.message.startswith("Đã hết giờ")
    # The lock happens before anything else touches the run once its time has passed.
    step(run, "reveal", later(22))
    assert run.phase == "revealed"
    assert totals(stage, run) == {"Sở Tư pháp": 10, "UBND huyện Một": 0, "UBND xã Một": 0}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LiveAnswer)) == 2


def test_a_team_answers_once_and_is_told_what_it_holds(stage, later):
    run = start(stage, later(0))
    step(run, "next_question", later(1))
    assert answer(stage, run, 0, 1, later(2)).is_accepted
    again = answer(stage, run, 0, 1, later(3))
    assert again.is_accepted and again.choice == 1  # a resend after a lost reply
    other = answer(stage, run, 0, 3, later(4))
    assert not other.is_accepted and other.message == "Đội đã chọn B; mỗi đội chỉ trả lời một lần."
    assert team_view(stage.event, stage.teams[0])["choice"] == 1


def test_no_right_answer_reaches_the_screens_before_the_reveal(stage, later):
    run = start(stage, later(0))
    step(run, "next_question", later(1))
    answer(stage, run, 0, RIGHT, later(2))
    state = public_state(stage.event)
    assert state["question"]["options"] and "reveal" not in state and "distribution" not in state
    assert state["answered_count"] == 1 and state["names"] == {}
    step(run, "lock_now", later(3))
    locked = public_state(stage.event)
    assert "reveal" not in locked and locked["distribution"] == [1, 0, 0, 0]
    step(run, "reveal", later(4))
    revealed = public_state(stage.event)
    question = db.session.get(Question, run.question.question_id)
    assert revealed["reveal"]["letters"] == "A" and revealed["reveal"]["citation"] == question.citation
    assert revealed["results"] == {stage.teams[0].id: [10, 1]}
    assert revealed["scores"][stage.teams[0].id] == [10, 1] and revealed["scores"][stage.teams[1].id] == [0, 2]


def test_pause_stops_the_clock_and_refuses_answers_until_it_resumes(stage, later):
    run = start(stage, later(0))
    step(run, "next_question", later(0))
    step(run, "pause", later(5))
    assert run.phase == "paused" and run.remaining_ms == 15_000 and run.locks_at is None
    refused = answer(stage, run, 0, RIGHT, later(6))
    assert not refused.is_accepted and "tạm dừng" in refused.message
    step(run, "resume", later(100))
    assert run.locks_at == later(115)
    assert answer(stage, run, 0, RIGHT, later(110)).is_accepted


def test_speed_points_follow_the_order_answers_reached_the_server(stage, later):
    run = start(stage, later(0))
    for second in (1, 2):  # the two all-answer questions, unanswered
        step(run, "next_question", later(second * 30))
        step(run, "lock_now", later(second * 30 + 1))
    step(run, "next_question", later(100))
    assert run.question.segment.kind == "speed"
    answer(stage, run, 2, RIGHT, later(101))
    answer(stage, run, 1, WRONG, later(102))
    answer(stage, run, 0, RIGHT, later(103))
    step(run, "lock_now", later(104))
    assert totals(stage, run) == {"UBND xã Một": 40, "Sở Tư pháp": 30, "UBND huyện Một": 0}


def advance_to(run, kind, at):
    """Skip questions (locking each) until a question of `kind` is current."""
    while run.question is None or run.question.segment.kind != kind:
        step(run, "next_question", at)
        if run.question.segment.kind != kind and run.phase in ("open", "staking"):
            if run.phase == "staking":
                step(run, "next_question", at)
            step(run, "lock_now", at)


def test_the_buzzer_passes_a_wrongly_answered_question_to_the_next_team_that_pressed(stage, later):
    run = start(stage, later(0))
    advance_to(run, "buzzer", later(1))
    assert run.phase == "open"
    question_id = run.question_id
    first = services.press_buzzer(services.locked_run(run.id), question_id, stage.teams[1].id, later(5))
    db.session.commit()
    assert first == "Đội giành quyền trả lời!" and run.buzz_team_id == stage.teams[1].id
    assert run.locks_at is None and run.remaining_ms == 16_000  # the clock waits while the team answers aloud
    services.press_buzzer(services.locked_run(run.id), question_id, stage.teams[0].id, later(6))
    db.session.commit()
    with pytest.raises(LiveError, match="đã bấm chuông"):
        services.press_buzzer(services.locked_run(run.id), question_id, stage.teams[0].id, later(6))
    db.session.rollback()
    step(run, "mark_spoken", later(10), stage.teams[1].id, False, stage.organizer)
    assert run.phase == "open" and run.buzz_team_id == stage.teams[0].id
    step(run, "mark_spoken", later(12), stage.teams[0].id, True, stage.organizer)
    assert run.phase == "locked"
    assert totals(stage, run)["Sở Tư pháp"] == 10 and totals(stage, run)["UBND huyện Một"] == 0
    state = public_state(stage.event)
    assert state["buzz"]["out"] == [stage.teams[1].id] and state["buzz"]["right"] == [stage.teams[0].id]
    assert state["names"] == {stage.teams[0].id: "Sở Tư pháp", stage.teams[1].id: "UBND huyện Một"}


def test_a_wrong_answer_with_nobody_waiting_reopens_the_buzzer_with_the_time_left(stage, later):
    run = start(stage, later(0))
    advance_to(run, "buzzer", later(1))
    services.press_buzzer(services.locked_run(run.id), run.question_id, stage.teams[2].id, later(11))
    db.session.commit()
    step(run, "mark_spoken", later(30), stage.teams[2].id, False, stage.organizer)
    assert run.buzz_team_id is None and run.locks_at == later(40)  # 10 s were left when the team pressed
    with pytest.raises(LiveError, match="đã bấm chuông"):
        services.press_buzzer(services.locked_run(run.id), run.question_id, stage.teams[2].id, later(31))
    db.session.rollback()
    assert services.settle_if_due(services.locked_run(run.id), later(41))
    db.session.commit()
    assert run.phase == "locked"


def test_a_star_is_staked_before_the_question_opens_and_doubles_or_costs(stage, later):
    run = start(stage, later(0))
    advance_to(run, "star", later(1))
    assert run.phase == "staking"
    assert "text" not in public_state(stage.event)["question"]  # the question shows once the stakes are in
    services.stake(services.locked_run(run.id), run.question_id, stage.teams[0].id, later(2))
    services.stake(services.locked_run(run.id), run.question_id, stage.teams[1].id, later(2))
    db.session.commit()
    step(run, "next_question", later(3))
    assert run.phase == "open"
    answer(stage, run, 0, RIGHT, later(4))
    answer(stage, run, 1, WRONG, later(4))
    answer(stage, run, 2, RIGHT, later(4))
    step(run, "lock_now", later(5))
    assert totals(stage, run) == {"Sở Tư pháp": 20, "UBND xã Một": 10, "UBND huyện Một": -10}
    # One star per team in the segment: the next star question waits for the third team only.
    step(run, "next_question", later(6))
    assert run.phase == "staking"
    with pytest.raises(LiveError, match="hết ngôi sao"):
        services.stake(services.locked_run(run.id), run.question_id, stage.teams[0].id, later(7))
    db.session.rollback()
    assert team_view(stage.event, stage.teams[0])["stars_left"] == 0
    assert team_view(stage.event, stage.teams[2])["stars_left"] == 1


def test_a_correction_needs_a_reason_and_is_logged(stage, later):
    run = start(stage, later(0))
    step(run, "next_question", later(1))
    answer(stage, run, 0, WRONG, later(2))
    step(run, "lock_now", later(3))
    with pytest.raises(LiveError, match="lý do"):
        services.correct_mark(services.locked_run(run.id), run.question_id, stage.teams[0].id, 10, "  ",
                              stage.organizer, later(4))
    db.session.rollback()
    services.correct_mark(services.locked_run(run.id), run.question_id, stage.teams[0].id, 10,
                          "Giám khảo chấp nhận cách hiểu thứ hai của câu hỏi", stage.organizer, later(4))
    db.session.commit()
    assert totals(stage, run)["Sở Tư pháp"] == 10
    kinds = db.session.execute(sa.select(LiveMark.kind, LiveMark.points).order_by(LiveMark.id)).all()
    assert [tuple(row) for row in kinds][-1] == ("correction", 10)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "live.correct"))
    assert entry.details["before"] == 0 and entry.details["after"] == 10 and "cách hiểu" in entry.details["reason"]


def test_the_stage_refuses_steps_out_of_order(stage, later):
    run = start(stage, later(0))
    with pytest.raises(LiveError, match="sau khi câu hỏi đã khóa"):
        step(run, "reveal", later(1))
    db.session.rollback()
    step(run, "next_question", later(1))
    with pytest.raises(LiveError, match="hãy khóa câu hỏi"):
        step(run, "next_question", later(2))
    db.session.rollback()
    with pytest.raises(LiveError, match="hãy khóa câu hỏi"):
        services.finish(services.locked_run(run.id), stage.organizer, later(2))
    db.session.rollback()


def play_through(stage, run, at):
    """Every question, locked unanswered, then finish."""
    while True:
        try:
            step(run, "next_question", at)
        except LiveError:
            break
        if run.phase == "staking":
            step(run, "next_question", at)
        step(run, "lock_now", at)
    services.finish(services.locked_run(run.id), stage.organizer, at)
    db.session.commit()


def test_a_rehearsal_leaves_no_trace_and_the_real_run_happens_once(stage, later):
    rehearsal = start(stage, later(0), rehearsal=True)
    step(rehearsal, "next_question", later(1))
    answer(stage, rehearsal, 0, RIGHT, later(2))
    step(rehearsal, "lock_now", later(3))
    assert public_state(stage.event)["rehearsal"] is True
    with pytest.raises(LiveError, match="diễn tập"):
        services.start_run(stage.event, stage.organizer, later(4), rehearsal=True)
    db.session.rollback()
    real = start(stage, later(10))  # ends the rehearsal on the stage, and deletes what it recorded
    assert db.session.get(LiveRun, rehearsal.id).ended_at == later(10)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LiveAnswer)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LiveMark)) == 0
    assert public_state(stage.event)["rehearsal"] is False
    play_through(stage, real, later(20))
    assert real.ended_at == later(20) and public_state(stage.event)["phase"] == "finished"
    with pytest.raises(LiveError, match="đã diễn ra"):
        services.start_run(stage.event, stage.organizer, later(30), rehearsal=False)
    db.session.rollback()
    with pytest.raises(LiveError, match="đã diễn ra"):
        services.add_team(stage.event, "Đội mới", None, "", stage.organizer)
    db.session.rollback()
    assert [row["total"] for row in final_table(stage.event, real)] == [0, 0, 0]


def test_only_approved_questions_of_the_event_bank_go_on_the_stage(stage, world):
    segment = stage.event.segments[0]
    draft = db.session.scalar(sa.select(Question).order_by(Question.id.desc()))
    draft.status = "draft"
    db.session.commit()
    with pytest.raises(LiveError, match="chưa được duyệt"):
        services.choose_questions(segment, [draft.id], stage.organizer)
    db.session.rollback()
    before = len(segment.questions)
    assert services.choose_questions(segment, [segment.questions[0].question_id], stage.organizer) == 0
    assert len(segment.questions) == before


def test_drawing_by_quota_takes_questions_not_yet_in_the_event(stage):
    segment = stage.event.segments[1]
    added = services.draw_questions(segment, 3, [{"topic": "Chung", "difficulty": "", "count": 2}], stage.organizer,
                                    random.Random(7))
    db.session.commit()
    ids = [item.question_id for other in stage.event.segments for item in other.questions]
    assert added == 3 and len(ids) == len(set(ids)) == 10
    with pytest.raises(LiveError, match="Không rút được"):
        services.draw_questions(segment, 50, [], stage.organizer, random.Random(7))

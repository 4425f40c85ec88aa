"""Reads of a live event: the public state every screen shows, a team's own view, the host's table of
answers, the scoreboard, the ledger of marks and the final table."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from contest.bank.models import Question
from contest.extensions import db
from contest.live.models import (LiveAnswer, LiveBuzz, LiveEvent, LiveMark, LiveQuestion, LiveRun, LiveSegment,
                                 LiveStake, LiveTeam)
from contest.live.rules import ANSWERED_ON_DEVICE, KIND_LABELS, SegmentRules, letter, rank_totals
from contest.live.services import active_run, normalise_code, ordered_questions
from questions.text import fold

SHOWS_QUESTION = ("open", "paused", "locked", "revealed", "scoreboard")
SHOWS_ANSWER = ("revealed", "scoreboard")


def event_by_code(code: str) -> LiveEvent | None:
    """The event a join code names (spaces, dashes and case ignored)."""
    return db.session.scalar(sa.select(LiveEvent).where(LiveEvent.code == normalise_code(code)))


def event_id_by_code(code: str) -> int | None:
    """The id of the event a join code names."""
    return db.session.scalar(sa.select(LiveEvent.id).where(LiveEvent.code == normalise_code(code)))


def stage_run(event_id: int) -> LiveRun | None:
    """The run the screens show: the one on the stage, else the real run once it has ended."""
    run = active_run(event_id)
    if run is None:
        run = db.session.scalar(sa.select(LiveRun).where(LiveRun.event_id == event_id, LiveRun.is_rehearsal.is_(False)))
    return run


def team_names(event_id: int) -> list[sa.Row]:
    """The event's teams as (id, name) rows in stage order: hundreds of them are read on every change."""
    return db.session.execute(sa.select(LiveTeam.id, LiveTeam.name).where(LiveTeam.event_id == event_id)
                              .order_by(LiveTeam.position)).all()


def epoch_ms(value: datetime | None) -> int | None:
    """A UTC instant as milliseconds since the epoch (what the browsers' countdowns read)."""
    return None if value is None else int(value.timestamp() * 1000)


def scoreboard(run: LiveRun | None, teams) -> list[dict]:
    """Every team with its total so far and its rank (equal totals and right answers share a rank)."""
    totals: dict[int, tuple[int, int]] = {}
    if run is not None:
        for team_id, total, right in db.session.execute(
                sa.select(LiveMark.team_id, sa.func.sum(LiveMark.points),
                          sa.func.count(sa.distinct(sa.case((LiveMark.is_correct.is_(True), LiveMark.question_id)))))
                .where(LiveMark.run_id == run.id).group_by(LiveMark.team_id)):
            totals[team_id] = (int(total or 0), int(right or 0))
    names = {team.id: team.name for team in teams}
    ranked = rank_totals([(team.id, *totals.get(team.id, (0, 0))) for team in teams])
    return [{"id": row.team_id, "name": names[row.team_id], "score": row.total, "rank": row.rank,
             "correct": row.correct} for row in ranked]


def _question_part(run: LiveRun, questions: list[LiveQuestion]) -> dict:
    question = run.question
    segment = question.segment
    bank_question = question.question
    number = [q.id for q in questions].index(question.id) + 1
    in_segment = [q for q in questions if q.segment_id == segment.id]
    rules = SegmentRules.from_settings(segment.settings)
    part = {
        "segment": {"kind": segment.kind, "label": KIND_LABELS[segment.kind], "title": segment.title,
                    "rule": rules.describe(segment.kind, segment.points), "position": segment.position},
        "question": {"id": question.id, "number": number, "total": len(questions),
                     "in_segment": f"Câu {in_segment.index(question) + 1}/{len(in_segment)}",
                     "points": segment.points, "seconds": segment.seconds, "topic": bank_question.topic,
                     "locks_at_ms": epoch_ms(run.locks_at), "remaining_ms": run.remaining_ms,
                     "on_device": segment.kind in ANSWERED_ON_DEVICE},
    }
    if run.phase in SHOWS_QUESTION:
        part["question"].update(text=bank_question.text, options=list(bank_question.choices))
    return part


BOARD_ROWS = 20


def public_state(event: LiveEvent, run: LiveRun | None = None) -> dict:
    """What every screen and device may see now, the same bytes for all of them. The right answer, its citation
    and each team's result are in it only once the question has been revealed.

    Sized for hundreds of devices: the scoreboard's top rows carry names; every team's score and rank, and its
    result on a revealed question, are compact maps by team id; names otherwise only for the teams the stage
    mentions (the buzzer's, the stakes')."""
    run = run if run is not None else stage_run(event.id)
    teams = team_names(event.id)
    names = {team.id: team.name for team in teams}
    state = {"code": event.code, "title": event.title, "venue": event.venue, "individual": event.is_individual,
             "team_count": len(teams), "v": run.version if run else 0, "run": run.id if run else None,
             "rehearsal": bool(run and run.is_rehearsal), "phase": run.phase if run else "waiting"}
    board = scoreboard(run, teams)
    state["scoreboard"] = board[:BOARD_ROWS]
    state["scores"] = {row["id"]: [row["score"], row["rank"]] for row in board}
    mentioned: set[int] = set()
    if run is not None and run.question_id is not None and state["phase"] not in ("waiting", "finished"):
        _stage_part(state, run, mentioned)
    state["names"] = {team_id: names[team_id] for team_id in mentioned if team_id in names}
    return state


def _stage_part(state: dict, run: LiveRun, mentioned: set[int]) -> None:
    """The current question's part of the state."""
    state.update(_question_part(run, ordered_questions(run.event_id)))
    qid = run.question_id
    kind = run.question.segment.kind
    if kind == "star":
        state["stakes"] = list(db.session.scalars(sa.select(LiveStake.team_id).where(
            LiveStake.run_id == run.id, LiveStake.question_id == qid).order_by(LiveStake.id)))
        mentioned.update(state["stakes"])
    if kind == "buzzer":
        presses = db.session.execute(sa.select(LiveBuzz.team_id, LiveBuzz.is_correct).where(
            LiveBuzz.run_id == run.id, LiveBuzz.question_id == qid).order_by(LiveBuzz.pressed_at, LiveBuzz.id)).all()
        state["buzz"] = {"holder": run.buzz_team_id, "queue": [team for team, verdict in presses if verdict is None],
                         "out": [team for team, verdict in presses if verdict is False],
                         "right": [team for team, verdict in presses if verdict is True]}
        mentioned.update(team for team, _ in presses)
    else:
        state["answered_count"] = db.session.scalar(sa.select(sa.func.count()).select_from(LiveAnswer).where(
            LiveAnswer.run_id == run.id, LiveAnswer.question_id == qid))
    if run.phase in ("locked", "revealed", "scoreboard") and kind in ANSWERED_ON_DEVICE:
        counts = dict(db.session.execute(sa.select(LiveAnswer.choice, sa.func.count()).where(
            LiveAnswer.run_id == run.id, LiveAnswer.question_id == qid).group_by(LiveAnswer.choice)).all())
        state["distribution"] = [counts.get(index, 0) for index in range(len(run.question.question.choices))]
    if run.phase in SHOWS_ANSWER:
        bank_question = run.question.question
        document = bank_question.document
        state["reveal"] = {"correct": sorted(bank_question.correct),
                           "letters": ", ".join(letter(index) for index in sorted(bank_question.correct)),
                           "citation": bank_question.citation or (document.display_name if document else ""),
                           "document": document.title if document else "",
                           "explanation": bank_question.explanation}
        state["results"] = {team: [int(points), 1 if right else 0] for team, points, right in db.session.execute(
            sa.select(LiveMark.team_id, sa.func.sum(LiveMark.points),
                      sa.func.max(sa.case((LiveMark.is_correct.is_(True), 1), else_=0)))
            .where(LiveMark.run_id == run.id, LiveMark.question_id == qid).group_by(LiveMark.team_id))}


def answered_teams(run_id: int, question_id: int) -> list[int]:
    """The teams that have answered the question, in the order the server received them."""
    return list(db.session.scalars(sa.select(LiveAnswer.team_id).where(
        LiveAnswer.run_id == run_id, LiveAnswer.question_id == question_id).order_by(LiveAnswer.received_at,
                                                                                   LiveAnswer.id)))


def tally(event_id: int) -> dict | None:
    """For the host and the projector while a question is open: who has answered (or pressed) so far."""
    run = db.session.execute(sa.select(LiveRun.id, LiveRun.question_id).where(
        LiveRun.event_id == event_id, LiveRun.ended_at.is_(None))).first()
    if run is None or run.question_id is None:
        return None
    pressed = list(db.session.scalars(sa.select(LiveBuzz.team_id).where(
        LiveBuzz.run_id == run.id, LiveBuzz.question_id == run.question_id).order_by(LiveBuzz.pressed_at, LiveBuzz.id)))
    return {"run": run.id, "question": run.question_id, "answered": answered_teams(run.id, run.question_id),
            "pressed": pressed}


def change_marks(event_ids: list[int]) -> dict[int, tuple[tuple, int]]:
    """For each event on the stage: (its run's version, answers and presses on the current question).
    What the transport polls to notice a change made by another instance."""
    if not event_ids:
        return {}
    answers = (sa.select(sa.func.count()).where(LiveAnswer.run_id == LiveRun.id,
                                                LiveAnswer.question_id == LiveRun.question_id)
               .correlate(LiveRun).scalar_subquery())
    presses = (sa.select(sa.func.count()).where(LiveBuzz.run_id == LiveRun.id, LiveBuzz.question_id == LiveRun.question_id)
               .correlate(LiveRun).scalar_subquery())
    rows = db.session.execute(sa.select(LiveRun.event_id, LiveRun.id, LiveRun.started_at, LiveRun.version,
                                        answers + presses).where(LiveRun.event_id.in_(event_ids))
                              .order_by(LiveRun.id)).all()
    marks: dict[int, tuple[tuple, int]] = {}
    for event_id, run_id, started_at, version, count in rows:
        marks[event_id] = ((run_id, started_at, version), count)  # the latest run of the event wins
    return marks


def team_view(event: LiveEvent, team: LiveTeam) -> dict:
    """A device's own state after it (re)connects: it keeps what its team answered."""
    run = stage_run(event.id)
    view = {"team": team.id, "name": team.name, "members": team.member_names, "choice": None, "pressed": False,
            "staked": False, "stars_left": None, "score": 0, "run": run.id if run else None,
            "question": run.question_id if run else None}
    if run is None:
        return view
    view["score"] = int(db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(LiveMark.points), 0)).where(
        LiveMark.run_id == run.id, LiveMark.team_id == team.id)) or 0)
    if run.question_id is None:
        return view
    view["choice"] = db.session.scalar(sa.select(LiveAnswer.choice).where(
        LiveAnswer.run_id == run.id, LiveAnswer.question_id == run.question_id, LiveAnswer.team_id == team.id))
    view["pressed"] = db.session.scalar(sa.select(LiveBuzz.id).where(
        LiveBuzz.run_id == run.id, LiveBuzz.question_id == run.question_id, LiveBuzz.team_id == team.id)) is not None
    view["staked"] = db.session.scalar(sa.select(LiveStake.id).where(
        LiveStake.run_id == run.id, LiveStake.question_id == run.question_id, LiveStake.team_id == team.id)) is not None
    segment = run.question.segment
    if segment.kind == "star":
        used = db.session.scalar(sa.select(sa.func.count()).select_from(LiveStake).join(
            LiveQuestion, LiveQuestion.id == LiveStake.question_id).where(
            LiveStake.run_id == run.id, LiveStake.team_id == team.id, LiveQuestion.segment_id == segment.id))
        view["stars_left"] = SegmentRules.from_settings(segment.settings).stars_per_team - used
    return view


def host_answers(run: LiveRun) -> list[dict]:
    """For the host: every team with what it has answered (or pressed, or staked) on the current question and
    its points on it so far."""
    if run.question_id is None:
        return []
    qid = run.question_id
    answers = {row.team_id: row for row in db.session.execute(sa.select(
        LiveAnswer.team_id, LiveAnswer.choice, LiveAnswer.received_at).where(
        LiveAnswer.run_id == run.id, LiveAnswer.question_id == qid))}
    presses = {row.team_id: (order, row) for order, row in enumerate(db.session.execute(sa.select(
        LiveBuzz.team_id, LiveBuzz.is_correct).where(LiveBuzz.run_id == run.id, LiveBuzz.question_id == qid)
        .order_by(LiveBuzz.pressed_at, LiveBuzz.id)), start=1)}
    stakes = set(db.session.scalars(sa.select(LiveStake.team_id).where(LiveStake.run_id == run.id,
                                                                       LiveStake.question_id == qid)))
    points = dict(db.session.execute(sa.select(LiveMark.team_id, sa.func.sum(LiveMark.points)).where(
        LiveMark.run_id == run.id, LiveMark.question_id == qid).group_by(LiveMark.team_id)).all())
    opened = run.opened_at
    rows = []
    for team in run.event.teams:
        answer = answers.get(team.id)
        press = presses.get(team.id)
        rows.append({"team": team.id, "name": team.name,
                     "choice": letter(answer.choice) if answer else None,
                     "after_ms": int((answer.received_at - opened).total_seconds() * 1000) if answer and opened else None,
                     "pressed": press[0] if press else None,
                     "spoken": None if not press else press[1].is_correct,
                     "staked": team.id in stakes, "points": int(points[team.id]) if team.id in points else None})
    return rows


def marks_log(run: LiveRun, last: int | None = None) -> list[LiveMark]:
    """Every mark and correction of the run (or the `last` ones), in the order they were made."""
    query = sa.select(LiveMark).where(LiveMark.run_id == run.id).options(joinedload(LiveMark.team),
                                                                         joinedload(LiveMark.user))
    if last is None:
        return db.session.scalars(query.order_by(LiveMark.id)).all()
    return db.session.scalars(query.order_by(LiveMark.id.desc()).limit(last)).all()[::-1]


def question_labels(event_id: int) -> dict[int, str]:
    """"Câu 3 (Tốc độ)" for each question of the event, by its id."""
    return {question.id: f"Câu {number} ({question.segment.title})"
            for number, question in enumerate(ordered_questions(event_id), start=1)}


def final_table(event: LiveEvent, run: LiveRun) -> list[dict]:
    """The run's final table: rank, team, agency, members, points per segment, right answers, total."""
    per_segment = {(team_id, segment_id): int(total) for team_id, segment_id, total in db.session.execute(
        sa.select(LiveMark.team_id, LiveQuestion.segment_id, sa.func.sum(LiveMark.points))
        .join(LiveQuestion, LiveQuestion.id == LiveMark.question_id).where(LiveMark.run_id == run.id)
        .group_by(LiveMark.team_id, LiveQuestion.segment_id))}
    rows = []
    for row in scoreboard(run, list(event.teams)):
        team = next(team for team in event.teams if team.id == row["id"])
        rows.append({"rank": row["rank"], "team_id": team.id, "team": team.name,
                     "agency": team.agency.name if team.agency else "", "members": team.member_names,
                     "segments": [per_segment.get((team.id, segment.id), 0) for segment in event.segments],
                     "correct": row["correct"], "total": row["score"]})
    return rows


def bank_questions(event: LiveEvent, search: str = "", limit: int = 200) -> list[Question]:
    """Approved questions of the event's bank an organizer may put on the stage (diacritics ignored)."""
    query = sa.select(Question).where(Question.bank_id == event.bank_id, Question.status == "approved",
                                      Question.replaced_by_id.is_(None)).order_by(Question.topic, Question.id)
    if search.strip():
        query = query.where(Question.search_text.contains(fold(search)))
    return db.session.scalars(query.limit(limit)).all()


def segment_questions(segment: LiveSegment) -> list[LiveQuestion]:
    """A segment's questions with their bank text, in order."""
    return db.session.scalars(sa.select(LiveQuestion).where(LiveQuestion.segment_id == segment.id)
                              .options(joinedload(LiveQuestion.question)).order_by(LiveQuestion.position)).all()

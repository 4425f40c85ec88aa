"""Recount everything from the raw attempts and report every difference from what is stored."""
import hashlib
from collections import defaultdict
from datetime import datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa

from contest.attempts.models import Attempt, AttemptItem
from contest.bank.models import Question
from contest.extensions import db
from contest.leaderboards.models import ContestStanding, Standing
from contest.prizes.models import ResultSnapshot
from contest.rounds.models import Contest, Round
from contest.scoring.rules import is_answer_correct, prediction_error, rank_key

BATCH = 2000


class Paper(NamedTuple):
    """What the standings' recount needs of a submitted paper: a few values, not its ORM objects
    (a national round has over a million papers of twenty items each)."""

    id: int
    user_id: int
    score: int
    max_score: int
    duration_ms: int
    submitted_at: datetime
    has_gaps: bool


_ATTEMPT, _ITEM, _QUESTION = Attempt.__table__, AttemptItem.__table__, Question.__table__


def _scores(report: list[str]) -> dict[int, list[Paper]]:
    """Check each submitted paper's marks, score and time, in batches of plain rows; return the
    papers by round for the standings."""
    by_round: dict[int, list[Paper]] = defaultdict(list)
    last_id = 0
    while True:
        papers = db.session.execute(
            sa.select(_ATTEMPT.c.id, _ATTEMPT.c.user_id, _ATTEMPT.c.round_id, _ATTEMPT.c.score, _ATTEMPT.c.max_score,
                      _ATTEMPT.c.duration_ms, _ATTEMPT.c.submitted_at, _ATTEMPT.c.started_at)
            .where(_ATTEMPT.c.submitted_at.is_not(None), _ATTEMPT.c.id > last_id)
            .order_by(_ATTEMPT.c.id).limit(BATCH)).all()
        if not papers:
            return by_round
        items: dict[int, list] = defaultdict(list)
        for row in db.session.execute(
                sa.select(_ITEM.c.attempt_id, _ITEM.c.position, _ITEM.c.selected, _ITEM.c.choice_order,
                          _ITEM.c.is_correct, _QUESTION.c.correct)
                .join(_QUESTION, _QUESTION.c.id == _ITEM.c.question_id)
                .where(_ITEM.c.attempt_id.between(papers[0].id, papers[-1].id))
                .order_by(_ITEM.c.attempt_id, _ITEM.c.position)):
            items[row.attempt_id].append(row)
        for paper in papers:
            score = 0
            marked = items.get(paper.id, [])
            for item in marked:
                right = is_answer_correct(item.selected, item.choice_order, item.correct)
                score += right
                if item.is_correct != right:
                    report.append(f"Bài #{paper.id} câu {item.position + 1}: lưu {item.is_correct}, chấm lại {right}")
            if paper.score != score:
                report.append(f"Bài #{paper.id}: điểm lưu {paper.score}, chấm lại {score}")
            if paper.duration_ms != (paper.submitted_at - paper.started_at) // timedelta(milliseconds=1):
                report.append(f"Bài #{paper.id}: thời gian làm bài lưu {paper.duration_ms} ms không khớp")
            has_gaps = any(not item.selected for item in marked)
            by_round[paper.round_id].append(Paper(paper.id, paper.user_id, paper.score, paper.max_score,
                                                  paper.duration_ms, paper.submitted_at, has_gaps))
        last_id = papers[-1].id


def _counted(round_: Round, papers: list[Paper]) -> dict[int, Paper]:
    """The paper that counts for each contestant under the round's rule."""
    counted: dict[int, Paper] = {}
    for paper in sorted(papers, key=lambda p: p.submitted_at):
        if round_.is_all_required and paper.has_gaps:
            continue
        held = counted.get(paper.user_id)
        if held is None or round_.counting_rule == "last" or (
                round_.counting_rule == "best" and rank_key(paper.score, paper.duration_ms, paper.submitted_at)
                < rank_key(held.score, held.duration_ms, held.submitted_at)):
            counted[paper.user_id] = paper
    return counted


def _standings(by_round: dict[int, list[Paper]], report: list[str]) -> dict[int, dict[int, tuple]]:
    """Check each round's standings against a recount; return the recount for the contest standings."""
    recount: dict[int, dict[int, tuple]] = {}
    for round_ in db.session.scalars(sa.select(Round)):
        counted = _counted(round_, by_round.get(round_.id, []))
        table = Standing.__table__
        stored = {s.user_id: s for s in db.session.execute(
            sa.select(table.c.user_id, table.c.attempt_id, table.c.score, table.c.duration_ms, table.c.submitted_at,
                      table.c.prediction, table.c.prediction_error).where(table.c.round_id == round_.id))}
        for user_id in stored.keys() - counted.keys():
            report.append(f"Vòng #{round_.id}: thí sinh #{user_id} có trên bảng nhưng không có bài được tính")
        for user_id, attempt in counted.items():
            standing = stored.get(user_id)
            if standing is None:
                report.append(f"Vòng #{round_.id}: thiếu thí sinh #{user_id} (bài #{attempt.id}) trên bảng")
                continue
            if (standing.attempt_id, standing.score, standing.duration_ms, standing.submitted_at) != \
                    (attempt.id, attempt.score, attempt.duration_ms, attempt.submitted_at):
                report.append(f"Vòng #{round_.id}, thí sinh #{user_id}: bảng ghi bài #{standing.attempt_id} "
                              f"({standing.score} điểm), tính lại bài #{attempt.id} ({attempt.score} điểm)")
            if round_.prediction_truth is not None and \
                    standing.prediction_error != prediction_error(standing.prediction, round_.prediction_truth):
                report.append(f"Vòng #{round_.id}, thí sinh #{user_id}: sai số dự đoán không khớp")
        recount[round_.id] = {user_id: (a.score, a.max_score, a.duration_ms, a.submitted_at)
                              for user_id, a in counted.items()}
    return recount


def _contest_standings(recount: dict[int, dict[int, tuple]], report: list[str]) -> None:
    for contest in db.session.scalars(sa.select(Contest)):
        rounds = [r.id for r in contest.rounds]
        expected: dict[int, tuple] = {}
        per_user: dict[int, list[tuple]] = defaultdict(list)
        for round_id in rounds:
            for user_id, figures in recount.get(round_id, {}).items():
                per_user[user_id].append(figures)
        for user_id, rows in per_user.items():
            if contest.overall_rule == "best_round":
                best = min(rows, key=lambda r: rank_key(r[0], r[2], r[3]))
                expected[user_id] = (best[0], best[2])
            else:
                expected[user_id] = (sum(r[0] for r in rows), sum(r[2] for r in rows))
        stored = {s.user_id: (s.score, s.duration_ms) for s in
                  db.session.scalars(sa.select(ContestStanding).where(ContestStanding.contest_id == contest.id))}
        for user_id in expected.keys() | stored.keys():
            if expected.get(user_id) != stored.get(user_id):
                report.append(f"Cuộc thi #{contest.id}, thí sinh #{user_id}: tổng lưu {stored.get(user_id)}, "
                              f"tính lại {expected.get(user_id)}")


def _snapshots(report: list[str]) -> None:
    for snapshot in db.session.scalars(sa.select(ResultSnapshot)):
        if hashlib.sha256(snapshot.payload.encode("utf-8")).hexdigest() != snapshot.checksum:
            subject = f"vòng #{snapshot.round_id}" if snapshot.round_id else f"hội thi trực tiếp #{snapshot.live_event_id}"
            report.append(f"Kết quả đã ký của {subject}: mã kiểm tra không khớp nội dung")


def verify_all() -> list[str]:
    """Every difference between what is stored and a recount from the raw attempts (empty: all agree)."""
    report: list[str] = []
    by_round = _scores(report)
    recount = _standings(by_round, report)
    _contest_standings(recount, report)
    _snapshots(report)
    return report

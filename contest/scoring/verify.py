"""Recount everything from the raw attempts and report every difference from what is stored."""
import hashlib
from collections import defaultdict
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from contest.attempts.models import Attempt, AttemptItem
from contest.extensions import db
from contest.leaderboards.models import ContestStanding, Standing
from contest.prizes.models import ResultSnapshot
from contest.rounds.models import Contest, Round
from contest.scoring.rules import is_answer_correct, prediction_error, rank_key

BATCH = 2000


def _scores(report: list[str]) -> dict[int, list[Attempt]]:
    """Check each submitted paper's marks and score; return the papers by round for the standings."""
    by_round: dict[int, list[Attempt]] = defaultdict(list)
    last_id = 0
    while True:
        batch = db.session.scalars(
            sa.select(Attempt).where(Attempt.submitted_at.is_not(None), Attempt.id > last_id).order_by(Attempt.id)
            .limit(BATCH).options(selectinload(Attempt.items).selectinload(AttemptItem.question))).all()
        if not batch:
            return by_round
        for attempt in batch:
            score = 0
            for item in attempt.items:
                right = is_answer_correct(item.selected, item.choice_order, item.question.correct)
                score += right
                if item.is_correct != right:
                    report.append(f"Bài #{attempt.id} câu {item.position + 1}: lưu {item.is_correct}, chấm lại {right}")
            if attempt.score != score:
                report.append(f"Bài #{attempt.id}: điểm lưu {attempt.score}, chấm lại {score}")
            if attempt.duration_ms != (attempt.submitted_at - attempt.started_at) // timedelta(milliseconds=1):
                report.append(f"Bài #{attempt.id}: thời gian làm bài lưu {attempt.duration_ms} ms không khớp")
            by_round[attempt.round_id].append(attempt)
        last_id = batch[-1].id


def _counted(round_: Round, attempts: list[Attempt]) -> dict[int, Attempt]:
    """The paper that counts for each contestant under the round's rule."""
    counted: dict[int, Attempt] = {}
    for attempt in sorted(attempts, key=lambda a: a.submitted_at):
        if round_.is_all_required and any(not item.selected for item in attempt.items):
            continue
        held = counted.get(attempt.user_id)
        if held is None or round_.counting_rule == "last" or (
                round_.counting_rule == "best" and rank_key(attempt.score, attempt.duration_ms, attempt.submitted_at)
                < rank_key(held.score, held.duration_ms, held.submitted_at)):
            counted[attempt.user_id] = attempt
    return counted


def _standings(by_round: dict[int, list[Attempt]], report: list[str]) -> dict[int, dict[int, tuple]]:
    """Check each round's standings against a recount; return the recount for the contest standings."""
    recount: dict[int, dict[int, tuple]] = {}
    for round_ in db.session.scalars(sa.select(Round)):
        counted = _counted(round_, by_round.get(round_.id, []))
        stored = {s.user_id: s for s in db.session.scalars(sa.select(Standing).where(Standing.round_id == round_.id))}
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
            report.append(f"Kết quả đã ký của vòng #{snapshot.round_id}: mã kiểm tra không khớp nội dung")


def verify_all() -> list[str]:
    """Every difference between what is stored and a recount from the raw attempts (empty: all agree)."""
    report: list[str] = []
    by_round = _scores(report)
    recount = _standings(by_round, report)
    _contest_standings(recount, report)
    _snapshots(report)
    return report

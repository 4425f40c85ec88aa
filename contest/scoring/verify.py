"""Recount everything from the raw attempts and report every difference from what is stored.

Set-based: each check is one SQL statement over whole tables that returns only the rows that
disagree (a national round's five million papers are never walked in Python). The marks are
recounted inside the database from each item's shown order and the question's correct options
(json_each on SQLite, json_array_elements on PostgreSQL).
"""
import hashlib
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from contest.database import UTCDateTime, utcnow
from contest.extensions import db
from contest.prizes.models import ResultSnapshot
from contest.scoring.rules import MISSING_PREDICTION_ERROR

# One item's mark recomputed in SQL: right when the set of original options chosen (choice_order at
# each shown position selected) is exactly the set of correct options. Sets compare by counts: |chosen|
# = |correct| = |chosen ∩ correct| > 0.
_ITEM_MARK = {
    "sqlite": """
        CASE WHEN i.selected IS NULL OR json_type(i.selected) <> 'array' OR json_array_length(i.selected) = 0 THEN 0
        ELSE (SELECT COUNT(DISTINCT json_extract(i.choice_order, '$[' || s.value || ']')) FROM json_each(i.selected) s)
               = (SELECT COUNT(DISTINCT c.value) FROM json_each(q.correct) c)
         AND (SELECT COUNT(DISTINCT json_extract(i.choice_order, '$[' || s.value || ']')) FROM json_each(i.selected) s
              WHERE json_extract(i.choice_order, '$[' || s.value || ']') IN (SELECT c.value FROM json_each(q.correct) c))
               = (SELECT COUNT(DISTINCT c.value) FROM json_each(q.correct) c)
        END""",
    "postgresql": """
        CASE WHEN i.selected IS NULL OR json_typeof(i.selected) <> 'array' OR json_array_length(i.selected) = 0 THEN false
        ELSE (SELECT COUNT(DISTINCT i.choice_order ->> s.value::int) FROM json_array_elements_text(i.selected) s)
               = (SELECT COUNT(DISTINCT c.value) FROM json_array_elements_text(q.correct) c)
         AND (SELECT COUNT(DISTINCT i.choice_order ->> s.value::int) FROM json_array_elements_text(i.selected) s
              WHERE i.choice_order ->> s.value::int IN (SELECT c.value FROM json_array_elements_text(q.correct) c))
               = (SELECT COUNT(DISTINCT c.value) FROM json_array_elements_text(q.correct) c)
        END""",
}
_GAP = "(i.selected IS NULL OR CAST(i.selected AS TEXT) IN ('[]', 'null'))"
# At most this many differences of one kind are listed; a line says how many more there are.
LISTED = 1000


def _listed(report: list[str], sql: str):
    """The rows of one check (SQL returning only disagreements), at most LISTED of them, then a line in
    the report with how many more it found."""
    rows = db.session.execute(sa.text(f"SELECT q.*, COUNT(*) OVER () AS found FROM ({sql}) q LIMIT {LISTED}")).all()
    yield from rows
    if rows and rows[0].found > len(rows):
        report.append(f"… và {rows[0].found - len(rows):,} chỗ khác cùng loại (chỉ liệt kê {LISTED:,} chỗ đầu)"
                      .replace(",", "."))


def _marks(report: list[str]) -> None:
    """Each submitted paper's item marks and score against a recount, and its time against its clock."""
    mark = _ITEM_MARK[db.engine.dialect.name]
    items = f"""
        SELECT i.attempt_id, i.position, i.is_correct, ({mark}) AS recounted
        FROM attempt_items i JOIN attempts a ON a.id = i.attempt_id JOIN questions q ON q.id = i.question_id
        WHERE a.submitted_at IS NOT NULL"""
    for row in _listed(report, f"SELECT * FROM ({items}) m WHERE m.is_correct IS NULL OR "
                               f"CAST(m.is_correct AS INTEGER) <> CAST(m.recounted AS INTEGER) "
                               f"ORDER BY m.attempt_id, m.position"):
        stored = None if row.is_correct is None else bool(row.is_correct)
        report.append(f"Bài #{row.attempt_id} câu {row.position + 1}: lưu {stored}, "
                      f"chấm lại {bool(row.recounted)}")
    for row in _listed(report, f"""
            SELECT a.id, a.score, COALESCE(m.recounted, 0) AS recounted FROM attempts a
            LEFT JOIN (SELECT attempt_id, SUM(CAST(recounted AS INTEGER)) AS recounted FROM ({items}) x
                       GROUP BY attempt_id) m ON m.attempt_id = a.id
            WHERE a.submitted_at IS NOT NULL AND a.score <> COALESCE(m.recounted, 0) ORDER BY a.id"""):
        report.append(f"Bài #{row.id}: điểm lưu {row.score}, chấm lại {row.recounted}")
    # Whole milliseconds elapsed, cut as the submit does: from microseconds on SQLite (its datetimes are
    # text "YYYY-MM-DD HH:MM:SS.ffffff"; julianday() would be floating point), exact intervals on PostgreSQL.
    # The seconds from the text without its fraction: SQLite keeps times in milliseconds internally, so
    # strftime('%s') of "…:28.999766" rounds up to :29 and the recount was a second off (1 run in 6).
    micro = "(CAST(strftime('%s', substr({0}, 1, 19)) AS INTEGER) * 1000000 + CAST(substr({0}, 21, 6) AS INTEGER))"
    elapsed = {"sqlite": f"(({micro.format('a.submitted_at')}) - ({micro.format('a.started_at')})) / 1000",
               "postgresql": "CAST(FLOOR(EXTRACT(EPOCH FROM (a.submitted_at - a.started_at)) * 1000) AS BIGINT)"}
    for row in _listed(report, f"SELECT a.id, a.duration_ms FROM attempts a WHERE a.submitted_at IS NOT NULL "
                               f"AND a.duration_ms <> {elapsed[db.engine.dialect.name]} ORDER BY a.id"):
        report.append(f"Bài #{row.id}: thời gian làm bài lưu {row.duration_ms} ms không khớp")


def _open_past_grace(report: list[str], now: datetime, grace_seconds: int) -> None:
    """Papers whose deadline and grace have passed and that are still open (finalisation overdue)."""
    query = sa.text("SELECT round_id, COUNT(*) AS papers, MIN(id) AS first_id FROM attempts "
                    "WHERE submitted_at IS NULL AND deadline_at < :cutoff GROUP BY round_id ORDER BY round_id") \
        .bindparams(sa.bindparam("cutoff", type_=UTCDateTime()))
    for row in db.session.execute(query, {"cutoff": now - timedelta(seconds=grace_seconds)}):
        report.append(f"Vòng #{row.round_id}: {row.papers} bài đã quá hạn (cả thời gian ân hạn) vẫn chưa được "
                      f"nộp (bài #{row.first_id}…); chạy `flask rounds settle` hoặc `flask attempts finalize-expired`")


_ELIGIBLE = f"""
    SELECT a.round_id, a.user_id, a.id, a.score, a.max_score, a.duration_ms, a.submitted_at, a.prediction,
           r.counting_rule, r.prediction_truth, r.settled_at
    FROM attempts a JOIN rounds r ON r.id = a.round_id
    WHERE a.submitted_at IS NOT NULL
      AND NOT (r.is_all_required AND EXISTS (SELECT 1 FROM attempt_items i WHERE i.attempt_id = a.id AND {_GAP}))"""

# The counted paper per contestant and round under the round's rule, as the standings must hold it:
# "best" by score, then (settled with a prediction) the prediction's distance, then time, submission;
# "first" the earliest; "last" the latest.
_COUNTED = f"""
    SELECT * FROM (
      SELECT e.*, ROW_NUMBER() OVER (PARTITION BY e.round_id, e.user_id ORDER BY
          CASE WHEN e.counting_rule = 'best' THEN -e.score ELSE 0 END,
          CASE WHEN e.counting_rule = 'best' AND e.settled_at IS NOT NULL AND e.prediction_truth IS NOT NULL
               THEN (CASE WHEN e.prediction IS NULL THEN {MISSING_PREDICTION_ERROR}
                          ELSE ABS(e.prediction - e.prediction_truth) END) ELSE 0 END,
          CASE WHEN e.counting_rule = 'best' THEN e.duration_ms ELSE 0 END,
          CASE WHEN e.counting_rule = 'last' THEN NULL ELSE e.submitted_at END,
          e.submitted_at DESC, e.id) AS n
      FROM ({_ELIGIBLE}) e) ranked
    WHERE n = 1"""


def _standings(report: list[str]) -> None:
    """Each round standing against the counted paper recounted from the attempts."""
    for row in _listed(report, f"""
            SELECT c.round_id, c.user_id, c.id, c.score, s.attempt_id AS held, s.score AS held_score,
                   s.duration_ms AS held_ms, s.submitted_at AS held_at, c.duration_ms, c.submitted_at
            FROM ({_COUNTED}) c LEFT JOIN standings s ON s.round_id = c.round_id AND s.user_id = c.user_id
            WHERE s.user_id IS NULL OR s.attempt_id <> c.id OR s.score <> c.score OR s.duration_ms <> c.duration_ms
               OR s.submitted_at <> c.submitted_at ORDER BY c.round_id, c.user_id"""):
        if row.held is None:
            report.append(f"Vòng #{row.round_id}: thiếu thí sinh #{row.user_id} (bài #{row.id}) trên bảng")
        else:
            report.append(f"Vòng #{row.round_id}, thí sinh #{row.user_id}: bảng ghi bài #{row.held} "
                          f"({row.held_score} điểm), tính lại bài #{row.id} ({row.score} điểm)")
    for row in _listed(report, f"""
            SELECT s.round_id, s.user_id FROM standings s
            WHERE NOT EXISTS (SELECT 1 FROM ({_ELIGIBLE}) e WHERE e.round_id = s.round_id AND e.user_id = s.user_id)
            ORDER BY s.round_id, s.user_id"""):
        report.append(f"Vòng #{row.round_id}: thí sinh #{row.user_id} có trên bảng nhưng không có bài được tính")


def _prediction(report: list[str]) -> None:
    """Each settled round's true figure recounted from the papers, and each standing's distance to it."""
    for row in db.session.execute(sa.text("""
            SELECT r.id, r.prediction_kind, r.prediction_truth,
                   CASE r.prediction_kind
                     WHEN 'perfect_papers' THEN COUNT(CASE WHEN a.score = a.max_score THEN 1 END)
                     WHEN 'perfect_people' THEN COUNT(DISTINCT CASE WHEN a.score = a.max_score THEN a.user_id END)
                     WHEN 'entries' THEN COUNT(a.id)
                     ELSE COUNT(DISTINCT a.user_id) END AS recounted
            FROM rounds r LEFT JOIN attempts a ON a.round_id = r.id AND a.submitted_at IS NOT NULL
            WHERE r.prediction_kind IS NOT NULL AND r.prediction_truth IS NOT NULL
            GROUP BY r.id, r.prediction_kind, r.prediction_truth ORDER BY r.id""")):
        if row.recounted != row.prediction_truth:
            report.append(f"Vòng #{row.id}: con số thực tế của câu dự đoán lưu {row.prediction_truth}, "
                          f"đếm lại {row.recounted}")
    for row in _listed(report, f"""
            SELECT s.round_id, s.user_id, s.prediction_error FROM standings s JOIN rounds r ON r.id = s.round_id
            WHERE r.prediction_truth IS NOT NULL AND (s.prediction_error IS NULL OR s.prediction_error <>
                  CASE WHEN s.prediction IS NULL THEN {MISSING_PREDICTION_ERROR}
                       ELSE ABS(s.prediction - r.prediction_truth) END)
            ORDER BY s.round_id, s.user_id"""):
        report.append(f"Vòng #{row.round_id}, thí sinh #{row.user_id}: sai số dự đoán không khớp")


def _settled_rounds(report: list[str]) -> None:
    """A settled round: settled after its close, its figure fixed if it has a prediction, no paper open;
    a signed round is settled."""
    for row in db.session.execute(sa.text("""
            SELECT r.id, r.settled_at < r.closes_at AS too_early,
                   r.prediction_kind IS NOT NULL AND r.prediction_truth IS NULL AS no_truth,
                   (SELECT COUNT(*) FROM attempts a WHERE a.round_id = r.id AND a.submitted_at IS NULL) AS still_open
            FROM rounds r WHERE r.settled_at IS NOT NULL ORDER BY r.id""")):
        if row.too_early:
            report.append(f"Vòng #{row.id}: đã chốt trước khi vòng thi kết thúc")
        if row.no_truth:
            report.append(f"Vòng #{row.id}: đã chốt nhưng chưa có con số thực tế của câu dự đoán")
        if row.still_open:
            report.append(f"Vòng #{row.id}: đã chốt nhưng còn {row.still_open} bài chưa nộp")
    for row in db.session.execute(sa.text(
            "SELECT r.id FROM rounds r JOIN result_snapshots s ON s.round_id = r.id WHERE r.settled_at IS NULL")):
        report.append(f"Vòng #{row.id}: kết quả đã ký nhưng vòng thi chưa được chốt")


def _contest_standings(report: list[str]) -> None:
    """Each overall standing against its round standings: their sum, or the best round."""
    for row in _listed(report, """
            WITH held AS (
              SELECT r.contest_id, s.user_id, s.score, s.duration_ms, s.submitted_at, c.overall_rule,
                     ROW_NUMBER() OVER (PARTITION BY r.contest_id, s.user_id
                                        ORDER BY s.score DESC, s.duration_ms, s.submitted_at) AS n
              FROM standings s JOIN rounds r ON r.id = s.round_id JOIN contests c ON c.id = r.contest_id),
            expected AS (
              SELECT contest_id, user_id,
                     CASE WHEN MAX(overall_rule) = 'best_round' THEN SUM(CASE WHEN n = 1 THEN score END)
                          ELSE SUM(score) END AS score,
                     CASE WHEN MAX(overall_rule) = 'best_round' THEN SUM(CASE WHEN n = 1 THEN duration_ms END)
                          ELSE SUM(duration_ms) END AS duration_ms
              FROM held GROUP BY contest_id, user_id)
            SELECT COALESCE(e.contest_id, t.contest_id) AS contest_id, COALESCE(e.user_id, t.user_id) AS user_id,
                   e.score AS expected_score, e.duration_ms AS expected_ms, t.score, t.duration_ms
            FROM expected e LEFT JOIN contest_standings t ON t.contest_id = e.contest_id AND t.user_id = e.user_id
            WHERE t.user_id IS NULL OR t.score <> e.score OR t.duration_ms <> e.duration_ms
            UNION ALL
            SELECT t.contest_id, t.user_id, NULL, NULL, t.score, t.duration_ms FROM contest_standings t
            WHERE NOT EXISTS (SELECT 1 FROM expected e WHERE e.contest_id = t.contest_id AND e.user_id = t.user_id)
            ORDER BY 1, 2"""):
        stored = None if row.score is None else (row.score, row.duration_ms)
        expected = None if row.expected_score is None else (row.expected_score, row.expected_ms)
        report.append(f"Cuộc thi #{row.contest_id}, thí sinh #{row.user_id}: tổng lưu {stored}, tính lại {expected}")


def _snapshots(report: list[str]) -> None:
    for snapshot in db.session.scalars(sa.select(ResultSnapshot)):
        if hashlib.sha256(snapshot.payload.encode("utf-8")).hexdigest() != snapshot.checksum:
            subject = f"vòng #{snapshot.round_id}" if snapshot.round_id else f"hội thi trực tiếp #{snapshot.live_event_id}"
            report.append(f"Kết quả đã ký của {subject}: mã kiểm tra không khớp nội dung")


def verify_all(now: datetime | None = None, grace_seconds: int | None = None) -> list[str]:
    """Every difference between what is stored and a recount from the raw attempts (empty: all agree)."""
    now = now or utcnow()
    grace_seconds = current_app.config["ATTEMPT_GRACE_SECONDS"] if grace_seconds is None else grace_seconds
    report: list[str] = []
    _marks(report)
    _open_past_grace(report, now, grace_seconds)
    _standings(report)
    _prediction(report)
    _settled_rounds(report)
    _contest_standings(report)
    _snapshots(report)
    return report

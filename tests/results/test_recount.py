"""Right after a round closes, with nobody having looked at it, every reader gives the final figures.

The expected figures are recounted here from the raw tables alone (attempts, attempt_items,
questions, users, agencies), without the scoring code: each item's mark from its shown order and
the question's correct options, then the counted paper, the prediction's true figure, the final
order and the agency table in SQL. They are compared with the CLI export, the judges' download and
both board pages, for every counting rule, with and without a prediction.
"""
import csv
import io
import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from contest.accounts.models import Role
from contest.attempts.services import save_answer, save_prediction, start_attempt, submit_attempt
from contest.database import utcnow
from contest.extensions import db
from contest.rounds.models import Round
from tests import factories

MISSING = 2**62
RULES = ["best", "first", "last"]
KINDS = [None, "perfect_papers"]


def _right(item) -> list[int]:
    """The shown position of the question's correct option (the bank's questions have one)."""
    return [item.choice_order.index(item.question.correct[0])]


def _paper(user, round_, started_at, correct: int, seconds: float | None, prediction=None):
    """A paper with its first `correct` questions answered right; submitted after `seconds`, or left
    open (seconds None) for the close to finalise."""
    attempt = start_attempt(user, round_, started_at)
    for item in attempt.items[:correct]:
        save_answer(attempt, item.position, _right(item), started_at)
    if not round_.prediction_kind:
        prediction = None
    if seconds is None:
        if prediction is not None:
            save_prediction(attempt, prediction, started_at)
    else:
        submit_attempt(attempt, started_at + timedelta(seconds=seconds), prediction=prediction)
    db.session.commit()
    return attempt


@pytest.fixture
def closed_round(world, now):
    """Five contestants, nine papers, one left open at the close, the close a minute ago (past the
    10 s grace); nothing has read the round since."""
    round_ = world.round
    round_.opens_at, round_.closes_at = now - timedelta(hours=3), now - timedelta(minutes=1)
    round_.attempts_allowed = 3
    db.session.commit()
    names = [("Nguyễn Văn An", world.department), ("Trần Thị Bình", world.commune),
             ("Lê Văn Cường", world.district), ("Phạm Thị Dung", world.commune), ("Võ Văn Em", world.department)]
    users = [factories.make_user(f"kq{n}@example.vn", agency, name=name) for n, (name, agency) in enumerate(names)]
    db.session.commit()
    return round_, users


def _sit_papers(round_, users, now):
    """The papers: first, last and best differ; under "best" the prediction changes B's counted paper;
    C's last paper is still open at the close, with 5 right answers saved."""
    close = round_.closes_at
    a, b, c, d, e = users
    _paper(a, round_, close - timedelta(hours=2), 5, 60, prediction=2)
    _paper(a, round_, close - timedelta(hours=1), 3, 30, prediction=10)
    _paper(b, round_, close - timedelta(hours=2), 5, 45, prediction=9)
    _paper(b, round_, close - timedelta(hours=1), 5, 80, prediction=4)
    _paper(c, round_, close - timedelta(hours=2), 2, 20, prediction=4)
    _paper(c, round_, close - timedelta(minutes=2), 5, None, prediction=4)
    _paper(d, round_, close - timedelta(minutes=90), 4, 50)
    _paper(e, round_, close - timedelta(minutes=80), 5, 45.5, prediction=5)
    _paper(e, round_, close - timedelta(minutes=30), 1, 10, prediction=5)


# --- the independent recount -------------------------------------------------------------------

def _recount_marks(round_id: int) -> None:
    """Each submitted paper's score, recounted from its items' raw rows, equals what is stored."""
    rows = db.session.execute(sa.text(
        "SELECT a.id, a.score, a.duration_ms, a.started_at, a.submitted_at, i.selected, i.choice_order, q.correct "
        "FROM attempts a JOIN attempt_items i ON i.attempt_id = a.id JOIN questions q ON q.id = i.question_id "
        "WHERE a.round_id = :r"), {"r": round_id}).all()
    scores: dict[int, int] = {}
    stored: dict[int, int | None] = {}
    for row in rows:
        selected, order, correct = (_json(value) for value in (row.selected, row.choice_order, row.correct))
        right = bool(selected) and {order[shown] for shown in selected} == set(correct)
        scores[row.id] = scores.get(row.id, 0) + right
        stored[row.id] = row.score
    assert stored == scores, "a stored score differs from the recount of its answers"


def _json(value):
    """A JSON column read by raw SQL: text on SQLite, already decoded on PostgreSQL."""
    return json.loads(value) if isinstance(value, str) else value


def _counted_sql(rule: str, with_error: bool) -> str:
    """SQL: each contestant's counted paper under the rule (and, settled with a prediction, the final
    rule for "best"), with its distance to the true figure :truth."""
    error = "CASE WHEN a.prediction IS NULL THEN :missing ELSE ABS(a.prediction - :truth) END"
    order = {"first": "a.submitted_at, a.id", "last": "a.submitted_at DESC, a.id DESC",
             "best": ("a.score DESC, " + (f"{error}, " if with_error else "") + "a.duration_ms, a.submitted_at, a.id")}
    return (f"SELECT * FROM (SELECT a.user_id, a.id AS attempt_id, a.score, a.duration_ms, a.submitted_at, "
            f"a.prediction, {error} AS error, u.full_name, g.path, "
            f"ROW_NUMBER() OVER (PARTITION BY a.user_id ORDER BY {order[rule]}) AS n "
            f"FROM attempts a JOIN users u ON u.id = a.user_id JOIN agencies g ON g.id = u.agency_id "
            f"WHERE a.round_id = :r AND a.submitted_at IS NOT NULL) counted WHERE n = 1")


def recount(round_id: int, rule: str, kind: str | None):
    """(truth, final order as [(rank, name, score, attempt id)], {agency name: (entrants, Σ score)})."""
    _recount_marks(round_id)
    truth = db.session.scalar(sa.text(
        "SELECT COUNT(*) FROM attempts WHERE round_id = :r AND submitted_at IS NOT NULL AND score = max_score"),
        {"r": round_id}) if kind else 0
    params = {"r": round_id, "truth": truth, "missing": MISSING}
    counted = f"({_counted_sql(rule, kind is not None)}) c"
    keys = "c.score DESC, " + ("c.error, " if kind else "") + "c.duration_ms, c.submitted_at"
    ranked = db.session.execute(sa.text(
        f"SELECT RANK() OVER (ORDER BY {keys}) AS place, c.full_name, c.score, c.attempt_id "
        f"FROM {counted} ORDER BY {keys}, c.user_id"), params).all()
    agencies = db.session.execute(sa.text(
        f"SELECT g.name, COUNT(c.user_id), COALESCE(SUM(c.score), 0) FROM agencies g "
        f"LEFT JOIN {counted} ON c.path LIKE g.path || '%' GROUP BY g.id, g.name"), params).all()
    return truth, [tuple(row) for row in ranked], {name: (entrants, total) for name, entrants, total in agencies}


# --- what the readers show -----------------------------------------------------------------------

def _csv(data: bytes) -> tuple[dict, list[dict]]:
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    blank = lines.index([])
    header, *rows = lines[blank + 1:]
    return dict(lines[:blank]), [dict(zip(header, row)) for row in rows]


def _export_order(rows: list[dict]) -> list[tuple]:
    return [(int(row["Hạng"]), row["Họ và tên"], int(row["Điểm"]), int(row["Mã bài thi"])) for row in rows]


def _board_rows(page: str) -> list[tuple[int, str, str]]:
    """(rank, name, score) of a board page's rows."""
    return [(int(rank), name.strip(), score) for rank, name, score in re.findall(
        r'<td class="rank">(\d+)</td><td class="name">([^<]*)</td>.*?<td class="num">(\d+)/\d+</td>', page, re.S)]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("rule", RULES)
def test_every_reader_gives_the_recounted_final_figures_right_after_the_close(
        closed_round, world, now, runner, client, auth, tmp_path, rule, kind):
    round_, users = closed_round
    round_.counting_rule, round_.prediction_kind = rule, kind
    db.session.commit()
    _sit_papers(round_, users, now)
    factories.make_user("gk@example.vn", world.province, Role.JUDGE, name="Giám khảo Một")
    db.session.commit()
    assert db.session.get(Round, round_.id).settled_at is None  # nobody has read it yet

    # The first reader is the CLI export (no request finalises anything and rolls it back).
    target = tmp_path / "ket-qua.csv"
    outcome = runner.invoke(args=["results", "export", "--round", str(round_.id), "-o", str(target)])
    assert outcome.exit_code == 0, outcome.output
    cli_notes, cli_rows = _csv(target.read_bytes())

    db.session.expire_all()
    settled = db.session.get(Round, round_.id)
    assert settled.settled_at is not None and settled.settled_at <= utcnow()
    truth, order, agencies = recount(round_.id, rule, kind)
    if kind:
        assert settled.prediction_truth == truth == 5  # A1, B1, B2, C2 (finalised at the close), E1
        assert cli_notes["Con số thực tế của câu dự đoán"] == str(truth)
    assert "Chung cuộc" in cli_notes["Bảng"] and cli_notes["Chữ ký của Ban giám khảo"] == "Chưa ký"
    assert _export_order(cli_rows) == order

    auth.login("gk@example.vn")
    base = f"/judging/rounds/{round_.id}"
    download_notes, download_rows = _csv(client.get(f"{base}/export/leaderboard.csv").data)
    assert _export_order(download_rows) == order
    judges_board = _board_rows(client.get(f"{base}/leaderboard").get_data(as_text=True))
    assert [(rank, name, score) for rank, name, score in judges_board] == \
        [(rank, name, f"{score}") for rank, name, score, _ in order]
    public_board = _board_rows(client.get(f"/rounds/{round_.id}/leaderboard").get_data(as_text=True))
    assert [(rank, score) for rank, _, score in public_board] == [(rank, f"{score}") for rank, _, score, _ in order]

    _, agency_rows = _csv(client.get(f"{base}/export/agencies.csv").data)
    shown = {row["Đơn vị"]: (int(row["Thí sinh"]), row["Điểm trung bình"]) for row in agency_rows}
    for name, (entrants, total) in agencies.items():
        average = f"{total / entrants:.2f}".replace(".", ",") if entrants else ""
        assert shown[name] == (entrants, average), name

    # C's paper open at the close counts as it stood at its deadline, by the clock.
    c_last = db.session.execute(sa.text(
        "SELECT submitted_at, deadline_at, is_auto_submitted, score FROM attempts WHERE user_id = :u "
        "ORDER BY started_at DESC"), {"u": users[2].id}).first()
    assert c_last.submitted_at == c_last.deadline_at and c_last.is_auto_submitted and c_last.score == 5

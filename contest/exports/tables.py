"""The tables judges export: a round's leaderboard and its agency table.

Personal data stays out on purpose: names and agencies only, never a CCCD, phone or e-mail.
"""
from collections.abc import Mapping

import sqlalchemy as sa

from contest.accounts.models import User
from contest.agencies.models import Agency
from contest.agencies.queries import subtree_condition
from contest.clock import format_datetime
from contest.database import utcnow
from contest.exports.writers import Column, Table
from contest.extensions import db
from contest.judging.queries import agency_table
from contest.leaderboards.models import Standing
from contest.leaderboards.queries import board_view, rank_columns
from contest.prizes.models import Exclusion, ResultSnapshot, SignOff
from contest.results.lifecycle import STATE_LABELS, round_state
from contest.results.services import settled
from contest.rounds.models import Round

LEADERBOARD_COLUMNS = [Column("Hạng", "integer", 8), Column("Họ và tên", "text", 30), Column("Đơn vị", "text", 40),
                       Column("Điểm", "integer", 8)]
PREDICTION_COLUMNS = [Column("Dự đoán", "integer", 12), Column("Sai số dự đoán", "integer", 14)]
TIME_COLUMNS = [Column("Thời gian làm bài (giây)", "seconds", 22), Column("Nộp lúc", "datetime", 20),
                Column("Mã bài thi", "integer", 11), Column("Ghi chú", "text", 40)]
VIEW_LABELS = {"live": "Tạm thời (live): xếp theo kết quả tại thời điểm xuất",
               "final": "Chung cuộc (final): vòng thi đã chốt kết quả",
               "frozen": "Đóng băng (frozen): kết quả tại thời điểm đóng băng"}


def export_view(round_: Round, now) -> str:
    """What a judges' export shows: "final" once the round is settled, "live" before."""
    return "final" if round_.settled_at is not None else "live"


def _signature_notes(round_: Round) -> list[tuple[str, object]]:
    """The signatures (who, when) and the snapshot's checksum once two judges have signed."""
    snapshot = db.session.scalar(sa.select(ResultSnapshot).where(ResultSnapshot.round_id == round_.id))
    if snapshot is None:
        return [("Chữ ký của Ban giám khảo", "Chưa ký")]
    signed = db.session.execute(
        sa.select(User.full_name, SignOff.created_at).join(User, User.id == SignOff.judge_id)
        .where(SignOff.round_id == round_.id, SignOff.checksum == snapshot.checksum).order_by(SignOff.created_at)).all()
    return [("Chữ ký của Ban giám khảo", "; ".join(f"{name} ({format_datetime(when)})" for name, when in signed)),
            ("Mã kiểm tra kết quả đã ký (SHA-256)", snapshot.checksum)]


def round_notes(round_: Round, view: str, now, agency: Agency | None = None) -> list[tuple[str, object]]:
    """What an export of the round is: its view, the moment it reflects, the scope, the signatures."""
    moment = round_.settled_at if view == "final" else round_.freeze_at if view == "frozen" else now
    notes = [("Cuộc thi", round_.contest.title), ("Vòng thi", round_.name),
             ("Trạng thái vòng thi", STATE_LABELS[round_state(round_, now)]),
             ("Bảng", VIEW_LABELS[view]), ("Số liệu tại thời điểm", moment), ("Xuất lúc", now),
             ("Phạm vi", f"{agency.name} và các đơn vị trực thuộc" if agency else "Toàn cuộc thi")]
    if round_.prediction_kind and round_.prediction_truth is not None:
        notes.append(("Con số thực tế của câu dự đoán", round_.prediction_truth))
    return notes + _signature_notes(round_)


def leaderboard_table(round_: Round, agency: Agency | None = None, now=None) -> Table:
    """Every standing of the round (within an agency's subtree) in rank order, equal results sharing a
    rank, as the judges see it; settles a round that is due first, so a closed round is never
    exported in its provisional order.

    Times are seconds with milliseconds and moments date cells; the prediction and its distance are
    columns once the round has one; an entry left out of the prizes says why.
    """
    now = now or utcnow()
    settled(round_, now)
    view = board_view(round_, now, public=False)
    keys = rank_columns(view)
    query = (sa.select(Standing.score, Standing.prediction_error, Standing.duration_ms, Standing.submitted_at,
                       Standing.prediction, Standing.attempt_id, User.full_name, Agency.name, Exclusion.reason)
             .join(User, User.id == Standing.user_id).outerjoin(Agency, Agency.id == Standing.agency_id)
             .outerjoin(Exclusion, sa.and_(Exclusion.round_id == Standing.round_id, Exclusion.user_id == Standing.user_id))
             .where(Standing.round_id == round_.id).order_by(keys[0].desc(), *keys[1:]))
    if agency is not None:
        query = query.where(subtree_condition(Standing.agency_path, agency))
    rows = db.session.execute(query).all()
    has_prediction = bool(round_.prediction_kind)
    columns = LEADERBOARD_COLUMNS + (PREDICTION_COLUMNS if has_prediction else []) + TIME_COLUMNS
    table = Table(name=f"Xếp hạng {round_.name}", columns=columns,
                  notes=round_notes(round_, export_view(round_, now), now, agency))
    is_final = view == "final"
    previous, rank = None, 0
    for position, row in enumerate(rows, start=1):
        key = (row.score, row.prediction_error if is_final else None, row.duration_ms, row.submitted_at)
        if key != previous:
            rank, previous = position, key
        values = [rank, row.full_name, row.name or "", row.score]
        if has_prediction:
            values += [row.prediction, row.prediction_error if is_final and row.prediction is not None else None]
        values += [row.duration_ms / 1000, row.submitted_at, row.attempt_id,
                   f"Không xét giải: {row.reason}" if row.reason else ""]
        table.rows.append(values)
    return table


def _band_items(bands) -> list[tuple[str, object]]:
    """(label, value) pairs from score bands given as a mapping, pairs, or objects with a label."""
    if not bands:
        return []
    if isinstance(bands, Mapping):
        return [(str(label), value) for label, value in bands.items()]
    items = []
    for band in bands:
        if isinstance(band, (tuple, list)) and len(band) == 2:
            items.append((str(band[0]), band[1]))
        else:
            label = getattr(band, "label", None) or getattr(band, "name", None) or str(band)
            value = next((getattr(band, name) for name in ("count", "entrants", "papers", "value")
                          if hasattr(band, name)), None)
            items.append((str(label), value))
    return items


def _number(value):
    """A value as an int or float for a numeric cell, or None."""
    if isinstance(value, bool) or value is None:
        return None
    return value if isinstance(value, (int, float)) else None


def agencies_table(round_: Round, now=None) -> Table:
    """The judges' agency table (judging.queries.agency_table), whatever optional columns it carries;
    a round that is due is settled first."""
    now = now or utcnow()
    settled(round_, now)
    source = agency_table(round_.id)
    has_fully_correct = any(hasattr(row, "fully_correct") for row in source)
    band_labels: list[str] = []
    for row in source:
        for label, _ in _band_items(getattr(row, "bands", None)):
            if label not in band_labels:
                band_labels.append(label)
    columns = [Column("Đơn vị", "text", 42), Column("Cấp", "integer", 6), Column("Thí sinh", "integer", 10),
               Column("Biên chế", "integer", 10), Column("Tỷ lệ tham gia", "percent", 14),
               Column("Điểm trung bình", "decimal", 15)]
    if has_fully_correct:
        columns.append(Column("Số bài đúng hết", "integer", 15))
    for label in band_labels:
        values = [dict(_band_items(getattr(row, "bands", None))).get(label) for row in source]
        kind = "decimal" if any(isinstance(value, float) and not value.is_integer() for value in values) else "integer"
        columns.append(Column(label, kind, max(12, len(label) + 2)))
    table = Table(name=f"Đơn vị {round_.name}", columns=columns,
                  notes=round_notes(round_, export_view(round_, now), now))
    for row in source:
        agency = getattr(row, "agency", None)
        name = getattr(agency, "name", None) or getattr(row, "name", "") or ""
        values = [name, getattr(agency, "level", None), getattr(row, "entrants", 0) or 0,
                  getattr(row, "headcount", 0) or 0, _number(getattr(row, "participation_rate", None)),
                  _number(getattr(row, "average_score", None))]
        if has_fully_correct:
            values.append(_number(getattr(row, "fully_correct", None)))
        bands = dict(_band_items(getattr(row, "bands", None)))
        values += [_number(bands.get(label)) for label in band_labels]
        table.rows.append(values)
    return table

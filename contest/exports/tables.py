"""The tables judges export: a round's leaderboard and its agency table.

Personal data stays out on purpose: names and agencies only, never a CCCD, phone or e-mail.
"""
from collections.abc import Mapping

import sqlalchemy as sa

from contest.accounts.models import User
from contest.agencies.models import Agency
from contest.clock import format_datetime, format_duration
from contest.exports.writers import Column, Table
from contest.extensions import db
from contest.judging.queries import agency_table
from contest.database import utcnow
from contest.leaderboards.models import Standing
from contest.leaderboards.queries import board_view, rank_columns
from contest.rounds.models import Round

LEADERBOARD_COLUMNS = [Column("Hạng", "integer", 8), Column("Họ và tên", "text", 30), Column("Đơn vị", "text", 40),
                       Column("Điểm", "integer", 8)]
PREDICTION_COLUMN = Column("Dự đoán", "integer", 12)
TIME_COLUMNS = [Column("Thời gian làm bài", "text", 20), Column("Nộp lúc", "text", 18)]


def leaderboard_table(round_: Round) -> Table:
    """Every standing of the round in rank order (equal results share a rank), as the judges see it.

    After the close, a round with a prediction question ranks by its distance before time, and the
    contestant's prediction is added as a column so the order can be checked.
    """
    # The judges' order, from the boards' own definition (live, or final once the round is settled).
    view = board_view(round_, utcnow(), public=False)
    is_final = view == "final"
    keys = rank_columns(view)
    rows = db.session.execute(
        sa.select(Standing.score, Standing.prediction_error, Standing.duration_ms, Standing.submitted_at,
                  Standing.prediction, User.full_name, Agency.name)
        .join(User, User.id == Standing.user_id).outerjoin(Agency, Agency.id == Standing.agency_id)
        .where(Standing.round_id == round_.id).order_by(keys[0].desc(), *keys[1:])).all()
    columns = LEADERBOARD_COLUMNS + ([PREDICTION_COLUMN] if round_.prediction_kind else []) + TIME_COLUMNS
    table = Table(name=f"Xếp hạng {round_.name}", columns=columns)
    previous, rank = None, 0
    for position, row in enumerate(rows, start=1):
        key = (row.score, row.prediction_error if is_final else None, row.duration_ms, row.submitted_at)
        if key != previous:
            rank, previous = position, key
        values = [rank, row.full_name, row.name or "", row.score]
        if round_.prediction_kind:
            values.append(row.prediction)
        values += [format_duration(row.duration_ms), format_datetime(row.submitted_at)]
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


def agencies_table(round_: Round) -> Table:
    """The judges' agency table (judging.queries.agency_table), whatever optional columns it carries."""
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
    table = Table(name=f"Đơn vị {round_.name}", columns=columns)
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

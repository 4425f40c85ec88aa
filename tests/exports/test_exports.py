"""Exports: the files re-read with openpyxl and csv, headers, Vietnam time, the formula guard, no CCCD."""
import csv
import io
from dataclasses import dataclass
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from contest.accounts.models import Role
from contest.exports import tables
from contest.exports.cells import csv_safe, is_formula_like
from contest.exports.tables import agencies_table, leaderboard_table
from contest.exports.winners import winners_workbook, workbook_bytes
from contest.exports.writers import csv_bytes, xlsx_bytes
from contest.extensions import db
from contest.leaderboards.models import Standing
from tests import factories
from tests.statistics.papers import sit

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
FORMULA_NAME = '=HYPERLINK("http://x")'
LEADERBOARD_HEADERS = ["Hạng", "Họ và tên", "Đơn vị", "Điểm", "Thời gian làm bài (giây)", "Nộp lúc", "Mã bài thi",
                       "Ghi chú"]
CCCD, PHONE = "001203004005", "0912345678"


def local(instant: datetime) -> str:
    """dd/mm/yyyy HH:MM:SS in Hà Nội time."""
    return instant.astimezone(HANOI).strftime("%d/%m/%Y %H:%M:%S")


def local_cell(instant: datetime) -> datetime:
    """What a date cell holds for an instant: Hà Nội time, naive, to the second."""
    return instant.astimezone(HANOI).replace(tzinfo=None, microsecond=0)


@pytest.fixture
def results(world, now):
    """Four contestants with results: two tie exactly; one is named like a formula; all have a CCCD and phone."""
    names = ["Trần Thị Bích", FORMULA_NAME, "Lê Văn Cường", "Phạm Minh Dũng"]
    agencies = [world.department, world.commune, world.district, world.commune]
    users = [factories.make_user(f"kq{n}@example.vn", agency, name=name)
             for n, (name, agency) in enumerate(zip(names, agencies))]
    for n, user in enumerate(users):
        user.citizen_id, user.phone = CCCD[:-1] + str(n), PHONE[:-1] + str(n)
    db.session.commit()
    attempts = [sit(users[0], world.round, now, seconds=95.5, correct=5),
                sit(users[1], world.round, now, seconds=80, correct=4),
                sit(users[2], world.round, now, seconds=80, correct=4),
                sit(users[3], world.round, now, seconds=61, correct=2)]
    return users, attempts


def _csv_lines(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _csv_notes(data: bytes) -> dict[str, str]:
    """The lines before the blank one: what the file is."""
    lines = _csv_lines(data)
    return dict(lines[:lines.index([])])


def _csv_rows(data: bytes) -> list[list[str]]:
    """The table after the notes: header first."""
    lines = _csv_lines(data)
    return lines[lines.index([]) + 1:] if [] in lines else lines


def _no_private_data(text: str) -> None:
    assert CCCD[:-1] not in text and PHONE[:-1] not in text and "@example.vn" not in text


def test_leaderboard_csv(world, results):
    _, attempts = results
    rows = _csv_rows(csv_bytes(leaderboard_table(world.round)))
    assert rows[0] == LEADERBOARD_HEADERS
    assert rows[1] == ["1", "Trần Thị Bích", "Sở Tư pháp", "5", "95,500", local(attempts[0].submitted_at),
                       str(attempts[0].id), ""]
    assert [row[0] for row in rows[1:]] == ["1", "2", "2", "4"]  # an exact tie shares the rank
    formula_row = next(row for row in rows if row[1].endswith(FORMULA_NAME))
    assert formula_row[1] == "'" + FORMULA_NAME and formula_row[2] == "UBND xã Một"
    _no_private_data("\n".join(",".join(row) for row in rows))


def test_leaderboard_xlsx(world, results):
    _, attempts = results
    sheet = load_workbook(io.BytesIO(xlsx_bytes(leaderboard_table(world.round)))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == LEADERBOARD_HEADERS
    assert values[1][:5] == [1, "Trần Thị Bích", "Sở Tư pháp", 5, 95.5]
    assert values[1][5].replace(microsecond=0) == local_cell(attempts[0].submitted_at)  # a real date cell
    assert sheet.cell(row=2, column=5).number_format == "0.000" and sheet.cell(row=2, column=6).is_date
    formula_cell = next(row[1] for row in sheet.iter_rows(min_row=2) if row[1].value == FORMULA_NAME)
    assert formula_cell.data_type == "s" and formula_cell.quotePrefix
    plain = sheet.cell(row=2, column=2)
    assert plain.data_type == "s" and not plain.quotePrefix
    _no_private_data(repr(values))


def test_the_settled_order_uses_the_prediction_and_shows_it(world, results):
    users, _ = results
    world.round.prediction_kind, world.round.prediction_truth = "perfect_papers", 1
    predictions = {users[1].id: 7, users[2].id: 2}  # equal score and time: the closer guess goes first
    for standing in db.session.scalars(sa.select(Standing)):
        standing.prediction = predictions.get(standing.user_id)
        standing.prediction_error = abs(standing.prediction - 1) if standing.prediction is not None else 2**62
    db.session.commit()
    rows = _csv_rows(csv_bytes(leaderboard_table(world.round)))
    assert rows[0] == ["Hạng", "Họ và tên", "Đơn vị", "Điểm", "Dự đoán", "Sai số dự đoán", *LEADERBOARD_HEADERS[4:]]
    assert [(row[0], row[1], row[4], row[5]) for row in rows[2:4]] == [("2", "Lê Văn Cường", "2", "1"),
                                                                        ("3", "'" + FORMULA_NAME, "7", "6")]


def test_agency_table_export(world, results):
    book = load_workbook(io.BytesIO(xlsx_bytes(agencies_table(world.round))))
    values = [[cell.value for cell in row] for row in book.active.iter_rows()]
    assert values[0][:6] == ["Đơn vị", "Cấp", "Thí sinh", "Biên chế", "Tỷ lệ tham gia", "Điểm trung bình"]
    by_name = {row[0]: row for row in values[1:]}
    assert by_name["UBND huyện Một"][1:6] == [2, 3, 20, pytest.approx(3 / 20), pytest.approx((4 + 4 + 2) / 3)]
    assert book.active.cell(row=2, column=5).number_format == "0.0%"
    rows = _csv_rows(csv_bytes(agencies_table(world.round)))
    assert next(row for row in rows if row[0] == "UBND huyện Một")[1:6] == ["2", "3", "20", "15,0%", "3,33"]


@dataclass
class _Agency:
    name: str
    level: int = 1


@dataclass
class _ExtendedRow:
    agency: _Agency
    entrants: int
    headcount: int
    fully_correct: int
    bands: dict

    @property
    def participation_rate(self):
        return self.entrants / self.headcount

    @property
    def average_score(self):
        return 4.5


@dataclass
class _BareRow:
    agency: _Agency


def test_agency_export_reads_optional_columns_defensively(world, monkeypatch):
    rows = [_ExtendedRow(_Agency("+Sở Nội vụ"), 8, 10, 3, {"100%": 3, "Dưới 25%": 1}), _BareRow(_Agency("Sở Y tế", 2))]
    monkeypatch.setattr(tables, "agency_table", lambda round_id: rows)
    data = _csv_rows(csv_bytes(agencies_table(world.round)))
    assert data[0][6:] == ["Số bài đúng hết", "100%", "Dưới 25%"]
    assert data[1] == ["'+Sở Nội vụ", "1", "8", "10", "80,0%", "4,50", "3", "3", "1"]
    assert data[2] == ["Sở Y tế", "2", "0", "0", "", "", "", "", ""]


def test_formula_guard_covers_every_dangerous_start():
    for text in ["=1+1", "+84 912", "-2", "@SUM(A1)", "\tcmd", "\rcmd"]:
        assert is_formula_like(text) and csv_safe(text) == "'" + text
    assert csv_safe("Nguyễn Văn A") == "Nguyễn Văn A" and not is_formula_like(-2)


def test_winners_workbook_is_print_ready(app, now):
    submitted = datetime(2025, 12, 1, 2, 5, tzinfo=timezone.utc)
    rows = [{"prize": "Giải Nhất", "rank": 1, "full_name": "Trần Thị Bích", "agency": "Sở Tư pháp", "score": 20,
             "max_score": 20, "duration_ms": 95_500, "submitted_at": submitted},
            {"prize": "Giải Nhì", "rank": 2, "full_name": FORMULA_NAME, "agency": "UBND xã Một", "score": 19,
             "max_score": 20, "duration_ms": 61_000, "submitted_at": submitted.isoformat()}]
    book = load_workbook(io.BytesIO(workbook_bytes(winners_workbook(rows, "DANH SÁCH ĐẠT GIẢI TUẦN 1"))))
    sheet = book.active
    assert sheet.title == "Danh sách đạt giải" and sheet["A1"].value == "DANH SÁCH ĐẠT GIẢI TUẦN 1"
    assert "A1:H1" in {str(merged) for merged in sheet.merged_cells.ranges}
    assert [cell.value for cell in sheet[2]] == ["STT", "Giải", "Hạng", "Họ và tên", "Đơn vị", "Điểm",
                                                 "Thời gian làm bài", "Nộp lúc"]
    assert [cell.value for cell in sheet[3]] == [1, "Giải Nhất", 1, "Trần Thị Bích", "Sở Tư pháp", "20/20",
                                                 "1 phút 35,5 giây", "01/12/2025 09:05"]
    assert sheet["H4"].value == "01/12/2025 09:05"  # ISO text from a snapshot reads the same
    assert sheet["D4"].value == FORMULA_NAME and sheet["D4"].data_type == "s" and sheet["D4"].quotePrefix
    assert all(sheet.cell(row=r, column=c).border.left.style == "thin" for r in (2, 3, 4) for c in range(1, 9))
    assert sheet.page_setup.orientation == "landscape" and sheet.print_title_rows == "$2:$2"
    assert sheet.column_dimensions["E"].width == 44 and sheet.sheet_properties.pageSetUpPr.fitToPage


def test_downloads_for_judges(client, auth, world, results):
    factories.make_user("gk@example.vn", world.province, Role.JUDGE, name="Giám khảo")
    db.session.commit()
    auth.login("gk@example.vn")
    base = f"/judging/rounds/{world.round.id}/export"
    xlsx = client.get(f"{base}/leaderboard.xlsx")
    assert xlsx.status_code == 200 and xlsx.mimetype.endswith("spreadsheetml.sheet")
    assert f"xep-hang-vong-{world.round.id}.xlsx" in xlsx.headers["Content-Disposition"]
    assert xlsx.headers["Cache-Control"] == "no-store"
    assert load_workbook(io.BytesIO(xlsx.data)).active["A1"].value == "Hạng"
    rows = _csv_rows(client.get(f"{base}/leaderboard.csv").data)
    assert rows[0] == LEADERBOARD_HEADERS and len(rows) == 5
    scoped = _csv_rows(client.get(f"{base}/leaderboard.csv?agency={world.district.id}").data)
    assert sorted(row[2] for row in scoped[1:]) == ["UBND huyện Một", "UBND xã Một", "UBND xã Một"]
    board = client.get(f"/judging/rounds/{world.round.id}/leaderboard?agency={world.district.id}").get_data(as_text=True)
    assert f"export/leaderboard.xlsx?agency={world.district.id}" in board
    assert _csv_rows(client.get(f"{base}/agencies.csv").data)[0][0] == "Đơn vị"
    assert load_workbook(io.BytesIO(client.get(f"{base}/agencies.xlsx").data)).active["A2"].value == "UBND tỉnh Thử"
    assert client.get(f"{base}/leaderboard.pdf").status_code == 404
    assert client.get("/judging/rounds/999999/export/leaderboard.csv").status_code == 404


def test_downloads_are_closed_to_contestants(client, auth, world):
    auth.login("thisinh@example.vn")
    assert client.get(f"/judging/rounds/{world.round.id}/export/leaderboard.xlsx").status_code == 403
    assert client.get(f"/judging/rounds/{world.round.id}/export/agencies.csv").status_code == 403


def test_cli_export_picks_the_format_by_extension(runner, world, results, tmp_path):
    target = tmp_path / "ket-qua.xlsx"
    outcome = runner.invoke(args=["results", "export", "--round", str(world.round.id), "-o", str(target)])
    assert outcome.exit_code == 0, outcome.output
    assert "4 thí sinh" in outcome.output
    sheet = load_workbook(target).active
    assert [cell.value for cell in sheet[1]] == LEADERBOARD_HEADERS and sheet.max_row == 5
    target = tmp_path / "ket-qua.csv"
    assert runner.invoke(args=["results", "export", "--round", str(world.round.id), "-o", str(target)]).exit_code == 0
    rows = _csv_rows(target.read_bytes())
    assert rows[0] == LEADERBOARD_HEADERS and rows[2][1] in ("'" + FORMULA_NAME, "Lê Văn Cường")
    _no_private_data(target.read_text(encoding="utf-8-sig"))
    refused = runner.invoke(args=["results", "export", "--round", str(world.round.id), "-o", str(tmp_path / "x.pdf")])
    assert refused.exit_code != 0 and ".xlsx hoặc .csv" in refused.output
    missing = runner.invoke(args=["results", "export", "--round", "999999", "-o", str(tmp_path / "y.csv")])
    assert missing.exit_code != 0 and "Không có vòng thi" in missing.output

"""Importing the agency tree from .xlsx and .csv: created or updated by code, all or nothing."""
import csv
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from contest.agencies.formats import AgencyRow, parse_headcount, read_agencies
from contest.agencies.models import Agency
from contest.agencies.queries import agencies_in_tree_order, subtree_condition
from contest.agencies.services import find_agency, import_agencies
from contest.extensions import db
from contest.leaderboards.models import ContestStanding, Standing
from questions.records import ImportFailed
from tests import factories
from tests.leaderboards.test_boards import take

HEADERS = ["Mã đơn vị", "Tên đơn vị", "Mã đơn vị cấp trên", "Số biên chế", "Khối"]
# Children before their parents on purpose: the import must create parents first anyway.
TREE = [
    ["X-PD-1", "UBND xã Phong An", "H-PD", 25, "Xã, phường"],
    ["H-PD", "UBND huyện Phong Điền", "UBND-T", 180, "Huyện, thị xã"],
    ["STP", "Sở Tư pháp", "UBND-T", 60, "Sở, ngành"],
    ["UBND-T", "UBND tỉnh Thử", "", 35, ""],
    ["X-PD-2", "UBND xã Phong Hiền", "H-PD", 22, "Xã, phường"],
]


def write_xlsx(path, rows, headers=HEADERS, title_rows=()):
    """A workbook with optional title lines, the header row, then `rows`."""
    book = Workbook()
    sheet = book.active
    for line in title_rows:
        sheet.append(line)
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def write_csv(path, rows, headers=HEADERS, delimiter=","):
    """A UTF-8 .csv with a BOM, as Excel's “CSV UTF-8” saves it."""
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def agency(code: str) -> Agency:
    found = find_agency(code)
    assert found is not None, code
    return found


def agency_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Agency))


def test_a_tree_imports_from_xlsx_parents_first(app, runner, tmp_path):
    path = write_xlsx(tmp_path / "don-vi.xlsx", TREE, title_rows=[["DANH SÁCH ĐƠN VỊ DỰ THI"], []],
                      headers=["MÃ ĐƠN VỊ", "Ten don vi", "Mã  đơn vị cấp trên", "Biên chế (người)", "KHỐI"])
    result = runner.invoke(args=["agencies", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "Đã thêm 5 đơn vị, cập nhật 0 đơn vị" in result.output
    province, district, commune = agency("UBND-T"), agency("H-PD"), agency("X-PD-1")
    assert (province.parent_id, province.level, province.path) == (None, 1, f"/{province.id}/")
    assert (district.parent_id, district.level, district.path) == (province.id, 2, f"/{province.id}/{district.id}/")
    assert (commune.level, commune.path) == (3, f"{district.path}{commune.id}/")
    assert (district.headcount, district.group_name, province.group_name) == (180, "Huyện, thị xã", "")
    assert province.id < district.id < commune.id  # created parents first whatever the row order
    assert [a.code for a in agencies_in_tree_order()] == ["UBND-T", "H-PD", "X-PD-1", "X-PD-2", "STP"]


def test_a_csv_imports_the_same_tree_and_a_second_file_updates_headcounts(app, tmp_path):
    first = write_csv(tmp_path / "don-vi.csv", TREE, delimiter=";")
    report = import_agencies(read_agencies(first))
    db.session.commit()
    assert sorted(report.created) == sorted(row[0] for row in TREE)
    paths_before = {a.code: a.path for a in agencies_in_tree_order()}
    # Only what changes: headcounts ("1.200" is how Vietnamese writes 1200), one blank kept as it was.
    update = write_csv(tmp_path / "bien-che.csv", [["H-PD", "UBND huyện Phong Điền", "UBND-T", "1.200", ""],
                                                  ["STP", "Sở Tư pháp", "UBND-T", "", "Sở, ngành"],
                                                  ["X-PD-1", "UBND xã Phong An", "H-PD", "30", "Xã, phường"]])
    report = import_agencies(read_agencies(update))
    db.session.commit()
    assert (report.created, sorted(report.updated), report.moved, report.unchanged) == \
        ([], ["H-PD", "X-PD-1"], [], 1)
    assert (agency("H-PD").headcount, agency("STP").headcount, agency("X-PD-1").headcount) == (1200, 60, 30)
    assert agency("H-PD").group_name == "Huyện, thị xã"  # blank group: kept
    assert {a.code: a.path for a in agencies_in_tree_order()} == paths_before
    assert agency_count() == 5


def test_a_file_without_the_parent_column_only_updates(app, tmp_path):
    import_agencies(read_agencies(write_xlsx(tmp_path / "a.xlsx", TREE)))
    path = write_xlsx(tmp_path / "b.xlsx", [["X-PD-2", "UBND xã Phong Hiền (mới)", 40]],
                      headers=["Mã đơn vị", "Tên đơn vị", "Biên chế"])
    report = import_agencies(read_agencies(path))
    assert report.updated == ["X-PD-2"] and not report.moved
    commune = agency("X-PD-2")
    assert (commune.name, commune.headcount, commune.parent.code) == ("UBND xã Phong Hiền (mới)", 40, "H-PD")


def test_moving_a_district_moves_its_subtree_and_the_standings_follow(world, now, tmp_path, runner):
    district_person = factories.make_user("huyen@example.vn", world.district, name="Người huyện")
    commune_person = factories.make_user("xa@example.vn", world.commune, name="Người xã")
    db.session.commit()
    take(district_person, world.round, now, correct=3, seconds=60)
    take(commune_person, world.round, now, correct=4, seconds=60)
    for person, agency_ in ((district_person, world.district), (commune_person, world.commune)):
        # merge: submitting may already have written the overall standing.
        db.session.merge(ContestStanding(contest_id=world.round.contest_id, user_id=person.id, agency_id=agency_.id,
                                       agency_path=agency_.path, score=3, max_score=5, duration_ms=60_000,
                                       submitted_at=now + timedelta(minutes=1)))
    db.session.commit()
    # A new area office under the province, and district H1 moved under it; its commune follows.
    path = write_xlsx(tmp_path / "chuyen.xlsx", [["H1", "UBND huyện Một", "KV1", "", ""],
                                                 ["KV1", "Khu vực Một", "T", 0, ""]])
    result = runner.invoke(args=["agencies", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "chuyển cấp trên của 1 đơn vị (H1): 2 đơn vị đổi vị trí trong cây, 4 kết quả thi" in result.output
    db.session.expire_all()
    area, district, commune = agency("KV1"), agency("H1"), agency("H1X1")
    assert district.path == f"/{world.province.id}/{area.id}/{district.id}/"
    assert (district.level, commune.level) == (3, 4)
    assert commune.path == f"{district.path}{commune.id}/"
    assert agency("STP").path == f"/{world.province.id}/{world.department.id}/"  # elsewhere: unchanged
    standings = {s.user_id: s.agency_path for s in db.session.scalars(sa.select(Standing))}
    assert standings == {district_person.id: district.path, commune_person.id: commune.path}
    overall = {s.user_id: s.agency_path for s in db.session.scalars(sa.select(ContestStanding))}
    assert overall == standings
    under_area = sa.select(sa.func.count()).select_from(Standing).where(subtree_condition(Standing.agency_path, area))
    assert db.session.scalar(under_area) == 2


def test_moving_back_to_the_top_level(app, tmp_path):
    import_agencies(read_agencies(write_xlsx(tmp_path / "a.xlsx", TREE)))
    report = import_agencies([AgencyRow(code="H-PD", name="UBND huyện Phong Điền", parent_code="")])
    district = agency("H-PD")
    assert report.moved == ["H-PD"] and report.paths_changed == 3
    assert (district.parent_id, district.level, district.path) == (None, 1, f"/{district.id}/")
    assert agency("X-PD-2").path == f"/{district.id}/{agency('X-PD-2').id}/"


def test_a_broken_file_imports_nothing_and_names_every_fault(world, runner, tmp_path):
    rows = [
        ["P1", "Phòng Một", "STP", 10, ""],          # row 2: fine
        ["P1", "Phòng Một bis", "STP", 5, ""],       # row 3: duplicate code
        ["P2", "", "STP", "mười", ""],               # row 4: no name, bad headcount
        ["P3", "Phòng Ba", "KHONG-CO", -4, ""],      # row 5: unknown parent, negative headcount
        ["A", "Vòng A", "B", 1, ""],                 # row 6: A → B → A
        ["B", "Vòng B", "A", 1, ""],                 # row 7
        ["", "Không có mã", "T", 1, ""],             # row 8: no code
        ["T", "UBND tỉnh Thử", "H1X1", 10, ""],      # row 9: the province under its own commune
        ["P4", "Phòng Bốn", "stp", "12,5", ""],     # row 10: code case, decimal headcount
        ["P5", "Phòng Năm", "P5", 1, ""],            # row 11: its own parent
    ]
    path = write_xlsx(tmp_path / "loi.xlsx", rows)
    before = agency_count()
    with pytest.raises(ImportFailed) as failure:
        import_agencies(read_agencies(path))
    located = [(issue.row, issue.column) for issue in failure.value.issues]
    assert located == [
        (3, "A (Mã đơn vị)"),
        (4, "B (Tên đơn vị)"), (4, "D (Biên chế)"),
        (5, "C (Mã đơn vị cấp trên)"), (5, "D (Biên chế)"),
        (6, "C (Mã đơn vị cấp trên)"), (7, "C (Mã đơn vị cấp trên)"),
        (8, "A (Mã đơn vị)"),
        (9, "C (Mã đơn vị cấp trên)"),
        (10, "C (Mã đơn vị cấp trên)"), (10, "D (Biên chế)"),
        (11, "C (Mã đơn vị cấp trên)"),
    ]
    messages = [str(issue) for issue in failure.value.issues]
    assert messages[0] == "Dòng 3, cột A (Mã đơn vị): mã “P1” trùng với dòng 2"
    assert messages[3] == "Dòng 5, cột C (Mã đơn vị cấp trên): không có đơn vị mã “KHONG-CO” trong tệp hoặc trong hệ thống"
    assert "tạo vòng lặp cấp trên: A → B → A" in messages[5] and "B → A → B" in messages[6]
    assert "tạo vòng lặp cấp trên: T → H1X1 → H1 → T" in messages[8]
    assert "(có mã “STP”: mã phân biệt chữ hoa, chữ thường)" in messages[9]
    assert "“12,5” không phải số nguyên" in messages[10] and "số âm" in messages[4]
    assert "chính nó" in messages[11]
    db.session.rollback()
    # The CLI lists the same faults, exits non-zero and stores nothing.
    result = runner.invoke(args=["agencies", "import", str(path)])
    assert result.exit_code == 1
    assert "Không nhập được loi.xlsx: 12 lỗi, chưa lưu gì." in result.output
    assert all(message in result.output for message in messages)
    assert agency_count() == before and find_agency("P1") is None
    assert agency("T").parent_id is None


def test_dry_run_stores_nothing(app, runner, tmp_path):
    result = runner.invoke(args=["agencies", "import", str(write_csv(tmp_path / "a.csv", TREE)), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Sẽ thêm 5 đơn vị" in result.output and "chưa lưu gì" in result.output
    assert agency_count() == 0


def test_files_that_cannot_be_read_are_refused(app, tmp_path):
    no_header = write_xlsx(tmp_path / "a.xlsx", TREE, headers=["Mã", "Đơn vị cấp trên", "Biên chế"])
    with pytest.raises(ImportFailed, match="không tìm thấy dòng tiêu đề"):
        read_agencies(no_header)
    with pytest.raises(ImportFailed, match=".xlsx hoặc .csv"):
        read_agencies(tmp_path / "a.pdf")
    latin1 = tmp_path / "b.csv"
    latin1.write_bytes("Mã,Tên\nA,Sê\n".encode("latin-1"))
    with pytest.raises(ImportFailed, match="UTF-8"):
        read_agencies(latin1)
    empty = write_csv(tmp_path / "c.csv", [])
    with pytest.raises(ImportFailed, match="không có đơn vị nào"):
        read_agencies(empty)


def test_rows_keep_where_they_came_from(tmp_path):
    rows = read_agencies(write_csv(tmp_path / "a.csv", [["A", "Sở A", "", "", ""], ["", "", "", "", ""],
                                                       ["B", "Sở B", "A", "7", "Sở, ngành"]]))
    assert [(row.row, row.code, row.parent_code, row.headcount, row.group_name) for row in rows] == \
        [(2, "A", "", "", ""), (4, "B", "A", "7", "Sở, ngành")]
    assert rows[1].where("parent_code") == "C (Mã đơn vị cấp trên)"
    without_parent = read_agencies(write_csv(tmp_path / "b.csv", [["A", "Sở A"]], headers=["Mã đơn vị", "Tên đơn vị"]))
    assert without_parent[0].parent_code is None


@pytest.mark.parametrize("text, value", [("", None), ("0", 0), ("45", 45), ("1.200", 1200), ("1 200", 1200),
                                         ("2,500", 2500), ("-0", 0)])
def test_headcounts_read_as_vietnamese_writes_them(text, value):
    assert parse_headcount(text) == value


@pytest.mark.parametrize("text", ["-3", "12,5", "12.5", "mười", "1.20", "5000000"])
def test_bad_headcounts_are_refused(text):
    with pytest.raises(ValueError):
        parse_headcount(text)

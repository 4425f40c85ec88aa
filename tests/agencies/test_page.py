"""The organizer's agencies page: headcounts and groups loaded from a file, checked before stored."""
import io

import sqlalchemy as sa
from openpyxl import load_workbook

from contest.agencies.models import Agency
from contest.audit.models import AuditEntry
from contest.extensions import db
from tests.conftest import csrf_token

URL = "/organizer/agencies"


def upload(client, text: str, name: str = "don-vi.csv"):
    return client.post(URL, data={"csrf_token": csrf_token(client, URL), "file": (io.BytesIO(text.encode()), name)},
                       content_type="multipart/form-data")


def test_headcounts_and_groups_load_from_the_page_after_a_check(organizer, world):
    page = upload(organizer, "Mã đơn vị,Tên đơn vị,Mã đơn vị cấp trên,Biên chế,Khối\n"
                             "STP,Sở Tư pháp,T,64,\"Sở, ngành\"\nH2,UBND huyện Hai,T,40,\"Huyện, thị xã\"\n")
    text = page.get_data(as_text=True)
    assert "sẽ thêm 1 đơn vị, cập nhật 1 đơn vị" in text
    db.session.expire_all()
    assert db.session.get(Agency, world.department.id).headcount == 20  # the check stored nothing
    token = text.split('name="token" value="')[1].split('"')[0]
    done = organizer.post(URL + "/confirm", data={"csrf_token": csrf_token(organizer, URL), "token": token},
                          follow_redirects=True).get_data(as_text=True)
    assert "Đã thêm 1 đơn vị, cập nhật 1 đơn vị." in done
    db.session.expire_all()
    department = db.session.get(Agency, world.department.id)
    assert (department.headcount, department.group_name) == (64, "Sở, ngành")
    assert db.session.scalar(sa.select(Agency).where(Agency.code == "H2")).search_name == "ubnd huyen hai"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "agencies.import"))
    assert (entry.details["created"], entry.details["updated"]) == (1, 1)


def test_a_faulty_list_names_every_fault_and_the_current_list_downloads(organizer, world):
    text = upload(organizer, "Mã đơn vị,Tên đơn vị,Mã đơn vị cấp trên,Biên chế\nX1,,T,abc\n").get_data(as_text=True)
    assert "có 2 lỗi; chưa nhập dòng nào" in text and "Dòng 2" in text
    workbook = load_workbook(io.BytesIO(organizer.get(URL + "/danh-sach-don-vi.xlsx").data))
    rows = list(workbook.active.values)
    assert rows[0] == ("Mã đơn vị", "Tên đơn vị", "Mã đơn vị cấp trên", "Biên chế", "Khối")
    assert ("STP", "Sở Tư pháp", "T", 20, None) in rows or ("STP", "Sở Tư pháp", "T", 20, "") in rows


def test_contestants_cannot_reach_the_agencies_page(client, world, auth):
    auth.login("thisinh@example.vn")
    assert client.get(URL).status_code == 403

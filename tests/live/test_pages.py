"""The live event over HTTP: set-up pages, joining with a PIN, answering, the stream, judging, export, publication."""
import io
import json
import re

import openpyxl
import pytest
import sqlalchemy as sa

from contest.accounts.models import Role
from contest.extensions import db
from contest.live import services
from contest.live.judging import canonical, sign, snapshot_of
from contest.live.models import LiveEvent, LiveRun
from contest.prizes.models import ResultSnapshot
from contest.scoring.verify import verify_all
from tests import factories
from tests.conftest import csrf_token
from tests.live.conftest import build_stage
from tests.live.test_stage import play_through

LIVE_TEMPLATES_PAGES = ("/organizer/live/", "/organizer/live/{id}", "/organizer/live/{id}/host", "/live/{code}/screen",
                        "/live/", "/live/{code}")


@pytest.fixture
def stage(world, now):
    return build_stage(world, now)


def test_an_organizer_sets_up_an_event_through_the_pages(organizer, world):
    token = csrf_token(organizer, "/organizer/live/")
    bank_id = world.round.bank_id
    response = organizer.post("/organizer/live/", data={"csrf_token": token, "title": "Hội thi Tìm hiểu pháp luật",
                                                        "venue": "Nhà văn hóa tỉnh", "mode": "teams",
                                                        "bank_id": bank_id})
    assert response.status_code == 302
    event = db.session.scalar(sa.select(LiveEvent))
    setup = f"/organizer/live/{event.id}"
    organizer.post(f"{setup}/teams", data={"csrf_token": token, "name": "Sở Tư pháp", "agency_id": world.department.id,
                                           "members": "Nguyễn Văn An\nTrần Thị Bình"})
    organizer.post(f"{setup}/segments", data={"csrf_token": token, "kind": "speed", "title": "Tăng tốc", "seconds": 15,
                                              "points": 10, "speed_points": "40, 30, 20", "buzzer_wrong_penalty": 0,
                                              "stars_per_team": 1})
    segment = db.session.get(LiveEvent, event.id).segments[0]
    organizer.post(f"{setup}/segments/{segment.id}/draw", data={"csrf_token": token, "count": 3, "quotas": "Chung | | 2"})
    page = organizer.get(setup).get_data(as_text=True)
    assert "Sở Tư pháp" in page and "Nguyễn Văn An, Trần Thị Bình" in page
    assert "Đúng được điểm theo thứ tự đến máy chủ: 40, 30, 20" in page
    assert page.count("Đáp án A") == 3 and "Nghị định 63/2010/NĐ-CP" in page
    # The quotas may be left empty, as the form says: one more question drawn from the whole bank.
    drawn = organizer.post(f"{setup}/segments/{segment.id}/draw", data={"csrf_token": token, "count": 1, "quotas": ""})
    assert drawn.status_code == 302 and organizer.get(setup).get_data(as_text=True).count("Đáp án A") == 4
    bad = organizer.post(f"{setup}/segments", data={"csrf_token": token, "kind": "speed", "title": "X", "seconds": 1,
                                                    "points": 10, "speed_points": "a, b"}, follow_redirects=True)
    text = bad.get_data(as_text=True)
    assert "Từ 3 đến 600 giây." in text and "Nhập các số nguyên cách nhau bởi dấu phẩy" in text
    assert len(db.session.get(LiveEvent, event.id).segments) == 1


def test_pages_carry_no_inline_script_style_or_handler(organizer, stage):
    for template in LIVE_TEMPLATES_PAGES:
        page = organizer.get(template.format(id=stage.event.id, code=stage.event.code)).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), template
        assert not re.search(r"\sstyle=", page), template
        assert not re.search(r"\son[a-z]+=", page), template


def test_a_device_joins_with_the_team_pin_and_wrong_pins_are_throttled(client, stage):
    event, team = stage.event, stage.teams[1]
    join = f"/live/{event.code}"
    token = csrf_token(client, join)
    wrong = client.post(join, data={"csrf_token": token, "team_id": team.id, "pin": "000000" if team.pin != "000000"
                                    else "111111"}, follow_redirects=True)
    assert "Mã PIN không đúng." in wrong.get_data(as_text=True)
    stranger = client.post(join, data={"csrf_token": token, "team_id": 2**30, "pin": team.pin}).get_data(as_text=True)
    assert "Lựa chọn không hợp lệ." in stranger and "Not a valid" not in stranger  # a team not of this event
    joined = client.post(join, data={"csrf_token": token, "team_id": team.id, "pin": team.pin})
    assert joined.headers["Location"].endswith(f"/live/{event.code}/play")
    page = client.get(f"/live/{event.code}/play").get_data(as_text=True)
    assert "UBND huyện Một" in page
    me = client.get(f"/live/{event.code}/me.json").get_json()
    assert me["name"] == "UBND huyện Một" and me["members"] == ["Lê Văn Cường"]
    other = stage.teams[0]
    for _ in range(5):
        client.post(join, data={"csrf_token": token, "team_id": other.id, "pin": "12345x"})  # malformed: not counted
    for _ in range(5):
        client.post(join, data={"csrf_token": token, "team_id": other.id,
                                "pin": "999999" if other.pin != "999999" else "888888"})
    refused = client.post(join, data={"csrf_token": token, "team_id": other.id, "pin": other.pin}, follow_redirects=True)
    assert "quá nhiều lần" in refused.get_data(as_text=True)


def test_the_typed_code_finds_the_event_whatever_its_case_and_spacing(client, stage):
    token = csrf_token(client, "/live/")
    code = stage.event.code
    response = client.post("/live/", data={"csrf_token": token, "code": f" {code[:3].lower()} {code[3:]} "})
    assert response.headers["Location"].endswith(f"/live/{code}")
    missing = client.post("/live/", data={"csrf_token": token, "code": "ZZZZZZ"}, follow_redirects=True)
    assert "Không có hội thi với mã này" in missing.get_data(as_text=True)


def test_answers_over_json_are_acknowledged_and_refused_after_the_lock(client, stage, now):
    event, team = stage.event, stage.teams[0]
    token = csrf_token(client, f"/live/{event.code}")
    client.post(f"/live/{event.code}", data={"csrf_token": token, "team_id": team.id, "pin": team.pin})
    token = csrf_token(client, f"/live/{event.code}/play")
    run = services.start_run(event, stage.organizer, now, rehearsal=False)
    services.next_question(run, now)
    db.session.commit()
    body = {"run": run.id, "question": run.question_id, "choice": 1}
    headers = {"X-CSRFToken": token}
    assert client.post(f"/live/{event.code}/answer", json=body).status_code == 400  # no CSRF token
    ack = client.post(f"/live/{event.code}/answer", json=body, headers=headers)
    assert ack.status_code == 200 and ack.get_json()["message"] == "Đã chọn B — chờ công bố."
    assert client.post(f"/live/{event.code}/answer", json={**body, "choice": 9}, headers=headers).status_code == 409
    assert client.post(f"/live/{event.code}/answer", json={**body, "choice": "B"}, headers=headers).status_code == 400
    run = db.session.get(LiveRun, run.id)
    services.lock_now(services.locked_run(run.id), now)
    db.session.commit()
    late = client.post(f"/live/{event.code}/answer", json={**body, "choice": 0}, headers=headers)
    assert late.status_code == 409 and late.get_json()["choice"] == 1  # it keeps what it answered
    state = client.get(f"/live/{event.code}/state.json").get_json()
    assert state["phase"] == "locked" and "reveal" not in state and state["distribution"] == [0, 1, 0, 0]


def test_an_unjoined_device_may_not_answer(client, stage):
    token = csrf_token(client, f"/live/{stage.event.code}")
    response = client.post(f"/live/{stage.event.code}/answer", json={"run": 1, "question": 1, "choice": 0},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 403


def read_events(chunk: bytes) -> list[tuple[str, dict]]:
    events = []
    for block in chunk.decode().split("\n\n"):
        kind = re.search(r"^event: (\w+)$", block, re.M)
        data = re.search(r"^data: (.*)$", block, re.M)
        if kind and data:
            events.append((kind.group(1), json.loads(data.group(1))))
    return events


def test_the_stream_opens_with_the_state_and_the_server_clock(client, stage, now):
    run = services.start_run(stage.event, stage.organizer, now, rehearsal=True)
    services.next_question(run, now)
    db.session.commit()
    url = f"/live/{stage.event.code}/stream?screen=1"
    # A server that would hold a whole worker per stream (gunicorn's sync worker) says so; pages then poll.
    refused = client.get(url)
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "1"
    response = client.get(url, buffered=False, environ_overrides={"wsgi.multithread": True})
    assert response.mimetype == "text/event-stream" and response.headers["Cache-Control"] == "no-store"
    events = read_events(next(response.response))
    response.close()
    kinds = [kind for kind, _ in events]
    assert kinds[0] == "state" and "clock" in kinds and "tally" in kinds
    state = events[0][1]
    assert state["phase"] == "open" and state["rehearsal"] and state["question"]["locks_at_ms"]
    assert "reveal" not in state


def test_two_judges_of_the_event_sign_then_it_exports_and_publishes(client, auth, stage, now):
    event = stage.event
    stage.teams[0].name = "=HYPERLINK(\"http://x\")"  # formula-like text stays text in the export
    db.session.commit()
    run = services.start_run(event, stage.organizer, now, rehearsal=False)
    db.session.commit()
    services.next_question(run, now)
    services.submit_answer(event.id, run.id, run.question_id, stage.teams[1].id, 0, "d", 4, now)
    services.lock_now(services.locked_run(run.id), now)
    db.session.commit()
    play_through(stage, run, now)
    outsider = factories.make_user("gk-khac@example.vn", None, Role.JUDGE, name="Giám khảo khác")
    db.session.commit()
    results = f"/judging/live/{event.id}"
    auth.login(outsider.email)
    page = client.get(results).get_data(as_text=True)
    checksum = re.search(r'name="checksum" value="([0-9a-f]{64})"', page).group(1)
    token = csrf_token(client, results)
    refused = client.post(f"{results}/sign", data={"csrf_token": token, "checksum": checksum}, follow_redirects=True)
    assert "Chỉ thành viên Ban giám khảo của hội thi" in refused.get_data(as_text=True)
    for judge in stage.judges:
        client.post("/logout", data={"csrf_token": csrf_token(client, results)})
        auth.login(judge.email)
        token = csrf_token(client, results)
        client.post(f"{results}/sign", data={"csrf_token": token, "checksum": checksum})
    snapshot = db.session.scalar(sa.select(ResultSnapshot).where(ResultSnapshot.live_event_id == event.id))
    assert snapshot is not None and snapshot.checksum == checksum and snapshot.round_id is None
    page = client.get(results).get_data(as_text=True)
    assert "Kết quả đã được ký và chốt" in page and "Giám khảo 1" in page and "Giám khảo 2" in page
    assert verify_all() == []
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(f"{results}/ket-qua.xlsx").data))
    sheet = workbook.active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Hạng", "Đội", "Đơn vị", "Thành viên") and rows[0][-2:] == ("Số câu đúng", "Tổng điểm")
    assert rows[1][1] == "UBND huyện Một" and rows[1][0] == 1 and rows[1][-1] == 10
    assert any(row[1] == "=HYPERLINK(\"http://x\")" for row in rows)
    assert all(cell.data_type == "s" for cell in sheet["B"] if cell.value and str(cell.value).startswith("="))
    assert any(row[1] and f"Mã kiểm tra SHA-256: {checksum}" == row[1] for row in rows)
    log = openpyxl.load_workbook(io.BytesIO(client.get(f"{results}/nhat-ky.xlsx").data)).active
    assert [cell.value for cell in log[1]][:5] == ["STT", "Thời điểm", "Câu hỏi", "Đội", "Loại"]
    # Published by an organizer, after the signatures; the public page shows the signed table.
    assert client.get(f"/live/{event.code}/results").status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token(client, results)})
    auth.login(stage.organizer.email)
    token = csrf_token(client, results)
    client.post(f"/organizer/live/{event.id}/publish", data={"csrf_token": token})
    public = client.get(f"/live/{event.code}/results")
    assert public.status_code == 200 and checksum in public.get_data(as_text=True)
    # After the signatures nothing changes.
    with pytest.raises(services.LiveError, match="đã được ký"):
        services.correct_mark(services.locked_run(run.id), run.question_id, stage.teams[1].id, 0, "thử", stage.organizer,
                              now)


def test_a_correction_after_a_first_signature_needs_both_again(stage, now):
    event = stage.event
    run = services.start_run(event, stage.organizer, now, rehearsal=False)
    db.session.commit()
    play_through(stage, run, now)
    _, checksum = canonical(event, run)
    assert sign(event, stage.judges[0], checksum, now) is None
    db.session.commit()
    services.correct_mark(services.locked_run(run.id), services.ordered_questions(event.id)[0].id, stage.teams[2].id,
                          5, "Phúc khảo", stage.organizer, now)
    db.session.commit()
    with pytest.raises(services.LiveError, match="đã thay đổi"):
        sign(event, stage.judges[1], checksum, now)
    db.session.rollback()
    _, new = canonical(event, run)
    assert sign(event, stage.judges[0], new, now) is None
    assert sign(event, stage.judges[1], new, now) is not None
    db.session.commit()
    assert snapshot_of(event).checksum == new

"""Registration under an agency, log in and out, roles and CSRF."""
import sqlalchemy as sa

from contest.accounts.models import Role, User
from contest.extensions import db
from tests import factories
from tests.conftest import csrf_token


def registration(world, **overrides):
    data = {"full_name": "Trần Thị Ánh", "email": "Anh.Tran@Example.vn", "phone": "0912 345 678",
            "agency_id": str(world.commune.id), "password": "matkhau123",
            "password_confirm": "matkhau123", "consent": "y", "citizen_id": "", "birth_date": ""}
    data.update(overrides)
    return data


def test_contestant_registers_under_an_agency_and_is_logged_in(client, world):
    data = registration(world, csrf_token=csrf_token(client, "/register"), birth_date="25/04/1990")
    response = client.post("/register", data=data)
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "anh.tran@example.vn"))
    assert user.agency_id == world.commune.id and user.role == "contestant"
    assert user.phone == "0912345678" and user.consented_at is not None
    assert user.birth_date.isoformat() == "1990-04-25"
    assert "Trần Thị Ánh" in client.get("/").get_data(as_text=True)


def test_the_agency_picker_finds_agencies_typed_without_diacritics_and_shows_their_line(client, world):
    # Without JavaScript the picker's words come back to the page, which lists the agencies found.
    page = client.get("/register?agency_q=mot").get_data(as_text=True)
    assert page.index("UBND huyện Một") < page.index("UBND xã Một") and "Sở Tư pháp" not in page
    assert "UBND tỉnh Thử › UBND huyện Một</span>" in page
    assert f'name="agency_id" value="{world.commune.id}"' in page
    # With it, the same search answers as JSON while one types.
    found = client.get("/agencies/search?q=XA  mot").get_json()
    assert found == {"agencies": [{"id": world.commune.id, "name": "UBND xã Một",
                                   "trail": "UBND tỉnh Thử › UBND huyện Một"}], "more": False}
    assert client.get(f"/agencies/search?q=mot&within={world.department.id}").get_json()["agencies"] == []


def test_registration_requires_consent_and_names_the_faults(client, world):
    data = registration(world, consent="", phone="12345", csrf_token=csrf_token(client, "/register"))
    response = client.post("/register", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Cần đồng ý xử lý dữ liệu cá nhân" in page
    assert "Số điện thoại gồm 10 chữ số" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1  # only the world's


def test_an_email_registers_once(client, world):
    data = registration(world, email="thisinh@example.vn", csrf_token=csrf_token(client, "/register"))
    response = client.post("/register", data=data)
    assert response.status_code == 422
    assert "Email này đã được đăng ký" in response.get_data(as_text=True)


def test_a_form_without_csrf_token_is_refused(client, world):
    response = client.post("/register", data=registration(world))
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_login_with_wrong_password_is_refused(client, world, auth):
    response = auth.login("thisinh@example.vn", "sai-mat-khau")
    assert response.status_code == 401
    assert "Email hoặc mật khẩu không đúng" in response.get_data(as_text=True)


def test_login_then_logout(client, world, auth):
    assert auth.login("THISINH@example.vn").status_code == 302
    assert "Nguyễn Văn Thí" in client.get("/").get_data(as_text=True)
    token = csrf_token(client, "/")
    client.post("/logout", data={"csrf_token": token})
    assert "Đăng nhập" in client.get("/").get_data(as_text=True)
    assert client.get("/organizer/").status_code == 302


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    for url in ("/organizer/", "/judging/", f"/judging/rounds/{world.round.id}/agencies"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_contestants_get_403_on_organizer_and_judge_pages(client, world, auth):
    auth.login("thisinh@example.vn")
    for url in ("/organizer/", "/organizer/rounds/new", "/judging/",
                f"/judging/rounds/{world.round.id}/agencies", f"/judging/rounds/{world.round.id}/leaderboard"):
        assert client.get(url).status_code == 403, url


def test_judges_see_judging_but_not_organizer_pages(client, world, auth):
    factories.make_user("giamkhao@example.vn", world.province, Role.JUDGE)
    db.session.commit()
    auth.login("giamkhao@example.vn")
    assert client.get("/judging/").status_code == 200
    assert client.get("/organizer/").status_code == 403

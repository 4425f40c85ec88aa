"""A contestant changes their password; an organizer finds an account (diacritics ignored) and gives
a contestant who forgot their password a temporary one, logged and shown once."""
from datetime import timedelta

import sqlalchemy as sa

from contest.accounts.models import Role, Throttle, User
from contest.audit.models import AuditEntry
from contest.database import utcnow
from contest.extensions import db
from tests import factories
from tests.conftest import csrf_token

OWNER = "thisinh@example.vn"


def change(client, current, new, confirm=None):
    return client.post("/account", data={"current_password": current, "password": new,
                                         "password_confirm": new if confirm is None else confirm,
                                         "csrf_token": csrf_token(client, "/account")})


def log_out(client):
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})


def test_a_contestant_changes_their_password_and_logs_in_with_the_new_one(client, world, auth):
    auth.login(OWNER)
    page = client.get("/account").get_data(as_text=True)
    assert "Nguyễn Văn Thí" in page and OWNER in page
    response = change(client, factories.PASSWORD, "mat-khau-moi-2026")
    assert response.status_code == 302
    assert "Đã đổi mật khẩu" in client.get("/account").get_data(as_text=True)
    log_out(client)
    assert auth.login(OWNER).status_code == 401  # the old password no longer works
    assert auth.login(OWNER, "mat-khau-moi-2026").status_code == 302


def test_a_wrong_current_password_or_a_mismatch_changes_nothing(client, world, auth):
    auth.login(OWNER)
    wrong = change(client, "khong-dung", "mat-khau-moi-2026")
    assert wrong.status_code == 422 and "Mật khẩu hiện tại không đúng" in wrong.get_data(as_text=True)
    mismatch = change(client, factories.PASSWORD, "mat-khau-moi-2026", "mat-khau-khac-2026")
    assert mismatch.status_code == 422 and "Hai lần nhập mật khẩu không khớp" in mismatch.get_data(as_text=True)
    short = change(client, factories.PASSWORD, "ngan")
    assert short.status_code == 422 and "ít nhất 8 ký tự" in short.get_data(as_text=True)
    log_out(client)
    assert auth.login(OWNER).status_code == 302


def test_the_account_page_needs_a_log_in(client, world):
    response = client.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_organizers_find_accounts_without_typing_diacritics(organizer, world):
    factories.make_user("dao@example.vn", world.commune, name="Nguyễn Thị Đào")
    db.session.commit()
    for query in ("nguyen thi dao", "NGUYỄN ĐÀO", "dao@example", "Đào"):
        page = organizer.get("/organizer/accounts", query_string={"q": query}).get_data(as_text=True)
        assert "Nguyễn Thị Đào" in page, query
        assert "Nguyễn Văn Thí" not in page, query
    page = organizer.get("/organizer/accounts", query_string={"q": "khong co ai"}).get_data(as_text=True)
    assert "Không tìm thấy tài khoản nào" in page


def test_a_search_word_with_a_percent_sign_is_taken_literally(organizer, world):
    page = organizer.get("/organizer/accounts", query_string={"q": "%"}).get_data(as_text=True)
    assert "Không tìm thấy tài khoản nào" in page


def test_an_organizer_gives_a_temporary_password_shown_once_and_logged(client, organizer, world, auth):
    user = db.session.scalar(sa.select(User).where(User.email == OWNER))
    db.session.add(Throttle(key=f"a|{OWNER}", window_started_at=utcnow(), count=20))
    db.session.commit()
    token = csrf_token(organizer, "/organizer/accounts?q=thi")
    before = db.session.get(User, user.id).password_hash
    asked = organizer.post(f"/organizer/accounts/{user.id}/password", data={"csrf_token": token}).get_data(as_text=True)
    assert f"Cấp mật khẩu tạm thời cho {user.full_name} ({user.email})?" in asked
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == before  # nothing changes before the confirmation
    response = organizer.post(f"/organizer/accounts/{user.id}/password", data={"csrf_token": token, "confirmed": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    temporary = page.split('<p class="temporary-password"><code>')[1].split("</code>")[0]
    assert len(temporary) == 10
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "account.password_reset"))
    assert entry.target_id == user.id and temporary not in str(entry.details)
    assert temporary not in db.session.get(User, user.id).password_hash
    log_out(organizer)
    # The owner's failed log-ins are forgotten, the old password is gone, the temporary one works.
    assert auth.login(OWNER).status_code == 401
    assert auth.login(OWNER, temporary).status_code == 302


def test_organizers_cannot_reset_a_judges_password_nor_contestants_reach_the_page(client, world, auth):
    judge = factories.make_user("gk@example.vn", world.province, Role.JUDGE, name="Giám khảo")
    factories.make_user("btc@example.vn", world.province, Role.ORGANIZER, name="Ban tổ chức")
    db.session.commit()
    auth.login(OWNER)
    assert client.get("/organizer/accounts?q=a").status_code == 403
    token = csrf_token(client, "/")
    assert client.post(f"/organizer/accounts/{judge.id}/password", data={"csrf_token": token}).status_code == 403
    log_out(client)
    auth.login("btc@example.vn")
    before = db.session.get(User, judge.id).password_hash
    response = client.post(f"/organizer/accounts/{judge.id}/password",
                           data={"csrf_token": csrf_token(client, "/organizer/accounts")}, follow_redirects=True)
    assert "Chỉ quản trị viên mới cấp lại mật khẩu" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, judge.id).password_hash == before


def test_the_first_organizer_is_created_from_the_command_line_and_can_log_in(client, world, runner, auth):
    result = runner.invoke(args=["accounts", "create", "--email", "BTC.Tinh@example.vn", "--name", "Lê Văn Tổ",
                                 "--role", "organizer"], input="mat-khau-btc\nmat-khau-btc\n")
    assert result.exit_code == 0, result.output
    assert "Đã tạo tài khoản btc.tinh@example.vn (Ban tổ chức)" in result.output
    assert "mat-khau-btc" not in result.output  # the password is not echoed
    assert auth.login("btc.tinh@example.vn", "mat-khau-btc").status_code == 302
    assert client.get("/organizer/").status_code == 200


def test_the_command_line_refuses_a_short_password_a_taken_email_and_an_unknown_agency(world, runner):
    short = runner.invoke(args=["accounts", "create", "--email", "a@example.vn", "--name", "A", "--role", "judge",
                                "--password", "ngan"])
    assert short.exit_code != 0 and "ít nhất 8 ký tự" in short.output
    taken = runner.invoke(args=["accounts", "create", "--email", OWNER, "--name", "A", "--role", "judge",
                                "--password", "du-dai-roi"])
    assert taken.exit_code != 0 and "Email này đã được đăng ký" in taken.output
    unknown = runner.invoke(args=["accounts", "create", "--email", "b@example.vn", "--name", "B", "--role", "judge",
                                  "--agency", "KHONG-CO", "--password", "du-dai-roi"])
    assert unknown.exit_code != 0 and "Không có đơn vị mã “KHONG-CO”" in unknown.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1  # only the world's contestant


def test_set_password_from_the_command_line(client, world, runner, auth):
    result = runner.invoke(args=["accounts", "set-password", OWNER], input="mat-khau-moi-9\nmat-khau-moi-9\n")
    assert result.exit_code == 0, result.output
    assert auth.login(OWNER).status_code == 401
    assert auth.login(OWNER, "mat-khau-moi-9").status_code == 302
    unknown = runner.invoke(args=["accounts", "set-password", "ai@example.vn", "--password", "mat-khau-moi-9"])
    assert unknown.exit_code != 0 and "Không có tài khoản ai@example.vn" in unknown.output


def correction(organizer, user, **overrides):
    data = {"full_name": user.full_name, "phone": user.phone or "", "citizen_id": user.citizen_id or "",
            "agency_id": str(user.agency_id), "stream": user.stream, "reason": "Thí sinh gọi điện báo chọn nhầm"}
    data.update(overrides)
    data["csrf_token"] = csrf_token(organizer, f"/organizer/accounts/{user.id}")
    return organizer.post(f"/organizer/accounts/{user.id}", data=data)


def test_a_corrected_agency_moves_the_contestants_results_and_is_logged(organizer, world, now):
    from contest.attempts.services import start_attempt, submit_attempt
    from contest.leaderboards.models import ContestStanding, Standing

    attempt = start_attempt(world.contestant, world.round, now)
    submit_attempt(attempt, now + timedelta(seconds=40))
    db.session.commit()
    assert organizer.get(f"/organizer/accounts/{world.contestant.id}").status_code == 200
    response = correction(organizer, world.contestant, agency_id=str(world.department.id),
                          full_name="Nguyễn Văn Thịnh")
    assert response.status_code == 302
    db.session.expire_all()
    standing = db.session.get(Standing, (world.round.id, world.contestant.id))
    overall = db.session.get(ContestStanding, (world.round.contest_id, world.contestant.id))
    assert (standing.agency_id, standing.agency_path) == (world.department.id, world.department.path)
    assert (overall.agency_id, overall.agency_path) == (world.department.id, world.department.path)
    board = organizer.get(f"/rounds/{world.round.id}/leaderboard", query_string={"agency": world.department.id})
    assert "1 thí sinh có kết quả" in board.get_data(as_text=True)  # the department's board now holds them
    old_board = organizer.get(f"/rounds/{world.round.id}/leaderboard", query_string={"agency": world.commune.id})
    assert "1 thí sinh có kết quả" not in old_board.get_data(as_text=True)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "account.correct"))
    assert entry.details["reason"] == "Thí sinh gọi điện báo chọn nhầm"
    assert entry.details["full_name"] == "Nguyễn Văn Thí → Nguyễn Văn Thịnh"
    page = organizer.get("/organizer/accounts", query_string={"q": "van thinh"}).get_data(as_text=True)
    assert "Nguyễn Văn Thịnh" in page


def test_a_correction_names_its_faults_and_changes_nothing(organizer, world):
    other = factories.make_user("khac@example.vn", world.commune, name="Lê Thị Khác")
    other.citizen_id = "001099012345"
    db.session.commit()
    taken = correction(organizer, world.contestant, citizen_id="001099012345")
    assert taken.status_code == 422 and "thuộc một tài khoản khác" in taken.get_data(as_text=True)
    bad = correction(organizer, world.contestant, phone="12345", reason="")
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Số điện thoại gồm 10 chữ số" in page and "Ghi lý do sửa" in page
    db.session.expire_all()
    assert db.session.get(User, world.contestant.id).citizen_id is None
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "account.correct")) is None


def test_organizers_cannot_correct_staff_accounts(organizer, world):
    judge = factories.make_user("gk@example.vn", world.province, Role.JUDGE, name="Giám khảo")
    db.session.commit()
    assert organizer.get(f"/organizer/accounts/{judge.id}").status_code == 403
    assert correction(organizer, judge, full_name="Đổi tên").status_code == 403

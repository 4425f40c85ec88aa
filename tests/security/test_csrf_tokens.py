"""The CSRF token a page carries is signed once per session (contest.security.csrf): it must stay
its own session's, and be accepted as a freshly signed one is."""
from contest.accounts.models import Role
from contest.extensions import db
from tests import factories
from tests.conftest import Auth, IsolatedClient, csrf_token


def _signed_in(app, email: str):
    app.test_client_class = IsolatedClient
    client = app.test_client()
    assert Auth(client).login(email).status_code == 302
    return client


def test_each_session_keeps_its_own_token_and_logs_out_with_it(app, world):
    factories.make_user("nguoi2@example.vn", world.department, Role.CONTESTANT, name="Trần Thị Hai")
    db.session.commit()
    first, second = _signed_in(app, "thisinh@example.vn"), _signed_in(app, "nguoi2@example.vn")
    mine = csrf_token(first, "/")
    board = f"/rounds/{world.round.id}/leaderboard"
    assert csrf_token(first, board) == mine  # signed once, kept in the session, served again
    assert "Set-Cookie" not in first.get(board).headers  # the session stays as it is: no cookie sent again
    theirs = csrf_token(second, "/")
    assert theirs != mine

    # Another session's token is refused; each session's own works.
    assert first.post("/logout", data={"csrf_token": theirs}).status_code == 400
    assert "Nguyễn Văn Thí" in first.get("/").get_data(as_text=True)
    first.post("/logout", data={"csrf_token": mine})
    second.post("/logout", data={"csrf_token": theirs})
    for client in (first, second):
        assert "Đăng nhập" in client.get("/").get_data(as_text=True)

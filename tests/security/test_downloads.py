"""Downloads leave nothing behind on the server: every bank export, the template and the winners list."""
import tempfile

from contest.accounts.models import Role
from contest.extensions import db
from tests import factories


def test_downloads_leave_no_files_behind(client, world, auth, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    factories.make_user("btc@example.vn", world.province, Role.ORGANIZER, name="Ban tổ chức")
    factories.make_user("gk@example.vn", world.province, Role.JUDGE, name="Giám khảo")
    db.session.commit()
    auth.login("btc@example.vn")
    paths = ["/organizer/bank/template.xlsx", *(f"/organizer/bank/export?format={name}"
                                                for name in ("xlsx", "csv", "gift", "aiken", "moodle-xml", "json"))]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert len(response.data) > 100, path  # the file itself, not an empty body
        response.close()
    auth.login("gk@example.vn")
    response = client.get(f"/judging/rounds/{world.round.id}/prizes/winners.xlsx")
    assert response.status_code == 200 and response.data.startswith(b"PK")
    response.close()
    assert list(tmp_path.iterdir()) == []

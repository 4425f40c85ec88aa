"""The bounds applied at the edge of every request (contest/security/bounds.py)."""
import pytest

from contest.security.bounds import MAX_ID, bounded_int


@pytest.mark.parametrize("value, expected", [("42", 42), (" 7 ", 7), ("-3", -3), (str(MAX_ID), MAX_ID)])
def test_numbers_within_an_integer_column_are_read(value, expected):
    assert bounded_int(value) == expected


@pytest.mark.parametrize("value", [str(MAX_ID + 1), str(2**63), "9" * 5000, "1.5", "", "true", True, "x"])
def test_numbers_beyond_an_integer_column_or_not_numbers_are_refused(value):
    with pytest.raises(ValueError):
        bounded_int(value)


def test_edge_answers(app, client, world, monkeypatch):
    assert client.get(f"/rounds/{MAX_ID + 1}").status_code == 404  # no row can have that id
    assert client.get(f"/rounds/{world.round.id}/leaderboard?agency={2**63}").status_code == 200  # read as absent
    assert client.get("/agencies/search?q=a%00b").status_code == 400
    assert client.post("/register", data={"full_name": "a\x00b"}).status_code == 400
    # A JSON body to a form: refused, not fed to the form's validators (numbers where text is expected);
    # CSRF off, as if the attacker had the token.
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    assert client.post("/login", json={"email": 1, "password": [1]}).status_code == 415

"""Links are built once per worker (contest.links), per script root: a site served under a path prefix
links under it, whichever page was built first."""
import re


def _stylesheet(page: str) -> str:
    return re.search(r'<link rel="stylesheet" href="([^"]+)"', page).group(1)


def test_links_follow_the_prefix_the_site_is_served_under(client, world):
    at_root = client.get("/").get_data(as_text=True)
    under_prefix = client.get("/", base_url="http://localhost/thi").get_data(as_text=True)
    assert re.fullmatch(r"/static/style\.[0-9a-f]{12}\.css", _stylesheet(at_root))
    assert _stylesheet(under_prefix) == "/thi" + _stylesheet(at_root)
    assert f'href="/thi/rounds/{world.round.id}' in under_prefix
    assert 'href="/rounds/' not in under_prefix
    assert client.get(_stylesheet(at_root)).status_code == 200

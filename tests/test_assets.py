"""Static files under content-hashed names, cached for a year and sent compressed; pages compressed."""
import re

import brotli
from flask import url_for

from contest.config import PROJECT_ROOT


def static_url(app, name: str) -> str:
    with app.test_request_context():
        return url_for("static", filename=name)


def test_static_files_have_content_hashed_names_and_are_kept_for_a_year(app, client):
    url = static_url(app, "style.css")
    assert re.fullmatch(r"/static/style\.[0-9a-f]{12}\.css", url)
    response = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "br"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["Vary"] == "Accept-Encoding" and "Set-Cookie" not in response.headers
    assert brotli.decompress(response.data) == (PROJECT_ROOT / "static" / "style.css").read_bytes()
    assert client.get(url, headers={"Accept-Encoding": "br", "If-None-Match": response.headers["ETag"]}).status_code == 304
    assert client.get(url, headers={"Accept-Encoding": "gzip"}).headers["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in client.get(url, headers={"Accept-Encoding": "identity"}).headers


def test_other_names_get_the_current_file_to_revalidate(client):
    # A page of the previous release names the old hash: the current file, not a year in the cache.
    for url in ("/static/style.css", "/static/style.0123456789ab.css"):
        response = client.get(url)
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-cache"
    assert client.get("/static/none-such.css").status_code == 404


def test_pages_are_compressed_and_name_their_static_files_hashed(client, world):
    response = client.get("/", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response.headers["Content-Encoding"] == "br" and "Accept-Encoding" in response.headers["Vary"]
    page = brotli.decompress(response.data).decode()
    assert re.search(r'href="/static/style\.[0-9a-f]{12}\.css"', page)
    assert 'placeholder="None"' not in page

"""Links in pages, built once per worker: a page links to the same few places on every request (the
stylesheet, the home page, the account, a round's board and its agencies), and building each through
Werkzeug's URL map cost 5–12 µs, a tenth of a board page's own CPU for its dozen links.

Templates' url_for is remembered per (script root, endpoint, arguments); a link with Flask's own
options (_external, _anchor…), a blueprint-relative endpoint or an argument that cannot be a key is
built as before. What url_for depends on besides these is fixed for a worker's life: the URL map, and
the static files' hashed names (contest.assets).
"""
from flask import Flask, has_request_context, request, url_for

# Beyond this many links remembered (pages of a board carry signed cursors, each once), start again.
LIMIT = 4096

_built: dict[tuple, str] = {}


def remembered_url_for(endpoint: str, **values) -> str:
    """url_for(endpoint, **values), the same link built once per worker."""
    if endpoint.startswith(".") or not has_request_context() or any(name.startswith("_") for name in values):
        return url_for(endpoint, **values)
    key = (request.script_root, endpoint, *sorted(values.items()))
    try:
        url = _built.get(key)
    except TypeError:  # a list or another unhashable argument
        return url_for(endpoint, **values)
    if url is None:
        url = url_for(endpoint, **values)
        if len(_built) >= LIMIT:
            _built.clear()
        _built[key] = url
    return url


def init_app(app: Flask) -> None:
    """Templates' url_for remembers the links it built."""
    app.jinja_env.globals["url_for"] = remembered_url_for

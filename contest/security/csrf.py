"""The CSRF token in every signed-in page (the log-out form in the header), signed once per worker.

Flask-WTF signs the session's token anew on every page (a serializer built, the token dumped, an HMAC:
25–60 µs, more than the rest of the header). With WTF_CSRF_TIME_LIMIT off, as here, the signature's
time is never checked, so the token signed once for a session's raw token stays as valid as a new one.
"""
from flask import Flask, current_app, g, session
from flask_wtf.csrf import generate_csrf

# Beyond this many sessions' tokens remembered, start again (one entry per session a worker has served).
LIMIT = 50_000

_signed: dict[tuple, str] = {}


def csrf_token() -> str:
    """The request's signed CSRF token (what Flask-WTF's generate_csrf gives), signed once per session."""
    config = current_app.config
    field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    if field in g or config.get("WTF_CSRF_TIME_LIMIT") is not None or field not in session:
        return generate_csrf()
    key = (config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key, session[field])
    token = _signed.get(key)
    if token is None:
        token = generate_csrf()
        if len(_signed) >= LIMIT:
            _signed.clear()
        _signed[key] = token
    else:
        setattr(g, field, token)  # where Flask-WTF's forms read the request's token
    return token


def init_app(app: Flask) -> None:
    """Templates' csrf_token() signs once per session (Flask-WTF's init_app must have run: its global and its
    context processor are replaced, the processor by one that runs after it)."""
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.context_processor(lambda: {"csrf_token": csrf_token})

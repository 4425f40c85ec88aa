"""The CSRF token in every signed-in page (the log-out form in the header), signed once per session.

Flask-WTF signs the session's token anew on every page (a serializer built, the token dumped, an HMAC:
25–60 µs, more than the rest of the header). With WTF_CSRF_TIME_LIMIT off, as here, the signature's
time is never checked, so the token signed once stays as valid as a new one: it is kept in the session
beside the raw token it signs (the cookie carries it: no memory per session in any worker, whichever
worker serves the next page), and signed again only when the raw token changes (a log-in clears both).
"""
from flask import Flask, current_app, g, session
from flask_wtf.csrf import generate_csrf

SIGNED_KEY = "_csrf_signed"  # [raw token, signed token] in the session


def csrf_token() -> str:
    """The request's signed CSRF token (what Flask-WTF's generate_csrf gives), signed once per session."""
    config = current_app.config
    field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    if field in g or config.get("WTF_CSRF_TIME_LIMIT") is not None:
        return generate_csrf()
    raw, kept = session.get(field), session.get(SIGNED_KEY)
    if raw is not None and kept is not None and kept[0] == raw:  # written below only, in a signed cookie
        setattr(g, field, kept[1])  # where Flask-WTF's forms read the request's token
        return kept[1]
    token = generate_csrf()
    session[SIGNED_KEY] = [session[field], token]
    return token


def init_app(app: Flask) -> None:
    """Templates' csrf_token() signs once per session (Flask-WTF's init_app must have run: its global and its
    context processor are replaced, the processor by one that runs after it)."""
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.context_processor(lambda: {"csrf_token": csrf_token})

"""The WSGI entry point for gunicorn: `gunicorn contest.wsgi:app`. Requires SECRET_KEY."""
from contest import create_app

app = create_app(require_secret=True)

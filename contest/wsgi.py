"""The WSGI entry point for gunicorn: `gunicorn contest.wsgi:app`. Requires SECRET_KEY."""
import gc

from contest import create_app

app = create_app(require_secret=True, migrations=False)  # `flask db` runs from the command line, not here
# The objects built at start-up live as long as the worker: moved out of the collector's generations,
# they are no longer walked by every full collection (a pause that lands on some request's latency).
gc.freeze()

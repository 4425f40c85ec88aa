"""Web workers stay small: the file-format libraries load only when a file is read or written, the migration
tools only for `flask db`."""
import json
import os
import subprocess
import sys

from contest.config import PROJECT_ROOT

HEAVY = ("openpyxl", "docx", "pypdf", "lxml", "fpdf", "fontTools", "PIL")
# Flask-Migrate brings Alembic, Mako and Pygments: 11 MB a worker (93.5 → 82.4 MB after start-up).
MIGRATION_TOOLS = ("flask_migrate", "alembic", "mako", "pygments")
# A fresh interpreter, as gunicorn's: other tests have long since imported these in this one.
PROBE = """
import json, sys
from contest.wsgi import app
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules} & set(sys.argv[1:]))))
"""


def imported_by_a_worker(tmp_path, names) -> list[str]:
    """Which of `names` a fresh interpreter has imported once it has built gunicorn's app."""
    env = {**os.environ, "SECRET_KEY": "x" * 32, "DATABASE_URL": f"sqlite:///{tmp_path / 'probe.db'}"}
    env.pop("CONTEST_DEMO", None)
    result = subprocess.run([sys.executable, "-c", PROBE, *names], cwd=PROJECT_ROOT, env=env,
                            capture_output=True, text=True, timeout=60, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_creating_the_app_does_not_import_file_format_libraries(tmp_path):
    assert imported_by_a_worker(tmp_path, HEAVY) == []


def test_a_web_worker_leaves_the_migration_tools_to_the_command_line(tmp_path):
    assert imported_by_a_worker(tmp_path, MIGRATION_TOOLS) == []

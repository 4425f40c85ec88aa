"""Web workers stay small: the file-format libraries load only when a file is read or written."""
import json
import os
import subprocess
import sys

from contest.config import PROJECT_ROOT

HEAVY = ("openpyxl", "docx", "pypdf", "lxml", "fpdf", "fontTools", "PIL")
# A fresh interpreter, as gunicorn's: other tests have long since imported these in this one.
PROBE = """
import json, sys
from contest.wsgi import app
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules} & set(sys.argv[1:]))))
"""


def test_creating_the_app_does_not_import_file_format_libraries(tmp_path):
    env = {**os.environ, "SECRET_KEY": "x" * 32, "DATABASE_URL": f"sqlite:///{tmp_path / 'probe.db'}"}
    env.pop("CONTEST_DEMO", None)
    result = subprocess.run([sys.executable, "-c", PROBE, *HEAVY], cwd=PROJECT_ROOT, env=env,
                            capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []

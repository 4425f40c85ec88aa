"""Downloads written to a file first (a bank export can be tens of megabytes), leaving nothing on disk."""
import tempfile
from collections.abc import Callable
from pathlib import Path

from flask import Response, send_file


def send_written(write: Callable[[Path], None], download_name: str) -> Response:
    """Write the download with `write(path)` into a temporary folder and send it; the folder is gone before
    the response leaves (the open file keeps its bytes until the response is sent and closes it)."""
    with tempfile.TemporaryDirectory(prefix="contest-download-") as directory:
        path = Path(directory) / download_name
        write(path)
        handle = path.open("rb")
    return send_file(handle, as_attachment=True, download_name=download_name)

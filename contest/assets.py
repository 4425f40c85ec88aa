"""Static files under content-hashed names, cached by browsers for a year.

`url_for('static', filename='style.css')` gives `/static/style.<hash>.css`; that name changes with
the content, so browsers may keep it forever (`immutable`) and a warm page costs one request. The
files are read once per worker and kept in memory (a few tens of kB), already compressed with the
brotli library at its highest quality and with gzip, as WhiteNoise does at build time: 20–25 %
smaller than the quick brotli or zstd Flask-Compress applies to HTML pages, and no compression work
per request. A plain name, or the hash of another release (a page rendered by an instance not yet
upgraded), still gets the current file, but one the browser must revalidate.
"""
import gzip
import hashlib
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

import brotli
from flask import Flask, Response, abort, request

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
_HASHED = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{12})(?P<suffix>\.[^./]+)?$")


@dataclass(frozen=True)
class Asset:
    """A static file: its name, its content-hashed name and its bytes."""

    name: str
    hashed: str
    digest: str
    data: bytes
    mimetype: str
    # The content encoded for browsers that accept it: {"br": …, "gzip": …} (text files only).
    encoded: dict[str, bytes]


def hashed_name(name: str, digest: str) -> str:
    """style.css + digest → style.<digest>.css (the digest before the extension, so the type stays)."""
    folder, _, base = name.rpartition("/")
    stem, dot, suffix = base.rpartition(".")
    hashed = f"{stem}.{digest}.{suffix}" if dot and stem else f"{base}.{digest}"
    return f"{folder}/{hashed}" if folder else hashed


def load_assets(directory: Path) -> dict[str, Asset]:
    """Every file under `directory`, by its plain name (posix path relative to the directory)."""
    assets = {}
    for path in sorted(directory.rglob("*")):
        if not path.is_file() or path.name.startswith("."):
            continue
        name = path.relative_to(directory).as_posix()
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()[:12]
        mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        is_text = mimetype.startswith("text/") or mimetype in ("application/javascript", "image/svg+xml",
                                                                "application/json")
        encoded = {"br": brotli.compress(data, quality=11),
                   "gzip": gzip.compress(data, compresslevel=9, mtime=0)} if is_text else {}
        assets[name] = Asset(name=name, hashed=hashed_name(name, digest), digest=digest, data=data,
                             mimetype=mimetype, encoded=encoded)
    return assets


def plain_name(filename: str) -> str:
    """The plain name behind a hashed one (style.0123456789ab.css → style.css); others unchanged."""
    folder, _, base = filename.rpartition("/")
    match = _HASHED.match(base)
    if match is None:
        return filename
    base = match["stem"] + (match["suffix"] or "")
    return f"{folder}/{base}" if folder else base


def accepted_encoding(accept_encoding: str, available: dict[str, bytes]) -> str | None:
    """brotli if the browser takes it, else gzip, else None (RFC 9110: a q of 0 refuses a coding)."""
    offered = {}
    for part in accept_encoding.lower().split(","):
        coding, _, parameters = part.strip().partition(";")
        quality = parameters.strip().removeprefix("q=")
        try:
            offered[coding.strip()] = float(quality) if quality else 1.0
        except ValueError:
            offered[coding.strip()] = 0.0
    for coding in ("br", "gzip"):
        if coding in available and offered.get(coding, offered.get("*", 0.0)) > 0:
            return coding
    return None


def init_app(app: Flask, directory: Path) -> None:
    """Serve `directory` at /static/ under hashed names, and make url_for('static') give them."""
    assets = load_assets(directory)
    by_hashed = {asset.hashed: asset for asset in assets.values()}

    def serve(filename: str):
        """A static file: for a year under its current hashed name, revalidated under any other."""
        asset = by_hashed.get(filename)
        cache = IMMUTABLE
        if asset is None:
            asset = assets.get(filename) or assets.get(plain_name(filename))
            cache = REVALIDATE
        if asset is None:
            abort(404)
        encoding = accepted_encoding(request.headers.get("Accept-Encoding", ""), asset.encoded)
        response = Response(asset.encoded[encoding] if encoding else asset.data, mimetype=asset.mimetype)
        response.headers["Cache-Control"] = cache
        response.vary.add("Accept-Encoding")
        if encoding:
            response.headers["Content-Encoding"] = encoding  # Flask-Compress leaves it as it is
        response.set_etag(f"{asset.digest}-{encoding}" if encoding else asset.digest)
        return response.make_conditional(request)

    def hashed(endpoint: str, values: dict) -> None:
        if endpoint == "static":
            asset = assets.get(values.get("filename", ""))
            if asset is not None:
                values["filename"] = asset.hashed

    app.add_url_rule("/static/<path:filename>", endpoint="static", view_func=serve)
    app.url_defaults(hashed)
    app.extensions["assets"] = assets

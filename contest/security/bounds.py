"""Bounds on what a request can carry into SQL, applied at the edge for every route.

PostgreSQL refuses a NUL in text and numbers beyond its column types with errors that would
otherwise surface as 500s: a path id of 2^70, `?agency=99999999999999999999`, `?q=%00`. Here a
path id beyond an INTEGER column is a 404, a query or form number beyond it reads as absent (as
an unparsable one does), and a NUL anywhere in the path, query or form is a 400.
"""
from flask import Flask, abort, current_app, request
from flask.wrappers import Request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # PostgreSQL INTEGER, the type of every id and count column
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def bounded_int(value) -> int:
    """int(value) for a number that fits an INTEGER column; ValueError for anything else."""
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    text = str(value).strip()
    if len(text) > 12:  # also keeps int() off a 100,000-digit string
        raise ValueError("number too long")
    number = int(text)
    if not -MAX_ID - 1 <= number <= MAX_ID:
        raise ValueError("number out of range")
    return number


class BoundedMultiDict(ImmutableMultiDict):
    """Query and form values: `type=int` gives only numbers an INTEGER column holds."""

    def get(self, key, default=None, type=None):
        """As MultiDict.get, with int bounded to the INTEGER range."""
        return super().get(key, default, bounded_int if type is int else type)

    def getlist(self, key, type=None):
        """As MultiDict.getlist, with int bounded to the INTEGER range."""
        return super().getlist(key, bounded_int if type is int else type)


class BoundedRequest(Request):
    """The request class: query and form values parsed into BoundedMultiDict."""

    parameter_storage_class = BoundedMultiDict


class BoundedIntegerConverter(IntegerConverter):
    """`<int:…>` in routes: an id too large for its column matches no row, so it is not found."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def refuse_nul() -> None:
    """400 for a NUL byte in the path, the query or a form value (PostgreSQL cannot store or compare it)."""
    if "\x00" in request.path or "%00" in request.query_string.decode("latin-1") \
            or _has_nul(request.args):
        abort(400)
    if request.mimetype in _FORM_TYPES and _has_nul(request.form):
        abort(400)


def _has_nul(values: ImmutableMultiDict) -> bool:
    return any("\x00" in key or any("\x00" in value for value in items) for key, items in values.lists())


def accepts_json(view):
    """Mark a view that reads a JSON body. Other views refuse one (415): Flask-WTF would otherwise take a JSON
    body as the form's data, numbers and lists where its validators expect text."""
    view.accepts_json = True
    return view


def refuse_stray_json() -> None:
    """415 for a JSON body sent to a view that does not read JSON (see accepts_json)."""
    if request.is_json and request.method not in ("GET", "HEAD", "OPTIONS"):
        view = current_app.view_functions.get(request.endpoint)
        if view is not None and not getattr(view, "accepts_json", False):
            abort(415)


def json_object() -> dict:
    """The request's JSON body if it is an object, else {} (a list, a number or invalid JSON)."""
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def is_whole(value, low: int = -MAX_ID - 1, high: int = MAX_ID) -> bool:
    """True for a JSON whole number (a boolean is not one) within [low, high]: an INTEGER column's by default."""
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def init_app(app: Flask) -> None:
    """Install the bounds: call before any blueprint is registered (the converter binds at that time)."""
    app.request_class = BoundedRequest
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.before_request(refuse_nul)
    app.before_request(refuse_stray_json)

"""Bounds on what a request can carry into SQL, applied at the edge for every route.

PostgreSQL refuses a NUL in text and numbers beyond its column types with errors that would
otherwise surface as 500s: a path id of 2^70, `?agency=99999999999999999999`, `?q=%00`. Here a
path id beyond an INTEGER column is a 404, a query or form number beyond it reads as absent (as
an unparsable one does), and a NUL anywhere in the path, query or form is a 400.
"""
from flask import Flask, abort, request
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


def init_app(app: Flask) -> None:
    """Install the bounds: call before any blueprint is registered (the converter binds at that time)."""
    app.request_class = BoundedRequest
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.before_request(refuse_nul)

"""Functions whose module is imported on their first call, to keep web workers' memory small.

openpyxl, python-docx (with lxml) and pypdf cost every gunicorn worker megabytes of memory, yet only
organisers' import and export pages and the CLI commands use them. A module that the application
imports at start-up therefore names what it needs from them as `deferred("module:function")`, and
the module loads the first time the function is called. This is deliberately for memory, not to
dodge an import cycle: the heavy module imports its light neighbours normally.
"""
import importlib
from collections.abc import Callable


def deferred(target: str) -> Callable:
    """A stand-in for `module:name` that imports the module when first called, then forwards to it."""
    module_name, _, name = target.partition(":")
    if not module_name or not name:
        raise ValueError(f"deferred target must be 'module:name', not {target!r}")

    def call(*args, **kwargs):
        # After the first call, import_module is a lookup in sys.modules.
        return getattr(importlib.import_module(module_name), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.__module__ = module_name
    call.__doc__ = f"{target}, imported on first call (see questions.lazy)."
    return call

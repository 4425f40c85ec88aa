"""A liveness endpoint for load balancers; it touches neither the session nor the database."""
from flask import Blueprint

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def healthz():
    """Answer "ok" while the worker is alive."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}

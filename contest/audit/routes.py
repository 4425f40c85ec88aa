"""The audit log page: who changed what, newest first."""
import sqlalchemy as sa
from flask import Blueprint, render_template, request
from sqlalchemy.orm import joinedload

from contest.accounts.access import role_required
from contest.accounts.models import Role
from contest.audit.labels import describe
from contest.audit.models import AuditEntry
from contest.extensions import db

bp = Blueprint("audit", __name__, url_prefix="/organizer/audit")
PAGE = 100


@bp.route("/")
@role_required(Role.ORGANIZER, Role.JUDGE)
def index():
    """The latest entries; ?before=ID pages back by id (keyset)."""
    query = sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(PAGE).options(joinedload(AuditEntry.user))
    before = request.args.get("before", type=int)
    if before:
        query = query.where(AuditEntry.id < before)
    entries = db.session.scalars(query).all()
    return render_template("audit/index.html", entries=[describe(entry) for entry in entries],
                           more=len(entries) == PAGE)

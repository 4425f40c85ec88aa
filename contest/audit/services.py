"""Writing the audit log."""
from contest.audit.models import AuditEntry
from contest.extensions import db


def record(user_id: int | None, action: str, target_type: str = "", target_id: int | None = None,
           **details) -> AuditEntry:
    """Log an organizer's or judge's action in the current transaction (it commits with the change)."""
    entry = AuditEntry(user_id=user_id, action=action, target_type=target_type, target_id=target_id,
                       details={key: value if isinstance(value, (int, float, str, bool, type(None))) else str(value)
                                for key, value in details.items()})
    db.session.add(entry)
    return entry

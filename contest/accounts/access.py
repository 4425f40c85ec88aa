"""Access rules for views: anonymous visitors log in, the wrong role gets 403."""
from functools import wraps

from flask import abort, current_app
from flask_login import current_user, login_required

from contest.accounts import sessions
from contest.accounts.models import Role
from contest.database import utcnow


def viewer_required(view):
    """login_required for the pages every contestant opens at once (their paper, their result): the
    signed-in account is read as a Viewer (its few columns and the log-in's liveness, one Core query;
    accounts.sessions.viewer), not loaded as an object. The view must not change the account."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not sessions.viewer(utcnow()).is_authenticated:
            return current_app.login_manager.unauthorized()
        return view(*args, **kwargs)

    return wrapped


def role_required(*roles: Role):
    """Allow the view only to logged-in users holding one of `roles` (admins pass everywhere)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator

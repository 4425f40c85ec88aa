"""Access rules for views: anonymous visitors log in, the wrong role gets 403."""
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from contest.accounts.models import Role


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

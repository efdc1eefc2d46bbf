"""The decorator that lets a route run only for a logged-in user holding a right."""
from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def requires(right: str):
    """Let the view run only for a logged-in user holding `right`; 403 otherwise."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.can(right):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_right = right
        return wrapped

    return decorator

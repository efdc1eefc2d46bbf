"""Login: who is logged in, how sessions end."""
from flask import Blueprint, Flask, flash, redirect, request, url_for
from flask_babel import gettext as _

from ..extensions import login_manager
from ..htmx import is_partial
from ..models import User
from ..services.sessions import session_user

bp = Blueprint("auth", __name__)


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(session_key: str) -> User | None:
        """The user of the cookie's server-side session, unless that session is over or the user deactivated."""
        return session_user(session_key)

    @login_manager.unauthorized_handler
    def unauthorized():
        """A page redirects to the login; an htmx request asks the browser to go there."""
        target = url_for("auth.login", next=request.full_path if request.method == "GET" else None)
        if is_partial():
            return "", 401, {"HX-Redirect": target}
        flash(_("Veuillez vous connecter pour accéder à cette page."), "info")
        return redirect(target)


from . import account_routes, routes  # noqa: E402,F401  (register their views on bp)

"""Login: who is logged in, how sessions end."""
from flask import Blueprint, Flask, flash, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db, login_manager
from ..htmx import is_partial
from ..models import Role, User

bp = Blueprint("auth", __name__)


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        """The session's user in one statement (roles, rights, entities), unless deactivated or the session predates a password change."""
        user_id, _sep, version = session_id.partition(":")
        if not user_id.isdigit() or not version.isdigit():
            return None
        user = db.session.scalars(
            select(User)
            .where(User.id == int(user_id))
            .options(joinedload(User.roles).joinedload(Role.rights), joinedload(User.entities))
        ).unique().first()
        if user is None or not user.is_active or user.session_version != int(version):
            return None
        return user

    @login_manager.unauthorized_handler
    def unauthorized():
        """A page redirects to the login; an htmx request asks the browser to go there."""
        target = url_for("auth.login", next=request.full_path if request.method == "GET" else None)
        if is_partial():
            return "", 401, {"HX-Redirect": target}
        flash(_("Veuillez vous connecter pour accéder à cette page."), "info")
        return redirect(target)


from . import routes  # noqa: E402,F401  (registers its views on bp)

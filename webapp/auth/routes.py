"""Login and logout pages, and the choices a user makes for themselves (language, remembered screen state)."""
import json

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..htmx import is_partial
from ..return_urls import local_url
from ..services import preferences
from ..services.accounts import authenticate
from ..services.sessions import end_session, start_session
from . import bp
from .forms import LoginForm


def _safe_next(target: str | None) -> str:
    """Only a path on this site, never another host; else the contacts list."""
    return local_url(target, url_for("contacts.index"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form; log the user in with a fresh session."""
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 422 if form.is_submitted() else 200
    result = authenticate(form.email.data, form.password.data)
    if result.user is None:
        if result.locked_until:
            message = _("Trop de tentatives échouées. Réessayez après %(time)s.",
                        time=format_datetime(result.locked_until, "HH:mm"))
        else:
            message = _("Adresse e-mail ou mot de passe incorrect.")
        form.form_errors.append(message)
        return render_template("auth/login.html", form=form), 429 if result.locked_until else 422
    session.clear()  # a new session: nothing from before the login survives
    start_session(result.user, request.user_agent.string)
    login_user(result.user)
    session.permanent = True
    return redirect(_safe_next(request.args.get("next")))


@bp.post("/logout")
@login_required
def logout():
    """End the session, on the server too: a copy of the cookie taken before no longer opens anything."""
    end_session(current_user.session_key)
    logout_user()
    session.clear()
    flash(_("Vous êtes déconnecté."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/account/language")
@login_required
def set_language():
    """Remember the user's language (français or English) and show the same page in it."""
    language = request.form.get("language")
    if language in current_app.config["LANGUAGES"]:
        current_user.language = language
    return redirect(_safe_next(request.form.get("next")))


@bp.post("/account/preferences/<key>")
@login_required
def set_preference(key: str):
    """Remember one screen choice (its `value` is JSON: true, a list of column keys...); 204 for htmx, else back."""
    try:
        value = json.loads(request.form.get("value", ""))
    except ValueError:
        value = None
    if not preferences.put(current_user.id, key, value):
        return _("Ce choix ne peut pas être enregistré."), 422
    if is_partial():
        return "", 204
    return redirect(_safe_next(request.form.get("next")))

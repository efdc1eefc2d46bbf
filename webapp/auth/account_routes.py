"""Mon compte: who the user is, and the app passwords their phones sync the address book (CardDAV) with."""
import io
from urllib.parse import quote

import segno
from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from ..htmx import is_partial, render, toast
from ..form_fields import parse_id
from ..services import app_passwords, carddav_settings
from . import bp
from .forms import AppPasswordForm

WELL_KNOWN = "/.well-known/carddav"


@bp.get("/account")
@login_required
def account():
    """Show the user's name, e-mail and the devices syncing their address book; htmx may ask for that section."""
    block = "carddav" if request.headers.get("HX-Target") == "carddav" else None
    return render("auth/account.html", block, **_context(AppPasswordForm(formdata=None)))


@bp.post("/account/app-passwords")
@login_required
def create_app_password():
    """Create a password for one device and show its secret and QR code this once (never cached)."""
    form = AppPasswordForm()
    created = None
    if form.validate_on_submit():
        try:
            password, secret = app_passwords.create(current_user, form.label.data)
        except app_passwords.AppPasswordError as error:
            form.label.errors = [*form.label.errors, error.message]
        else:
            created = {"label": password.label, "secret": secret, "qr": _qr_svg(_setup_url(secret))}
            form = AppPasswordForm(formdata=None)
    body = render("auth/account.html", "carddav", **_context(form, created))
    response = make_response(body, 200 if created else 422)
    response.headers["Cache-Control"] = "no-store"  # the secret must stay in no cache, not even the browser's
    return response


@bp.route("/account/app-passwords/<id:password_id>/revoke", methods=["GET", "POST"])
@login_required
def revoke_app_password(password_id: int):
    """Revoke a device's password once confirmed (an in-page dialog, or a page without JavaScript)."""
    password = app_passwords.get_active(current_user, password_id)
    if password is None:
        abort(404)  # not the user's, or revoked already
    if request.method == "GET":
        template = "partials/auth/_revoke_dialog.html" if is_partial() else "auth/revoke.html"
        return render_template(template, password=password)
    label = password.label
    app_passwords.revoke(current_user, password.id)
    message = _("Le mot de passe « %(label)s » est révoqué : cet appareil ne se synchronise plus.", label=label)
    if not is_partial():
        flash(message, "success")
        return redirect(url_for(".account"))
    body = render_template("partials/auth/_carddav.html", **_context(AppPasswordForm(formdata=None)))
    # The dialog closes: its slot is emptied out of band.
    return toast(make_response(body + '<div id="dialog-slot" hx-swap-oob="true"></div>'), message)


@bp.post("/account/carddav-account")
@login_required
def set_carddav_account():
    """Choose the account of the contacts created on a phone whose company the CRM does not know (or none)."""
    typed = request.form.get("client_id", "").strip()
    chosen = parse_id(typed)
    if (typed and chosen is None) or not carddav_settings.set_default_account(current_user, chosen):
        return _("Ce compte n'est pas dans vos comptes."), 422
    message = _("Compte par défaut enregistré.")
    if not is_partial():
        flash(message, "success")
        return redirect(url_for(".account"))
    return toast(make_response(render("auth/account.html", "carddav", **_context(AppPasswordForm(formdata=None)))),
                 message)


def _context(form: AppPasswordForm, created: dict | None = None) -> dict:
    return {"form": form, "created": created, "passwords": app_passwords.active_for(current_user),
            "server_url": request.host_url.rstrip("/") + WELL_KNOWN,
            "default_account": carddav_settings.default_account(current_user),
            "account_choices": carddav_settings.account_choices(current_user)}


def _setup_url(secret: str) -> str:
    """The address DAVx⁵'s "login with URL" reads: the e-mail and the secret in it, percent-encoded."""
    credentials = f"{quote(current_user.email, safe='')}:{quote(secret, safe='')}"
    return f"{request.scheme}://{credentials}@{request.host}{WELL_KNOWN}"


def _qr_svg(payload: str) -> Markup:
    """The QR code of the setup address, as an inline <svg> (never a URL of its own: it holds the secret)."""
    out = io.BytesIO()
    segno.make(payload, error="m", micro=False).save(
        out, kind="svg", scale=4, border=2, dark="#000", light="#fff", xmldecl=False, svgns=True,
        omitsize=True, svgclass="qr-code", title=_("Code QR de configuration"))
    return Markup(out.getvalue().decode())  # segno's markup: paths and the title above, nothing typed by a user

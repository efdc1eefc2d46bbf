"""Editing in place from the list: Nom, Prénom, Fonction, Téléphone, Mobile, Fax and Affecté à."""
import json

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from .. import rights
from ..access import requires
from ..extensions import db
from ..htmx import is_partial, toast
from ..models import User
from ..queries import ContactQuery
from ..return_urls import referrer_url
from ..scope import get_contact_or_404
from ..services.contacts import StaleContactError, update_contact
from . import bp, rules
from .choices import owner_choices
from .saving import changes_since

INLINE_FIELDS = {"last_name": _l("Nom"), "first_name": _l("Prénom"), "function": _l("Fonction"),
                 "phone": _l("Téléphone"), "mobile": _l("Mobile"), "fax": _l("Fax"), "owner_id": _l("Affecté à")}
REQUIRED = {"last_name", "first_name", "function"}


@bp.get("/contacts/<int:contact_id>/row")
@requires(rights.CONTACTS_LIST)
def row(contact_id):
    """The contact's list row as it is now (Esc while editing in place)."""
    return _row_response(contact_id)


@bp.get("/contacts/<int:contact_id>/cells/<field>")
@requires(rights.CONTACTS_EDIT)
def edit_cell(contact_id, field):
    """The row with one cell turned into an editor."""
    if field not in INLINE_FIELDS:
        abort(404)
    return _row_response(contact_id, editing=field)


@bp.post("/contacts/<int:contact_id>/cells/<field>")
@requires(rights.CONTACTS_EDIT)
def save_cell(contact_id, field):
    """Save one cell; the row comes back re-rendered, or with the error (422) or the conflict (409) in the cell."""
    if field not in INLINE_FIELDS:
        abort(404)
    contact = get_contact_or_404(current_user, contact_id)
    raw = request.form.get("value", "")
    plain = not is_partial()  # submitted before htmx took the form over: save, then back to the list
    value, error = _checked(field, raw)
    version = request.form.get("version", "")
    if error:
        if plain:
            flash(error, "error")
            return redirect(_list_url())
        return _row_response(contact_id, editing=field, value=raw, error=error, status=422)
    try:
        changes = update_contact(contact, {field: value}, int(version) if version.isdigit() else -1,
                                 current_user.id, "inline")
        db.session.commit()
    except StaleContactError:
        db.session.rollback()
        entries = changes_since(contact_id, int(version) if version.isdigit() else 0)
        who = entries[0].user.display_name if entries and entries[0].user else _("quelqu'un")
        message = _("Modifié entre-temps par %(who)s. Valeur actuelle : « %(current)s ». "
                    "Entrée pour enregistrer la vôtre quand même, Échap pour annuler.",
                    who=who, current=_display(field, getattr(db.session.get(type(contact), contact_id), field)))
        if plain:
            flash(message, "error")
            return redirect(_list_url())
        return _row_response(contact_id, editing=field, value=raw, error=message, status=409)
    if plain:
        flash(_("%(field)s enregistré.", field=INLINE_FIELDS[field]), "success")
        return redirect(_list_url())
    response = _row_response(contact_id)
    warning = rules.phone_warning(value or "") if field in ("phone", "mobile", "fax") else None
    if changes.fields:
        toast(response, warning or _("%(field)s enregistré.", field=INLINE_FIELDS[field]), "info" if warning else
              "success")
    # After the swap (the edited row is replaced), so that focus can go back to the new cell.
    response.headers["HX-Trigger-After-Settle"] = json.dumps({"cell-saved": {"id": contact_id, "field": field}})
    return response


@bp.get("/contacts/<int:contact_id>/menu")
@requires(rights.CONTACTS_LIST)
def row_menu(contact_id):
    """The entries of a row's "Plus d'actions" menu, loaded when it opens."""
    if not is_partial():
        return redirect(url_for("contacts.show", contact_id=get_contact_or_404(current_user, contact_id).id))
    row = ContactQuery.row_for(current_user, contact_id)
    if row is None:
        abort(404)
    return render_template("partials/contacts/_row_menu_items.html", row=row)


def _checked(field: str, raw: str):
    """(value to store, error message) for one cell."""
    if field == "owner_id":
        if not raw:
            return None, None
        if not raw.isdigit() or not db.session.scalar(select(User.id).where(User.id == int(raw), User.active)):
            return None, _("Choisissez un commercial de la liste.")
        return int(raw), None
    value = rules.clean_line(raw)
    if field in REQUIRED and not value:
        return None, _("Ce champ est obligatoire.")
    if error := rules.length_error(field, value):
        return None, error
    return value or None, None


def _display(field, value):
    if field == "owner_id" and value:
        user = db.session.get(User, value)
        return user.display_name if user else ""
    return value or ""


def _list_url() -> str:
    """The list the request came from (same site only), else the list."""
    list_path = url_for("contacts.index")
    return referrer_url(list_path, under=list_path)


def _row_response(contact_id, editing=None, value=None, error=None, status=200):
    if not is_partial():  # a fragment URL opened as a page: show the contact's record instead
        get_contact_or_404(current_user, contact_id)
        return redirect(url_for("contacts.show", contact_id=contact_id))
    row = ContactQuery.row_for(current_user, contact_id)
    if row is None:
        abort(404)
    owners = owner_choices(row.owner_id) if editing == "owner_id" else None
    html = render_template("partials/contacts/_row.html", row=row, editing=editing, edit_value=value,
                           edit_error=error, owners=owners, inline_labels=INLINE_FIELDS)
    return make_response(html, status)

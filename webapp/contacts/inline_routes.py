"""Editing in place from the list: Nom, Prénom, Fonction, Téléphone, Mobile, Fax and Affecté à."""
import json

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import rights, rules
from ..access import requires
from ..extensions import db
from ..form_fields import parse_id
from ..htmx import is_partial, toast
from ..models import Contact
from ..problem_messages import message
from ..queries import INLINE_FIELDS, ContactQuery
from ..return_urls import referrer_url
from ..rules import Problem
from ..scope import get_contact_or_404
from ..services.contacts import Usage, write_contact
from . import bp
from .choices import owner_choices
from .saving import changes_since, parse_version, readable

_UNREADABLE = object()
PHONE_FIELDS = ("phone", "mobile", "fax")

# The toast after a cell is saved: one sentence per field, so that it agrees with the field ("Fonction enregistrée.").
SAVED = {"last_name": _l("Nom enregistré."), "first_name": _l("Prénom enregistré."),
         "function": _l("Fonction enregistrée."), "phone": _l("Téléphone enregistré."),
         "mobile": _l("Mobile enregistré."), "fax": _l("Fax enregistré."), "owner_id": _l("Affectation enregistrée.")}


@bp.get("/contacts/<id:contact_id>/row")
@requires(rights.CONTACTS_LIST)
def row(contact_id):
    """The contact's list row as it is now (Esc while editing in place)."""
    return _row_response(contact_id)


@bp.get("/contacts/<id:contact_id>/cells/<field>")
@requires(rights.CONTACTS_EDIT)
def edit_cell(contact_id, field):
    """The row with one cell turned into an editor."""
    if field not in INLINE_FIELDS:
        abort(404)
    return _row_response(contact_id, editing=field)


@bp.post("/contacts/<id:contact_id>/cells/<field>")
@requires(rights.CONTACTS_EDIT)
def save_cell(contact_id, field):
    """Save one cell; the row comes back re-rendered, or with the error (422) or the conflict (409) in the cell."""
    if field not in INLINE_FIELDS:
        abort(404)
    contact = get_contact_or_404(current_user, contact_id)
    raw, version = request.form.get("value", ""), request.form.get("version", "")
    value = _parsed(field, raw)
    if value is _UNREADABLE:
        return _refused(contact_id, field, raw, message(Problem(field, "owner_unknown")), 422)
    # A number phonenumbers cannot read is refused here unless the user confirms it ("Enregistrer tel quel"):
    # in a cell, a typo is likelier than a number from elsewhere. The form keeps it with a warning.
    if field in PHONE_FIELDS and not request.form.get("as_typed") and rules.phone_problem(field, value,
                                                                                          contact.country):
        return _refused(contact_id, field, raw, message(Problem(field, "phone_unconfirmed")), 422, confirm=True)
    # A cell has no "this is another person" step: the same-name confirmation stays the form's.
    result = write_contact({field: value}, current_user, "inline", contact,
                           parse_version(version), same_name_confirmed=True)
    if result.stale:
        return _refused(contact_id, field, raw, _stale_message(contact_id, field, version), 409)
    if result.problems:
        return _refused(contact_id, field, raw, message(result.problems[0]), 422)
    if not is_partial():  # submitted before htmx took the form over: save, then back to the list
        flash(_saved_message(field), "success")
        return redirect(_list_url())
    response = _row_response(contact_id)
    warning = message(result.warnings[0]) if result.warnings else None
    if result.changes:
        toast(response, warning or _saved_message(field), "info" if warning else "success")
    # After the swap (the edited row is replaced), so that focus can go back to the new cell.
    response.headers["HX-Trigger-After-Settle"] = json.dumps({"cell-saved": {"id": contact_id, "field": field}})
    return response


@bp.get("/contacts/<id:contact_id>/menu")
@requires(rights.CONTACTS_LIST)
def row_menu(contact_id):
    """The entries of a row's "Plus d'actions" menu, loaded when it opens."""
    if not is_partial():
        return redirect(url_for("contacts.show", contact_id=get_contact_or_404(current_user, contact_id).id))
    row = ContactQuery.row_for(current_user, contact_id)
    if row is None:
        abort(404)
    usage = Usage(row.tasks, row.opportunities, row.proposals, row.deals)
    return render_template("partials/contacts/_row_menu_items.html", row=row, usage=usage)


def _saved_message(field: str) -> str:
    return str(SAVED.get(field) or _("Modification enregistrée."))


def _refused(contact_id: int, field: str, raw: str, error: str, status: int, confirm: bool = False):
    """The cell's editor again with the error (and `confirm`: the button that saves it as typed), or the list
    with the error flashed for a plain request."""
    if not is_partial():
        flash(error, "error")
        return redirect(_list_url())
    return _row_response(contact_id, editing=field, value=raw, error=error, status=status, confirm=confirm)


def _stale_message(contact_id: int, field: str, version: str) -> str:
    """Who saved the contact since the user's version, and the cell's value now."""
    entries = changes_since(contact_id, parse_version(version))
    who = entries[0].user.display_name if entries and entries[0].user else _("quelqu'un")
    return _("Modifié entre-temps par %(who)s. Valeur actuelle : « %(current)s ». "
             "Entrée pour enregistrer la vôtre quand même, Échap pour annuler.",
             who=who, current=readable(field, getattr(db.session.get(Contact, contact_id), field), current_user))


def _parsed(field: str, raw: str):
    """The value one cell's text stands for (the service checks it); _UNREADABLE for an owner that is no id."""
    if field == "owner_id":
        if not raw:
            return None
        return parse_id(raw) or _UNREADABLE
    return rules.clean_line(raw) or None


def _list_url() -> str:
    """The list the request came from (same site only), else the list."""
    list_path = url_for("contacts.index")
    return referrer_url(list_path, under=list_path)


def _row_response(contact_id, editing=None, value=None, error=None, status=200, confirm=False):
    if not is_partial():  # a fragment URL opened as a page: show the contact's record instead
        get_contact_or_404(current_user, contact_id)
        return redirect(url_for("contacts.show", contact_id=contact_id))
    row = ContactQuery.row_for(current_user, contact_id)
    if row is None:
        abort(404)
    owners = owner_choices(row.owner_id) if editing == "owner_id" else None
    html = render_template("partials/contacts/_row.html", row=row, editing=editing, edit_value=value,
                           edit_error=error, owners=owners, inline_labels=INLINE_FIELDS, confirm_as_typed=confirm)
    return make_response(html, status)

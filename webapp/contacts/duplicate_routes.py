"""Doublons possibles: the groups of contacts that may be one person, and "Ce ne sont pas des doublons"."""
from flask import flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import rights
from ..access import requires
from ..errors import render_error
from ..htmx import is_partial, render, toast
from ..return_urls import local_url
from ..rules import parse_id
from ..scope import get_contact_or_404
from ..services import duplicates
from . import bp



@bp.get("/contacts/duplicates")
@requires(rights.CONTACTS_LIST)
def duplicates_index():
    """The groups of possible duplicates the user may see, strongest first, a page at a time (?contact= keeps the
    groups of one contact)."""
    contact = None
    if raw := request.args.get("contact"):
        contact_id = parse_id(raw)
        contact = get_contact_or_404(current_user, contact_id) if contact_id else None
    page = parse_id(request.args.get("page")) or 1
    result = duplicates.group_page(current_user, page, contact.id if contact else None)
    return render("contacts/duplicates.html", result=result, contact=contact,
                  can_merge=current_user.can(rights.CONTACTS_MERGE))


@bp.post("/contacts/duplicates/dismiss")
@requires(rights.CONTACTS_EDIT)
def dismiss_duplicates():
    """Ce ne sont pas des doublons: the group's contacts are remembered as different people and the group hides."""
    ids = [number for value in request.form.getlist("ids") if (number := parse_id(value))]
    if not 2 <= len(set(ids)) <= duplicates.MAX_GROUP:
        return render_error(422, _("Choisissez de 2 à %(n)d contacts.", n=duplicates.MAX_GROUP))
    duplicates.dismiss(current_user, ids)
    message = _("Ces contacts ne seront plus proposés comme doublons.")
    if is_partial():
        return toast(make_response(""), message)
    flash(message, "success")
    back = url_for("contacts.duplicates_index")
    return redirect(local_url(request.form.get("back"), back, under=back))

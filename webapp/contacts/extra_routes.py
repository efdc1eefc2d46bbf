"""The record's extra screens on the contacts blueprint: photo, vCard QR code, skills and mailing-list dialogs."""
from flask import abort, make_response, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from .. import rights
from ..access import requires
from ..dialogs import form_response, saved
from ..extensions import db
from ..models import ContactPhoto
from ..return_urls import local_url
from ..scope import get_contact_or_404
from ..services import contact_extras as service
from . import bp
from .extra_forms import SkillsForm, SubscriptionsForm
from .record import qr_svg


@bp.get("/contacts/<id:contact_id>/photo")
@requires(rights.CONTACTS_LIST)
def photo(contact_id: int):
    """The contact's photo (?thumb=1: its 96-pixel thumbnail), revalidated by its date."""
    contact = get_contact_or_404(current_user, contact_id)
    column = ContactPhoto.thumbnail if request.args.get("thumb") == "1" else ContactPhoto.data
    row = db.session.execute(select(column, ContactPhoto.mime, ContactPhoto.updated_at)
                             .where(ContactPhoto.contact_id == contact.id)).first()
    if row is None:
        abort(404)
    data, mime, updated_at = row
    response = make_response(data)
    response.headers["Content-Type"] = mime if mime in ("image/jpeg", "image/png", "image/webp", "image/gif") else (
        "application/octet-stream")
    response.headers["X-Content-Type-Options"] = "nosniff"
    size = "thumb" if column is ContactPhoto.thumbnail else "full"
    response.set_etag(f"{contact.id}-{int(updated_at.timestamp() * 1000)}-{size}")
    response.last_modified = updated_at
    response.cache_control.private = True
    response.cache_control.no_cache = True  # kept in the browser, asked again with If-None-Match
    return response.make_conditional(request)


@bp.get("/contacts/<id:contact_id>/qrcode.svg")
@requires(rights.CONTACTS_LIST)
def qrcode(contact_id: int):
    """A QR code of the contact's vCard: a phone's camera adds the contact from it."""
    response = make_response(qr_svg(get_contact_or_404(current_user, contact_id)))
    response.headers["Content-Type"] = "image/svg+xml"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.route("/contacts/<id:contact_id>/skills", methods=["GET", "POST"])
@requires(rights.CONTACTS_EDIT)
def skills(contact_id: int):
    """Choose the contact's skills (Environnement / compétences), grouped by category and searchable."""
    contact = get_contact_or_404(current_user, contact_id)
    form = SkillsForm(contact=contact)
    next_url = local_url(request.args.get("next"), url_for("contacts.show", contact_id=contact.id))
    if form.validate_on_submit():
        changed = service.set_skills(contact, form.skill_ids.data, current_user.id, before=form.before.data)
        message = (_("Les compétences de %(name)s ont été enregistrées.", name=contact.display_name) if changed
                   else _("Aucun changement."))
        return saved(message, next_url, "contacts-changed" if changed else None)
    return form_response("partials/record/_skills_form.html",
                         _("Environnement / compétences · %(name)s", name=contact.display_name), form, next_url,
                         contact=contact, action=url_for(".skills", contact_id=contact.id,
                                                         next=request.args.get("next")))


@bp.route("/contacts/<id:contact_id>/subscriptions", methods=["GET", "POST"])
@requires(rights.MAILING_LISTS)
def subscriptions(contact_id: int):
    """Subscribe the contact to mailing lists or unsubscribe it, from a date; only with an e-mail address."""
    contact = get_contact_or_404(current_user, contact_id)
    form = SubscriptionsForm(contact=contact)
    next_url = local_url(request.args.get("next"), url_for("contacts.show", contact_id=contact.id))
    title = _("Abonnements aux listes de diffusion · %(name)s", name=contact.display_name)
    if not (contact.email or "").strip():
        return form_response("partials/record/_no_email.html", title, None, next_url, status=409, contact=contact)
    if form.validate_on_submit():
        offered = [item.id for item, _subscription in form.lists]
        changed = service.set_subscriptions(contact, form.list_ids.data, offered, form.since.data, current_user.id,
                                            before=form.before.data)
        message = (_("Les abonnements de %(name)s ont été enregistrés.", name=contact.display_name) if changed
                   else _("Aucun changement."))
        return saved(message, next_url, "contacts-changed" if changed else None)
    return form_response("partials/record/_subscriptions_form.html", title, form, next_url, contact=contact,
                         action=url_for(".subscriptions", contact_id=contact.id, next=request.args.get("next")))

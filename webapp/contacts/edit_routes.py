"""Add, edit, duplicate and delete contacts: a dialog over the list, or a full page without JavaScript."""
from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import rights
from ..access import requires
from ..dialogs import remember, repeat_of, saved
from ..htmx import is_partial, toast, trigger
from ..scope import get_contact_or_404
from ..errors import render_error
from ..form_fields import parse_id
from ..models import Contact
from ..services.contacts import ContactInUseError, delete_contact, duplicated_values, usage_of, write_contact
from . import bp
from .choices import client_choices, fill_choices
from .forms import ContactForm
from .saving import Outcome, duplicate_source, parse_version, save_contact

@bp.route("/contacts/new", methods=["GET", "POST"])
@requires(rights.CONTACTS_EDIT)
def new():
    """Add a contact (Ajouter); `?client=` preselects the account."""
    form = ContactForm()
    if request.method == "GET":
        if client_id := parse_id(request.args.get("client")):
            form.client_id.data = client_id
        if current_user.is_salesperson:  # a salesperson's new contact is theirs, as an import's contacts are
            form.owner_id.data = current_user.id
    if (earlier := repeat_of(form, Contact)) is not None:  # a double submit: the first one's answer
        return _saved(Outcome(contact=earlier), created=True)
    return _form_response(form, None, _("Ajout d'un contact"), url_for("contacts.new"))


@bp.route("/contacts/<id:contact_id>/edit", methods=["GET", "POST"])
@requires(rights.CONTACTS_EDIT)
def edit(contact_id):
    """Edit a contact (Mettre à jour); refused with the changes shown when someone saved in between."""
    contact = get_contact_or_404(current_user, contact_id)
    form = ContactForm(obj=contact) if request.method == "GET" else ContactForm()
    if request.method == "GET":
        form.version.data = contact.version
        for entry, link in zip(form.links, contact.links, strict=False):
            entry.form.kind.data, entry.form.url.data = link.kind, link.url
        while len(form.links) < len(contact.links):
            link = contact.links[len(form.links)]
            form.links.append_entry({"kind": link.kind, "url": link.url})
    return _form_response(form, contact, _("Modification de %(name)s", name=contact.display_name),
                          url_for("contacts.edit", contact_id=contact.id))


@bp.get("/contacts/<id:contact_id>/duplicate")
@requires(rights.CONTACTS_EDIT)
def duplicate(contact_id):
    """The add form filled with every value of a contact but its e-mail, UID and photo (skills, lists and links
    included), for a colleague at the same client; the dialog says what was not copied."""
    source = get_contact_or_404(current_user, contact_id)
    form = ContactForm(formdata=None, data=duplicated_values(source), duplicate_of=source.id,
                       links=[{"kind": link.kind, "url": link.url} for link in source.links])
    return _form_response(form, None, _("Dupliquer le contact %(name)s", name=source.display_name),
                          url_for("contacts.new"))


def _form_response(form: ContactForm, contact, title: str, action: str):
    """Validate and save on POST; render the dialog, the form alone, or the page, with the right status."""
    fill_choices(form, current_user, contact.client_id if contact else None)
    outcome, status = None, 200
    if request.method == "POST":
        valid = form.validate()
        outcome = save_contact(form, current_user, contact, request.files.get("photo")) if valid else None
        if outcome and outcome.saved:
            if contact is None:
                remember(form, outcome.contact)
            return _saved(outcome, created=contact is None)
        status = 409 if outcome and outcome.conflict is not None else 422
        if outcome and outcome.conflict is not None:
            form.version.data = outcome.contact.version  # saving again applies the user's values on top
    context = dict(form=form, contact=contact, title=title, action=action, in_dialog=is_partial(),
                   duplicate=duplicate_source(form, current_user) if contact is None else None,
                   conflict=outcome.conflict if outcome else None, same_name=outcome.same_name if outcome else [],
                   phone_warnings=form.phone_warnings() if request.method == "POST" else {},
                   cancel_url=url_for("contacts.show", contact_id=contact.id) if contact else url_for("contacts.index"))
    if is_partial():
        template = "partials/contacts/_form.html" if request.method == "POST" else "partials/contacts/_form_dialog.html"
        return render_template(template, **context), status
    return render_template("contacts/form.html", **context), status


def _saved(outcome, created: bool):
    """After a save: the dialog closes, the list refreshes and a toast says so; without htmx, the record opens."""
    name = outcome.contact.display_name
    message = _("Contact %(name)s créé.", name=name) if created else _("Contact %(name)s enregistré.", name=name)
    if outcome.warnings:
        message += " " + " ".join(outcome.warnings)
    return saved(message, url_for("contacts.show", contact_id=outcome.contact.id), detail={"id": outcome.contact.id},
                 level="info" if outcome.warnings else "success")


@bp.get("/contacts/client-options")
@requires(rights.CONTACTS_EDIT)
def client_options():
    """The client select's options for what was typed in its search box."""
    current = parse_id(request.args.get("client_id"))
    choices = client_choices(current_user, request.args.get("client_search", ""), current)
    return render_template("partials/contacts/_client_options.html", choices=choices, selected=current)


@bp.route("/contacts/<id:contact_id>/delete", methods=["GET", "POST"])
@requires(rights.CONTACTS_DELETE)
def delete(contact_id):
    """Supprimer le contact: only while it is unused, after a confirmation; otherwise say why."""
    contact = get_contact_or_404(current_user, contact_id)
    usage = usage_of([contact.id])[contact.id]
    if request.method == "POST" and not usage.used:
        name = contact.display_name
        try:
            delete_contact(contact, current_user.id, "form")
        except ContactInUseError as error:  # used between the confirmation and now
            usage = error.usage
        else:
            return _deleted(name)
    template = "partials/contacts/_delete_dialog.html" if is_partial() else "contacts/delete.html"
    status = 409 if request.method == "POST" and usage.used else 200
    return render_template(template, contact=contact, usage=usage), status


def _deleted(name: str):
    message = _("Contact %(name)s supprimé.", name=name)
    if not is_partial():
        flash(message, "success")
        return redirect(url_for("contacts.index"))
    response = make_response("")
    toast(response, message)
    return trigger(response, "contacts-changed")


@bp.post("/contacts/<id:contact_id>/left")
@requires(rights.CONTACTS_EDIT)
def mark_left(contact_id):
    """A quitté l'entreprise: the contact becomes inactive (offered instead of deleting a used contact)."""
    contact = get_contact_or_404(current_user, contact_id)
    result = write_contact({"left_company": True}, current_user, "form", contact,
                           parse_version(request.form.get("version")))
    if result.stale:
        return render_error(409)
    message = _("%(name)s est marqué comme ayant quitté l'entreprise.", name=contact.display_name)
    if not is_partial():
        flash(message, "success")
        return redirect(url_for("contacts.show", contact_id=contact.id))
    response = make_response("")
    toast(response, message)
    return trigger(response, "contacts-changed", {"id": contact.id})

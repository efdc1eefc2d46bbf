"""Client accounts: the list with its search, the Fiche du compte with its contacts, create, edit, archive."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from .. import rights
from ..access import requires
from ..dialogs import remember, repeat_of
from ..htmx import render
from ..models import Client
from ..queries import ContactQuery
from ..scope import client_visible, get_client_or_404
from ..services import clients as service
from . import bp
from .forms import ClientForm
from .search import ClientSearch


@bp.get("/clients")
@requires(rights.CONTACTS_LIST)
def index():
    """List the accounts the user may see, searched by name, SIREN or city; htmx asks for the results only."""
    search = ClientSearch.from_args(request.args).load(current_user)
    block = "results" if request.headers.get("HX-Target") == "clients-results" else None
    return render("clients/index.html", block, search=search)


@bp.get("/clients/<id:client_id>")
@requires(rights.CONTACTS_LIST)
def show(client_id):
    """The Fiche du compte: its facts and its contacts in the list's rows (refreshed by htmx after a save)."""
    client = get_client_or_404(current_user, client_id)
    query = ContactQuery.from_args(MultiDict({"client": str(client.id), "archived": "include", "active": "all",
                                              "per_page": "200"}))
    block = "contacts" if request.headers.get("HX-Target") == "client-contacts" else None
    return render("clients/show.html", block, client=client, query=query, result=query.page_of_rows(current_user))


@bp.route("/clients/new", methods=["GET", "POST"])
@requires(rights.CLIENTS_EDIT)
def new():
    """Create an account in the user's entities."""
    form = ClientForm(user=current_user)
    if (client := repeat_of(form, Client)) is None and form.validate_on_submit() and _no_duplicate(form):
        client = remember(form, service.create_client(form.values(), form.entity_values(), current_user.id))
    if client is not None:  # created now, or by an earlier submit of this form (a double click, a retry)
        flash(_("Le compte « %(name)s » a été créé.", name=client.name), "success")
        return redirect(url_for(".show", client_id=client.id))
    return _form_page(form, _("Nouveau compte client"), url_for(".new"), url_for(".index"))


@bp.route("/clients/<id:client_id>/edit", methods=["GET", "POST"])
@requires(rights.CLIENTS_EDIT)
def edit(client_id):
    """Edit an account; a new name is carried to its contacts' sorting and search."""
    client = get_client_or_404(current_user, client_id)
    form = ClientForm(user=current_user, client=client)
    if form.validate_on_submit() and _no_duplicate(form, client.id):
        service.update_client(client, form.values(), form.entity_values(), current_user.id)
        flash(_("Le compte « %(name)s » a été enregistré.", name=client.name), "success")
        return redirect(url_for(".show", client_id=client.id))
    return _form_page(form, _("Modifier le compte · %(name)s", name=client.name),
                      url_for(".edit", client_id=client.id), url_for(".show", client_id=client.id))


@bp.post("/clients/<id:client_id>/archive")
@requires(rights.CLIENTS_EDIT)
def archive(client_id):
    """Archive an account: its contacts leave the default list."""
    return _set_archived(client_id, True, _("Le compte « %(name)s » est archivé."))


@bp.post("/clients/<id:client_id>/restore")
@requires(rights.CLIENTS_EDIT)
def restore(client_id):
    """Bring an archived account back."""
    return _set_archived(client_id, False, _("Le compte « %(name)s » est de nouveau actif."))


def _set_archived(client_id: int, archived: bool, message: str):
    """Archive or restore, then back to the account's record with a message."""
    client = get_client_or_404(current_user, client_id)
    service.set_archived(client, archived, current_user.id)
    flash(message % {"name": client.name}, "success")
    return redirect(url_for(".show", client_id=client.id))


def _no_duplicate(form: ClientForm, exclude_id: int | None = None) -> bool:
    """Warn when a visible account already has this name (accents and case ignored), unless confirmed."""
    twins = service.same_name(form.name.data, client_visible(current_user), exclude_id)
    if twins and not form.confirm_duplicate.data:
        form.name.errors.append(_("Un compte porte déjà ce nom : « %(name)s ». Cochez la case ci-dessous si c'en "
                                  "est bien un autre.", name=twins[0].name))
        form.duplicate_of = twins[0]
        return False
    return True


def _form_page(form: ClientForm, title: str, action: str, cancel_url: str):
    """The account form as a page: 200 when shown, 422 when it comes back with errors."""
    status = 422 if form.is_submitted() else 200
    return render_template("clients/form.html", form=form, title=title, action=action, cancel_url=cancel_url), status

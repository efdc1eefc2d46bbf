"""The import preview on the contacts blueprint (for .vcf files and a spreadsheet's mapped rows): its pages, the
choices saved as the user makes them, a card corrected in place, one choice for every card of a filter, and the
commit."""
import re
from collections.abc import Mapping
from urllib.parse import parse_qsl

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from .. import limits, rights
from ..access import requires
from ..extensions import db
from ..form_fields import parse_id
from ..htmx import is_partial, render
from ..models import Client
from ..scope import client_visible
from ..services import vcard_mapping
from ..services.import_choices import CHOICES, EDITED_FIELDS, ImportChoices, check_edit, load_choices, save_choices
from ..services.sheet_import import is_waiting_for_mapping
from ..services.vcard_batch import cancel_batch, load_batch
from ..services.vcard_commit import BatchGone, ImportConflict, ImportInvalid, commit_import
from ..services.vcard_preview import Preview, build_preview, choose_for_filter
from ..text import like_pattern, search_key
from ..unit_of_work import commit
from . import bp
from .import_pages import PreviewLinks, batch_gone

SUGGESTIONS = 30
# The preview form's field names, with the index of the card or the account group they belong to.
_CARD_CHOICE = re.compile(r"c(\d+)")  # per card: create, update or skip
_CARD_CONTACT = re.compile(r"m(\d+)")  # per card: "<contact id>:<version>" of the contact an update is for
_ACCOUNT = re.compile(r"client-(\d+)")  # per group: an account id, or "new"
_TYPED_ACCOUNT = re.compile(r"client-other-(\d+)")  # per group: an account name typed by the user
_CONTACT_VERSION = re.compile(r"(\d+):(\d+)")
_EDIT = re.compile(r"edit-(\d+)")  # "Corriger" without JavaScript: save the page's choices, open the card's editor


def _page_args(values: Mapping[str, str]) -> dict:
    """The page of the preview named by a query string or a form: status filter, page, page of the accounts."""
    return {"status": values.get("status", ""), "page": parse_id(values.get("page")) or 1,
            "groups_page": parse_id(values.get("accounts_page")) or 1}


def _preview_page(preview: Preview, status: int = 200):
    """The preview page, with the links of its filters and pagers."""
    return render("contacts/import_preview.html", preview=preview, links=PreviewLinks(preview)), status


@bp.get("/contacts/import/<token>")
@requires(rights.CONTACTS_IMPORT)
def import_preview(token):
    """The preview: the counts, one account choice per company, then a page of cards (100) of a status filter."""
    batch = load_batch(token, current_user)
    if batch is None:
        return batch_gone()
    if is_waiting_for_mapping(batch):
        return redirect(url_for("contacts.import_mapping", token=token), 303)
    return _preview_page(build_preview(batch, current_user, **_page_args(request.args)))


@bp.post("/contacts/import/<token>")
@requires(rights.CONTACTS_IMPORT)
@limits.import_confirms
def import_commit(token):
    """Save the page's choices, then: write every card as chosen, all or nothing, and back to the list; or cancel;
    or set one choice for every card of the filter; or go to another page or filter (nothing written but the
    choices)."""
    batch = load_batch(token, current_user)
    if batch is None:
        return batch_gone()
    action = request.form.get("action", "commit")
    if action == "cancel":
        cancel_batch(batch)
        flash(_("Import annulé : aucun contact n'a été écrit."), "info")
        return redirect(url_for("contacts.index"), 303)
    if is_waiting_for_mapping(batch):
        return redirect(url_for("contacts.import_mapping", token=token), 303)
    chosen = load_choices(batch)
    chosen.merge(import_choices(request.form))
    save_choices(batch, chosen)
    if action in CHOICES:  # "Tout créer", "Tout mettre à jour", "Tout ignorer" for the filter's cards
        preview = build_preview(batch, current_user, chosen, **_page_args(request.form))
        flash(choose_for_filter(preview, action), "success")
        save_choices(batch, chosen)
        return redirect(PreviewLinks(preview).here(), 303)
    if edited := _EDIT.fullmatch(action):
        return redirect(url_for("contacts.import_card", token=token, index=int(edited.group(1))), 303)
    if action.startswith("show:"):  # a page or a filter: "show:<its query string>"
        return redirect(PreviewLinks.of(token, **_page_args(dict(parse_qsl(action[5:])))), 303)
    if action != "commit":
        abort(400)
    return _commit(batch, chosen)


def _commit(batch, chosen: ImportChoices):
    """"Importer": every card as chosen, then back to the list with the counts; or the cards to review (422), or
    the contacts someone saved meanwhile (409), the choices kept either way."""
    try:
        report = commit_import(batch, current_user, chosen)
    except ImportInvalid as error:
        save_choices(load_batch(batch.token, current_user) or batch, error.preview.chosen)
        commit()  # the choices survive the refusal, which rolls the rest back
        return _preview_page(error.preview, 409 if isinstance(error, ImportConflict) else 422)
    except BatchGone:
        return batch_gone()
    flash(_("Import terminé : %(summary)s.", summary=report.summary()), "success")
    return redirect(url_for("contacts.index"), 303)


@bp.post("/contacts/import/<token>/choices")
@requires(rights.CONTACTS_IMPORT)
def import_choose(token):
    """Save the choice a list of the preview was just set to (htmx, as the user makes it): nothing to show."""
    batch = load_batch(token, current_user)
    if batch is None:
        return batch_gone()
    chosen = load_choices(batch)
    chosen.merge(import_choices(request.form))
    save_choices(batch, chosen)
    return "", 204


def import_choices(form: Mapping[str, str]) -> ImportChoices:
    """The preview form's choices as a typed object; a field it does not know, or a value of the wrong shape, is
    left out (the preview then says what to check again). An account is chosen for a company: each group's list
    comes with the company's key (client-key-<n>)."""
    chosen = ImportChoices()
    for name, value in form.items():
        if (found := _CARD_CHOICE.fullmatch(name)) and value in CHOICES:
            chosen.cards[int(found.group(1))] = value
        elif ((found := _CARD_CONTACT.fullmatch(name)) and (pair := _CONTACT_VERSION.fullmatch(value))
              and parse_id(pair.group(1))):
            chosen.contacts[int(found.group(1))] = (int(pair.group(1)), int(pair.group(2)))
        elif (found := _ACCOUNT.fullmatch(name)) and (key := form.get(f"client-key-{found.group(1)}")) is not None:
            chosen.accounts[key] = value
        elif (found := _TYPED_ACCOUNT.fullmatch(name)) and (key := form.get(f"client-key-{found.group(1)}")) \
                is not None:
            chosen.typed_accounts[key] = vcard_mapping.clean_account_name(value)
    return chosen


@bp.get("/contacts/import/<token>/cards/<int:index>")
@requires(rights.CONTACTS_IMPORT)
def import_card(token, index):
    """A card's name, e-mail and company, to correct before importing: an editor in its row (htmx), or a page."""
    batch, preview, row = _card(token, index)
    if row is None:
        return batch_gone() if batch is None else ("", 404)
    edit = preview.chosen.edits.get(index) or _as_typed(row.card)
    return _editor(preview, row, edit, {})


@bp.get("/contacts/import/<token>/cards/<int:index>/row")
@requires(rights.CONTACTS_IMPORT)
def import_card_row(token, index):
    """The card's row as the preview shows it (the editor closed without saving)."""
    batch, preview, row = _card(token, index)
    if row is None:
        return batch_gone() if batch is None else ("", 404)
    return render("partials/contacts/_import_row.html", preview=preview, row=row, links=PreviewLinks(preview))


@bp.post("/contacts/import/<token>/cards/<int:index>")
@requires(rights.CONTACTS_IMPORT)
def import_card_save(token, index):
    """Keep the card's corrections (checked as the contact form checks them); the row, the counts and the accounts
    are shown again, since the card may now match a contact or go to another company."""
    values, errors = check_edit({name: request.form.get(name, "") for name in EDITED_FIELDS})
    # The preview is built once, with the correction when it is valid (nothing is saved before the card is found).
    batch, preview, row = _card(token, index, None if errors else values)
    if row is None:
        return batch_gone() if batch is None else ("", 404)
    if errors:
        return _editor(preview, row, values, errors, 422)
    save_choices(batch, preview.chosen)
    if not is_partial():
        flash(_("Fiche corrigée : %(name)s.", name=values["last_name"].upper()), "success")
        return redirect(PreviewLinks(preview).card(index), 303)
    return render("partials/contacts/_import_corrected.html", preview=preview, row=row, links=PreviewLinks(preview))


def _card(token: str, index: int, edit: dict | None = None):
    """(the user's batch, its preview, the card's row), with `edit` applied to the card when given; the batch is
    None when it is gone, the row None for a card the batch does not hold or that cannot be corrected (a company's
    card)."""
    batch = load_batch(token, current_user)
    if batch is None or is_waiting_for_mapping(batch):
        return None, None, None
    chosen = load_choices(batch)
    if edit is not None:
        chosen.edits[index] = edit
    preview = build_preview(batch, current_user, chosen)
    row = preview.row_of(index)
    if row is None or (row.status == "error" and not row.card.nameless):
        return batch, preview, None
    return batch, preview, row


def _as_typed(card) -> dict[str, str]:
    """The editor's fields as the card has them (a refused e-mail as it was written, to correct)."""
    return {"last_name": card.values.get("last_name") or "", "first_name": card.values.get("first_name") or "",
            "email": card.values.get("email") or card.refused_email or "", "org": card.org or ""}


def _editor(preview: Preview, row, values: dict, errors: dict, status: int = 200):
    """The card's editor: its row (htmx) or a page of its own."""
    context = {"preview": preview, "row": row, "values": values, "errors": errors, "links": PreviewLinks(preview)}
    if is_partial():
        return render("partials/contacts/_import_row_editor.html", **context), status
    return render("contacts/import_card.html", **context), status


@bp.get("/contacts/import/clients")
@requires(rights.CONTACTS_IMPORT)
def import_clients():
    """Account names for the preview's "another account" boxes, matching what is typed (accents ignored)."""
    # The box sends itself under its own name (client-other-<n>, or org in a card's editor).
    typed = next((value for name, value in request.args.items() if name.startswith("client-other-")),
                 request.args.get("org", ""))
    term = search_key(request.args.get("term") or typed)
    query = select(Client.id, Client.name).where(client_visible(current_user)).order_by(Client.name_key)
    if term:
        query = query.where(Client.name_key.like(like_pattern(term), escape="\\"))
    clients = db.session.execute(query.limit(SUGGESTIONS)).all()
    return render("partials/contacts/_import_client_options.html", clients=clients)

"""vCard screens on the contacts blueprint: the drop zone's upload, the import preview and commit, the export."""
import io
import re
from collections.abc import Mapping

from flask import Response, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from .. import limits, rights
from ..access import requires
from ..extensions import db
from ..form_fields import parse_id
from ..htmx import render
from ..models import Client
from ..scope import client_visible, get_contact_or_404
from ..services import vcard_mapping
from ..services.filenames import content_disposition, safe_filename
from ..services.sheet_import import is_waiting_for_mapping
from ..services.sheet_read import is_sheet
from ..services.vcard_batch import cancel_batch, load_batch, store_batch
from ..services.vcard_commit import BatchGone, ImportConflict, ImportInvalid, commit_import
from ..services.vcard_export import VERSIONS, write_vcf
from ..services.vcard_preview import ImportChoices, build_preview, choose_for_all
from ..text import like_pattern, search_key
from . import bp
from .import_pages import batch_gone, go_to, upload_refused
from .sheet_routes import sheet_upload

SUGGESTIONS = 30
# The preview form's field names, with the index of the card or the account group they belong to.
_CARD_CHOICE = re.compile(r"c(\d+)")  # per card: create, update or skip
_CARD_CONTACT = re.compile(r"m(\d+)")  # per card: "<contact id>:<version>" of the contact an update is for
_ACCOUNT = re.compile(r"client-(\d+)")  # per group: an account id, or "new"
_TYPED_ACCOUNT = re.compile(r"client-other-(\d+)")  # per group: an account name typed by the user
_CONTACT_VERSION = re.compile(r"(\d+):(\d+)")


@bp.get("/contacts/import")
@requires(rights.CONTACTS_IMPORT)
def import_form():
    """The vCard drop zone on a page of its own (where a refused upload comes back without JavaScript)."""
    return render("contacts/import.html")


@bp.post("/contacts/import")
@requires(rights.CONTACTS_IMPORT)
@limits.imports
def import_upload():
    """Read the dropped or chosen .vcf files and open their preview (a spreadsheet goes to its mapping screen); a
    refused upload says why, keeps nothing."""
    uploads = [f for f in request.files.getlist("files") if f.filename]  # the form's other, empty file field
    if any(is_sheet(f.filename) for f in uploads):
        return sheet_upload(uploads)
    config = current_app.config
    files = [(f.filename or "", f.read(config["VCF_MAX_BYTES"] + 1)) for f in request.files.getlist("files")]
    try:
        summary, plans = vcard_mapping.read_upload(
            files, config["VCF_MAX_BYTES"], config["VCF_MAX_CARDS"], config["PHOTO_MAX_BYTES"],
            config["PHOTO_MAX_PIXELS"])
    except vcard_mapping.UploadError as error:
        return upload_refused(error.message)
    return go_to(url_for("contacts.import_preview", token=store_batch(current_user, summary, plans).token))


@bp.get("/contacts/import/<token>")
@requires(rights.CONTACTS_IMPORT)
def import_preview(token):
    """The preview: one row per card with its status and a choice, one account choice per company."""
    batch = load_batch(token, current_user)
    if batch is None:
        return batch_gone()
    if is_waiting_for_mapping(batch):
        return redirect(url_for("contacts.import_mapping", token=token), 303)
    return render("contacts/import_preview.html", preview=build_preview(batch, current_user))


@bp.post("/contacts/import/<token>")
@requires(rights.CONTACTS_IMPORT)
@limits.import_confirms
def import_commit(token):
    """Write the cards as chosen, all or nothing, then back to the list with the counts; or cancel; or set one
    choice for all new cards or all possible duplicates and show the preview again (nothing written)."""
    batch = load_batch(token, current_user)
    if batch is None:
        return batch_gone()
    if request.form.get("action") != "cancel" and is_waiting_for_mapping(batch):
        return redirect(url_for("contacts.import_mapping", token=token), 303)
    if request.form.get("action") == "cancel":
        cancel_batch(batch)
        flash(_("Import annulé : aucun contact n'a été écrit."), "info")
        return redirect(url_for("contacts.index"), 303)
    chosen = import_choices(request.form)
    if request.form.get("action") == "choose-all":
        return render("contacts/import_preview.html", preview=choose_for_all(batch, current_user, chosen))
    try:
        report = commit_import(batch, current_user, chosen)
    except ImportInvalid as error:
        status = 409 if isinstance(error, ImportConflict) else 422
        return render("contacts/import_preview.html", preview=error.preview), status
    except BatchGone:
        return batch_gone()
    flash(_("Import terminé : %(summary)s.", summary=report.summary()), "success")
    return redirect(url_for("contacts.index"), 303)


def import_choices(form: Mapping[str, str]) -> ImportChoices:
    """The preview form's choices as a typed object; a field it does not know, or a value of the wrong shape, is
    left out (the preview then says what to check again)."""
    chosen = ImportChoices(for_all={status: form.get(f"all-{status}", "") for status in ("new", "duplicate")})
    for name, value in form.items():
        if found := _CARD_CHOICE.fullmatch(name):
            chosen.cards[int(found.group(1))] = value
        elif ((found := _CARD_CONTACT.fullmatch(name)) and (pair := _CONTACT_VERSION.fullmatch(value))
              and parse_id(pair.group(1))):
            chosen.contacts[int(found.group(1))] = (int(pair.group(1)), int(pair.group(2)))
        elif found := _ACCOUNT.fullmatch(name):
            chosen.accounts[int(found.group(1))] = value
        elif found := _TYPED_ACCOUNT.fullmatch(name):
            chosen.typed_accounts[int(found.group(1))] = vcard_mapping.clean_account_name(value)
    return chosen


@bp.get("/contacts/import/clients")
@requires(rights.CONTACTS_IMPORT)
def import_clients():
    """Account names for the preview's "another account" boxes, matching what is typed (accents ignored)."""
    # The box sends itself under its own name (client-other-<n>).
    typed = next((value for name, value in request.args.items() if name.startswith("client-other-")), "")
    term = search_key(request.args.get("term") or typed)
    query = select(Client.id, Client.name).where(client_visible(current_user)).order_by(Client.name_key)
    if term:
        query = query.where(Client.name_key.like(like_pattern(term), escape="\\"))
    clients = db.session.execute(query.limit(SUGGESTIONS)).all()
    return render("partials/contacts/_import_client_options.html", clients=clients)


@bp.get("/contacts/<id:contact_id>/vcard")
@requires(rights.CONTACTS_EXPORT)
@limits.contact_exports
def export_vcf(contact_id):
    """The contact as a .vcf file (vCard 3.0, or 4.0 with ?version=4.0)."""
    contact = get_contact_or_404(current_user, contact_id)
    version = request.args.get("version", "3.0")
    if version not in VERSIONS:
        abort(400)
    filename = safe_filename(contact.display_name)
    out = io.BytesIO()
    write_vcf([contact.id], version, out)
    response = Response(out.getvalue(), content_type="text/vcard; charset=utf-8")
    response.headers["Content-Disposition"] = content_disposition(filename)
    return response

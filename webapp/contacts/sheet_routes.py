"""The spreadsheet import on the contacts blueprint: a .csv, .xlsx, .xls or .ods dropped on the list is read, its
columns mapped on a screen of their own, then the rows go to the vCard import's preview and commit."""
import re

from flask import current_app, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import limits, rights
from ..access import requires
from ..htmx import render
from ..services.sheet_import import MappingInvalid, apply_mapping, mapping_screen, start_sheet_import
from ..services.sheet_read import SheetError, read_sheet
from ..services.vcard_batch import load_batch
from . import bp
from .import_pages import batch_gone, go_to, upload_refused

_COLUMN = re.compile(r"col-(\d{1,4})")


def sheet_upload(files):
    """Read the one spreadsheet of an upload and open its mapping screen; a refused file says why, keeps nothing."""
    config = current_app.config
    try:
        if len(files) != 1:
            raise SheetError(_("Importez un tableur à la fois, sans autre fichier (.csv, .xlsx, .xls, .ods ou .vcf "
                               "séparément)."))
        upload = files[0]
        sheet = read_sheet(upload.filename or "", upload.read(config["SHEET_MAX_BYTES"] + 1),
                           config["SHEET_MAX_BYTES"], config["SHEET_MAX_ROWS"], config["SHEET_MAX_MEMORY"])
    except SheetError as error:
        return upload_refused(error.message)
    return go_to(url_for("contacts.import_mapping", token=start_sheet_import(current_user, sheet).token))


@bp.get("/contacts/import/<token>/columns")
@requires(rights.CONTACTS_IMPORT)
def import_mapping(token):
    """The mapping screen: one row per column of the file, its first values and the field it goes to."""
    batch = load_batch(token, current_user)
    screen = mapping_screen(batch, current_user) if batch is not None else None
    if screen is None:
        return batch_gone()
    return render("contacts/import_mapping.html", screen=screen)


@bp.post("/contacts/import/<token>/columns")
@requires(rights.CONTACTS_IMPORT)
@limits.import_confirms
def import_mapping_apply(token):
    """Map every row as chosen (saving the mapping when asked), then on to the preview; nothing is written."""
    batch = load_batch(token, current_user)
    if batch is None:
        return batch_gone()
    posted = {int(found.group(1)): value for name, value in request.form.items()
              if (found := _COLUMN.fullmatch(name))}
    targets = [posted.get(index, "") for index in range(max(posted, default=-1) + 1)]
    try:
        if not apply_mapping(batch, current_user, targets, save=request.form.get("save") == "1"):
            return batch_gone()  # a vCard upload's token: nothing to map
    except MappingInvalid as error:
        return render("contacts/import_mapping.html", screen=error.screen), 422
    return redirect(url_for("contacts.import_preview", token=token), 303)

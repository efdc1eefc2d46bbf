"""vCard screens on the contacts blueprint: the drop zone's upload (then the preview of import_routes), the
export."""
import io

from flask import Response, abort, current_app, request, url_for
from flask_login import current_user

from .. import limits, rights
from ..access import requires
from ..htmx import render
from ..scope import get_contact_or_404
from ..services import vcard_mapping
from ..services.filenames import content_disposition, safe_filename
from ..services.sheet_read import is_sheet
from ..services.vcard_batch import store_batch
from ..services.vcard_export import VERSIONS, write_vcf
from . import bp
from .import_pages import go_to, upload_refused
from .sheet_routes import sheet_upload


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

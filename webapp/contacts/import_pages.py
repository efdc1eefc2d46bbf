"""What the vCard and spreadsheet import screens share: the answers to an upload (refused, or on to its next
screen) and when an upload's batch is gone."""
from flask import flash, make_response, redirect, url_for
from flask_babel import gettext as _

from ..htmx import is_partial, render


def upload_refused(message: str):
    """The drop zone (htmx) or the import page again, saying why the file was refused (422)."""
    if is_partial():
        return render("partials/contacts/_vcf_dropzone.html", error=message), 422
    return render("contacts/import.html", error=message), 422


def go_to(target: str):
    """After an upload: its next screen, by HX-Redirect for htmx, else a redirect."""
    if is_partial():
        response = make_response("", 204)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target, 303)


def batch_gone():
    """Back to the list, saying the preview is gone."""
    flash(_("Cet aperçu n'existe plus : l'import a déjà été fait, annulé, ou date de plus d'un jour."), "info")
    return redirect(url_for("contacts.index"), 303)

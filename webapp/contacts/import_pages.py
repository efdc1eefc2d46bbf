"""What the vCard and spreadsheet import screens share: the answer when an upload's batch is gone."""
from flask import flash, redirect, url_for
from flask_babel import gettext as _


def batch_gone():
    """Back to the list, saying the preview is gone."""
    flash(_("Cet aperçu n'existe plus : l'import a déjà été fait, annulé, ou date de plus d'un jour."), "info")
    return redirect(url_for("contacts.index"), 303)

"""Client accounts (Fiche du compte)."""
from flask import Blueprint
from flask_login import current_user

from .. import rights
from ..htmx import render
from ..rights import requires
from ..scope import get_client_or_404

bp = Blueprint("clients", __name__)


@bp.get("/clients/<int:client_id>")
@requires(rights.CONTACTS_LIST)
def show(client_id):
    """The client account's record."""
    return render("clients/show.html", client=get_client_or_404(current_user, client_id))

"""The contacts screens."""
from flask import Blueprint, redirect, url_for
from flask_login import current_user
from sqlalchemy import func, select

from .. import rights
from ..extensions import db
from ..htmx import render
from ..models import Contact
from ..rights import requires
from ..scope import contact_visible

bp = Blueprint("contacts", __name__)


@bp.get("/")
def home():
    """The app opens on the contacts list."""
    return redirect(url_for("contacts.index"))


@bp.get("/contacts")
@requires(rights.CONTACTS_LIST)
def index():
    """List the client contacts the user may see."""
    total = db.session.scalar(select(func.count()).select_from(Contact).where(contact_visible(current_user)))
    return render("contacts/index.html", "results", total=total)

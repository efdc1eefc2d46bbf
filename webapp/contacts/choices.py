"""Options of the contact form's selects: visible client accounts, services, salespeople, countries."""
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from ..countries import country_choices
from ..extensions import db
from ..models import Client, Department, User
from ..scope import client_visible
from ..text import like_pattern, search_key

CLIENT_CHOICES_LIMIT = 50


def client_choices(user: User, term: str = "", current_id: int | None = None) -> list[tuple[int | str, str]]:
    """Up to 50 visible accounts matching `term` (accents ignored), the current one first."""
    choices: list[tuple[int | str, str]] = [("", _("— Choisir un client —"))]
    if current_id:
        current = db.session.execute(select(Client.id, Client.name).where(
            Client.id == current_id, client_visible(user))).first()
        if current:
            choices.append((current.id, current.name))
    query = select(Client.id, Client.name).where(client_visible(user), Client.archived.is_(False))
    if key := search_key(term):
        query = query.where(Client.name_key.like(like_pattern(key), escape="\\"))
    if current_id:
        query = query.where(Client.id != current_id)
    choices += [(row.id, row.name) for row in db.session.execute(
        query.order_by(Client.name_key).limit(CLIENT_CHOICES_LIMIT))]
    return choices


def department_choices(current_id: int | None = None) -> list[tuple[int | str, str]]:
    """The organisation chart as an indented list (active services, and the current one even if inactive)."""
    rows = db.session.execute(select(Department.id, Department.label, Department.parent_id, Department.active)
                              .order_by(Department.position, Department.label)).all()
    children: dict[int | None, list] = {}
    for row in rows:
        if row.active or row.id == current_id:
            children.setdefault(row.parent_id, []).append(row)
    choices: list[tuple[int | str, str]] = [("", "—")]

    def walk(parent_id, depth):
        for row in children.get(parent_id, []):
            choices.append((row.id, "\u2003" * depth + row.label))
            walk(row.id, depth + 1)

    walk(None, 0)
    return choices


def owner_choices(current_id: int | None = None) -> list[tuple[int | str, str]]:
    """Active salespeople, "NOM Prénom", and the current owner even when deactivated."""
    users = db.session.execute(select(User.id, User.last_name, User.first_name).where(
        (User.active.is_(True)) | (User.id == (current_id or 0))).order_by(User.name_key)).all()
    return [("", _("Non affecté"))] + [(u.id, f"{u.last_name.upper()} {u.first_name}".strip()) for u in users]


def fill_choices(form, user: User, contact_client_id: int | None = None) -> None:
    """Set every select's options for this user; the submitted client stays among them."""
    from .forms import as_choices

    form.client_id.choices = as_choices(client_choices(user, form.client_search.data or "",
                                                       form.client_id.data if isinstance(form.client_id.data, int)
                                                       else contact_client_id))
    form.department_id.choices = as_choices(department_choices(form.department_id.data
                                                               if isinstance(form.department_id.data, int) else None))
    form.owner_id.choices = as_choices(owner_choices(form.owner_id.data if isinstance(form.owner_id.data, int)
                                                     else None))
    form.country.choices = as_choices([("", "—")] + country_choices(str(get_locale() or "fr")))

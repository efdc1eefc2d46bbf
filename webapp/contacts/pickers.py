"""The options of the list's filters: small lists in full, large ones (clients, salespeople, skills) searched."""
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select, true

from ..extensions import db
from ..models import Client, Entity, Origin, RevenueRange, Sector, SizeBand, Skill, User
from ..queries import ContactQuery
from ..rights import ALL_ENTITIES
from ..scope import client_visible
from ..text import like_pattern, search_key

PICKER_LIMIT = 30
SEARCHABLE = ("assigned", "client", "skill")


@dataclass
class Option:
    value: str
    label: str
    checked: bool


def _reference_options(model, selected: list[int], only: set[int] | None = None) -> list[Option]:
    rows = db.session.execute(select(model.id, model.label, model.active).order_by(model.position, model.label))
    return [Option(str(i), label, i in selected) for i, label, active in rows
            if (active or i in selected) and (only is None or i in only)]


def filter_options(query: ContactQuery, user: User) -> dict[str, list[Option]]:
    """Every filter's options for the full page."""
    options = {
        # A user limited to some entities is offered only those (the others would always give nothing).
        "entity": _reference_options(Entity, query.entity, None if user.can(ALL_ENTITIES) else
                                     {entity.id for entity in user.entities}),
        "size": _reference_options(SizeBand, query.size),
        "revenue": _reference_options(RevenueRange, query.revenue),
        "sector": _reference_options(Sector, query.sector),
        "origin": _reference_options(Origin, query.origin),
    }
    for kind in SEARCHABLE:
        options[kind] = search(kind, "", query, user)
    return options


def search(kind: str, term: str, query: ContactQuery, user: User) -> list[Option]:
    """The checked values of a searchable filter, then up to 30 others matching `term` (accents ignored)."""
    selected = query.assigned if kind == "assigned" else getattr(query, kind)
    # `visible` bounds every option, checked ones included; `scope` also leaves inactive values out of matches.
    visible = true()
    if kind == "client":
        id_col, label_col, key_col = Client.id, Client.name, Client.name_key
        visible = scope = client_visible(user)
    elif kind == "skill":
        id_col, label_col, key_col, scope = Skill.id, Skill.label, func.lower(Skill.label), Skill.active.is_(True)
    else:
        id_col, key_col, scope = User.id, User.name_key, User.active.is_(True)
        label_col = func.trim(func.upper(User.last_name) + " " + User.first_name)
    options: list[Option] = []
    if kind == "assigned":
        options.append(Option("none", _("Non affecté"), query.unassigned))
    if selected:
        rows = db.session.execute(select(id_col, label_col).where(id_col.in_(selected), visible).order_by(key_col))
        options += [Option(str(i), label, True) for i, label in rows]
    matches = select(id_col, label_col).where(scope).order_by(key_col).limit(PICKER_LIMIT)
    if selected:
        matches = matches.where(id_col.not_in(selected))
    if key := search_key(term):
        matches = matches.where(key_col.like(like_pattern(key), escape="\\"))
    options += [Option(str(i), label, False) for i, label in db.session.execute(matches)]
    return options

"""The options of the list's filters: small lists in full, large ones (clients, salespeople, skills) searched."""
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import Integer, and_, cast, func, literal, null, select, true, union_all

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


REFERENCE_FILTERS = {"entity": Entity, "size": SizeBand, "revenue": RevenueRange, "sector": Sector, "origin": Origin}


def _part(kind: str, rank: int, id_col, label_col, active, position, key, where, limit: int | None = None):
    """One kind's options as rows of the one statement that reads them all: (kind, id, label, active) and what
    orders them (the checked values first, then position, then name)."""
    part = select(literal(kind).label("kind"), literal(rank).label("rank"), id_col.label("id"),
                  label_col.label("label"), active.label("active"), position.label("position"),
                  key.label("key")).where(where)
    if limit is None:
        return part
    return select(*part.order_by(key).limit(limit).subquery().c)  # a LIMIT inside a UNION needs its own SELECT


def _reference_part(kind: str, model):
    return _part(kind, 0, model.id, model.label, model.active, model.position, model.label, true())


def _picker_parts(kind: str, term: str, selected: list[int], user: User) -> list:
    """The checked values of a searchable filter, then up to 30 others matching `term` (accents ignored)."""
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
    no_position = cast(null(), Integer)
    parts = []
    if selected:
        parts.append(_part(kind, 0, id_col, label_col, true(), no_position, key_col, and_(id_col.in_(selected), visible)))
    matches = [scope, id_col.not_in(selected)] if selected else [scope]
    if key := search_key(term):
        matches.append(key_col.like(like_pattern(key), escape="\\"))
    parts.append(_part(kind, 1, id_col, label_col, true(), no_position, key_col, and_(*matches), PICKER_LIMIT))
    return parts


def _read(parts: list) -> dict[str, list[tuple[int, str, bool]]]:
    """Run the parts as one statement: each kind's (id, label, active) in order."""
    statement = union_all(*parts).subquery()
    rows = db.session.execute(select(statement.c.kind, statement.c.id, statement.c.label, statement.c.active)
                              .order_by(statement.c.kind, statement.c.rank, statement.c.position, statement.c.key))
    found: dict[str, list[tuple[int, str, bool]]] = {}
    for kind, ident, label, active in rows:
        found.setdefault(kind, []).append((ident, label, active))
    return found


def _selected(kind: str, query: ContactQuery) -> list[int]:
    return query.assigned if kind == "assigned" else list(getattr(query, kind))


def _picker_options(kind: str, query: ContactQuery, rows: list[tuple[int, str, bool]]) -> list[Option]:
    selected = set(_selected(kind, query))
    options = [Option("none", _("Non affecté"), query.unassigned)] if kind == "assigned" else []
    return options + [Option(str(ident), label, ident in selected) for ident, label, _active in rows]


def filter_options(query: ContactQuery, user: User) -> dict[str, list[Option] | None]:
    """The options of the filters in use (something checked) for the full page, read in one statement. A filter
    with nothing checked gets None: its options load the first time it opens (GET .../pickers/<kind>), which
    spares every page the reference lists, the three searches and their labels (issue 13)."""
    in_use = [kind for kind in (*REFERENCE_FILTERS, *SEARCHABLE)
              if _selected(kind, query) or (kind == "assigned" and query.unassigned)]
    parts = []
    for kind in in_use:
        parts += [_reference_part(kind, REFERENCE_FILTERS[kind])] if kind in REFERENCE_FILTERS else \
            _picker_parts(kind, "", _selected(kind, query), user)
    found = _read(parts) if parts else {}
    return {kind: _options(kind, query, user, found.get(kind, [])) if kind in in_use else None
            for kind in (*REFERENCE_FILTERS, *SEARCHABLE)}


def choices(kind: str, query: ContactQuery, user: User) -> list[Option]:
    """Every option of a short filter (entities, sizes, revenues, sectors, origins), the checked ones checked."""
    return _options(kind, query, user, _read([_reference_part(kind, REFERENCE_FILTERS[kind])]).get(kind, []))


def _options(kind: str, query: ContactQuery, user: User, rows: list[tuple[int, str, bool]]) -> list[Option]:
    if kind in SEARCHABLE:
        return _picker_options(kind, query, rows)
    # A user limited to some entities is offered only those (the others would always give nothing).
    allowed = None if kind != "entity" or user.can(ALL_ENTITIES) else {entity.id for entity in user.entities}
    selected = set(_selected(kind, query))
    return [Option(str(i), label, i in selected) for i, label, active in rows
            if (active or i in selected) and (allowed is None or i in allowed)]


def search(kind: str, term: str, query: ContactQuery, user: User) -> list[Option]:
    """The checked values of a searchable filter, then up to 30 others matching `term` (accents ignored)."""
    return _picker_options(kind, query, _read(_picker_parts(kind, term, _selected(kind, query), user)).get(kind, []))

"""The parameter lists (Entités, Secteurs d'activité, Organigramme type...): add, rename, reorder, deactivate,
delete when unused. Every change is audited in the caller's name; the caller's unit of work commits."""
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import unit_of_work
from ..extensions import db
from ..models import (Client, Contact, Department, Document, DocumentCategory, Entity, MailingList, MailingListSubscription, Origin,
                      RevenueRange, Sector, SizeBand, Skill, SkillCategory, Task, TaskType, client_entities,
                      contact_skills, user_entities)
from ..text import fold
from .audit import record_changes, record_created, record_deleted


class ParameterError(ValueError):
    """A value the list refuses; `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str = "label"):
        super().__init__(message)
        self.message = message
        self.field = field


class InUseError(ParameterError):
    """Deleting a value that records still use."""


@dataclass(frozen=True)
class Usage:
    """A column holding ids of the list's values, and how to say "n records" of that kind."""

    column: object
    describe: Callable[[int], str]


@dataclass(frozen=True)
class Kind:
    """What a parameter list is made of and where its values are used."""

    record_type: str  # the audit's record_type
    model: type
    fields: tuple[str, ...] = ()  # editable columns besides the label
    order_within: str | None = None  # values are ordered among those sharing this column (the tree's parent)
    unique_within: str | None = None  # labels are unique among values sharing this column; None: the whole list
    usages: tuple[Usage, ...] = field(default=())
    feminine: bool = False  # what a value is (une entité, une compétence...): the messages agree with it


def _clients(n: int) -> str:
    return ngettext("%(num)d compte client", "%(num)d comptes clients", n)


def _contacts(n: int) -> str:
    return ngettext("%(num)d contact", "%(num)d contacts", n)


def _users(n: int) -> str:
    return ngettext("%(num)d utilisateur", "%(num)d utilisateurs", n)


def _sub_departments(n: int) -> str:
    return ngettext("%(num)d service rattaché", "%(num)d services rattachés", n)


def _skills(n: int) -> str:
    return ngettext("%(num)d compétence", "%(num)d compétences", n)


def _subscriptions(n: int) -> str:
    return ngettext("%(num)d abonnement", "%(num)d abonnements", n)


def _tasks(n: int) -> str:
    return ngettext("%(num)d tâche", "%(num)d tâches", n)


def _documents(n: int) -> str:
    return ngettext("%(num)d document", "%(num)d documents", n)


KINDS: dict[str, Kind] = {kind.record_type: kind for kind in (
    Kind("entity", Entity, feminine=True, usages=(Usage(client_entities.c.entity_id, _clients),
                                   Usage(user_entities.c.entity_id, _users))),
    Kind("sector", Sector, usages=(Usage(Client.sector_id, _clients),)),
    Kind("size_band", SizeBand, feminine=True, usages=(Usage(Client.size_band_id, _clients),)),
    Kind("revenue_range", RevenueRange, feminine=True, usages=(Usage(Client.revenue_range_id, _clients),)),
    Kind("origin", Origin, feminine=True, usages=(Usage(Client.origin_id, _clients),)),
    Kind("department", Department, fields=("parent_id",), order_within="parent_id", unique_within="parent_id",
         usages=(Usage(Contact.department_id, _contacts), Usage(Department.parent_id, _sub_departments))),
    Kind("skill_category", SkillCategory, feminine=True, usages=(Usage(Skill.category_id, _skills),)),
    Kind("skill", Skill, feminine=True, fields=("category_id",), usages=(Usage(contact_skills.c.skill_id, _contacts),)),
    Kind("mailing_list", MailingList, feminine=True, fields=("provider", "external_id"), unique_within="provider",
         usages=(Usage(MailingListSubscription.mailing_list_id, _subscriptions),)),
    Kind("task_type", TaskType, usages=(Usage(Task.task_type_id, _tasks),)),
    Kind("document_category", DocumentCategory, feminine=True, usages=(Usage(Document.category_id, _documents),)),
)}


def list_items(kind: Kind, search: str = "") -> list:
    """The list's values in their order, those matching `search` (case and accents ignored) when given."""
    model = kind.model
    items = db.session.scalars(select(model).order_by(model.position, model.id)).all()
    needle = fold(search)
    if not needle:
        return list(items)
    # Parameter lists hold tens of values, not thousands: folding in Python matches accents on every database.
    return [item for item in items if needle in fold(" ".join(_searchable(kind, item)))]


def _searchable(kind: Kind, item) -> list[str]:
    texts = [item.label]
    texts += [getattr(item, name) or "" for name in kind.fields if isinstance(getattr(item, name), str)]
    return texts


def children_by_parent(items: list) -> dict:
    """Values grouped under their parent's id (None for the top level), each group in order; a tree's shape."""
    ids = {item.id for item in items}
    groups: dict = {}
    for item in items:
        parent = getattr(item, "parent_id", None)
        # A value whose parent is not shown (filtered out by a search) is listed at the top level.
        groups.setdefault(parent if parent in ids else None, []).append(item)
    return groups


def tree_order(items: list) -> list[tuple[object, int]]:
    """Values in reading order of the tree, each with its depth (0 for the top level)."""
    groups = children_by_parent(items)
    ordered: list[tuple[object, int]] = []

    def walk(parent_id, depth: int) -> None:
        for item in groups.get(parent_id, []):
            ordered.append((item, depth))
            walk(item.id, depth + 1)

    walk(None, 0)
    return ordered


def usage_counts(kind: Kind, ids: list[int]) -> dict[int, list[tuple[Usage, int]]]:
    """For each value id, how many records of each kind use it (only the non-zero counts)."""
    counts: dict[int, list[tuple[Usage, int]]] = {}
    if not ids:
        return counts
    for usage in kind.usages:
        rows = db.session.execute(
            select(usage.column, func.count()).where(usage.column.in_(ids)).group_by(usage.column)
        ).all()
        for value_id, count in rows:
            counts.setdefault(value_id, []).append((usage, count))
    return counts


def describe_usage(pairs: list[tuple[Usage, int]]) -> str:
    """ "12 comptes clients et 3 contacts"."""
    parts = [usage.describe(count) for usage, count in pairs if count]
    if len(parts) <= 1:
        return "".join(parts)
    return _("%(first)s et %(last)s", first=", ".join(parts[:-1]), last=parts[-1])


def snapshot(kind: Kind, item) -> dict:
    """The audited values of a list value."""
    values = {"label": item.label, "position": item.position, "active": item.active}
    values.update({name: getattr(item, name) for name in kind.fields})
    return values


def create_item(kind: Kind, values: Mapping, user_id: int | None) -> object:
    """Add a value at the end of its list (or of its parent's children), audited."""
    clean = _checked(kind, None, values)
    position = max((sibling.position for sibling in _siblings(kind, clean.get(kind.order_within))), default=-1) + 1
    item = kind.model(position=position, active=True, **clean)
    db.session.add(item)
    _flush_or_duplicate()
    record_created(kind.record_type, item.id, snapshot(kind, item), via="form", user_id=user_id)
    return item


def update_item(kind: Kind, item, values: Mapping, user_id: int | None, via: str = "inline") -> int:
    """Rename a value (and change its parent, category or provider); returns how many fields changed."""
    clean = _checked(kind, item, values)
    before = snapshot(kind, item)
    if kind.order_within and clean[kind.order_within] != getattr(item, kind.order_within):
        # A value moved under another parent goes last among its new siblings.
        others = _siblings(kind, clean[kind.order_within])
        item.position = max((sibling.position for sibling in others), default=-1) + 1
    for name, value in clean.items():
        setattr(item, name, value)
    _flush_or_duplicate()
    after = snapshot(kind, item)
    changed = record_changes(kind.record_type, item.id, {k: (before[k], after[k]) for k in after}, via, user_id)
    return changed


def move_item(kind: Kind, item, direction: str, user_id: int | None) -> bool:
    """Move a value one place up or down among its siblings; False when it is already at that end."""
    siblings = _siblings(kind, getattr(item, kind.order_within) if kind.order_within else None)
    index = next(i for i, sibling in enumerate(siblings) if sibling.id == item.id)
    target = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= target < len(siblings):
        return False
    siblings[index], siblings[target] = siblings[target], siblings[index]
    # Positions are renumbered 0..n-1 so that ties left by imports or seeds never make a move a no-op.
    for position, sibling in enumerate(siblings):
        if sibling.position != position:
            record_changes(kind.record_type, sibling.id, {"position": (sibling.position, position)}, "inline",
                           user_id)
            sibling.position = position
    return True


def set_active(kind: Kind, item, active: bool, user_id: int | None) -> bool:
    """Deactivate (hide from pickers, keep on records) or reactivate a value; False when nothing changed."""
    if item.active == active:
        return False
    record_changes(kind.record_type, item.id, {"active": (item.active, active)}, "inline", user_id)
    item.active = active
    return True


def deletion_refusal(kind: Kind, item) -> str | None:
    """Why the value cannot be deleted (the records using it), or None when nothing uses it."""
    pairs = usage_counts(kind, [item.id]).get(item.id)
    if not pairs:
        return None
    usage = describe_usage(pairs)
    if kind.feminine:
        return _("Impossible de supprimer « %(label)s » : utilisée par %(usage)s. Désactivez-la plutôt.",
                 label=item.label, usage=usage)
    return _("Impossible de supprimer « %(label)s » : utilisé par %(usage)s. Désactivez-le plutôt.",
             label=item.label, usage=usage)


def delete_item(kind: Kind, item, user_id: int | None) -> None:
    """Delete a value no record uses; otherwise refuse, saying where it is used."""
    if refusal := deletion_refusal(kind, item):
        raise InUseError(refusal)
    record_deleted(kind.record_type, item.id, snapshot(kind, item), via="inline", user_id=user_id)
    db.session.delete(item)
    try:
        db.session.flush()
    except IntegrityError:
        # A reference added since the count, or by a table this list does not know about.
        unit_of_work.rollback()
        raise InUseError(_("Impossible de supprimer « %(label)s » : cette valeur est utilisée. "
                           "Désactivez-la plutôt.", label=item.label)) from None


def _siblings(kind: Kind, parent_value) -> list:
    model = kind.model
    query = select(model).order_by(model.position, model.id)
    if kind.order_within:
        column = getattr(model, kind.order_within)
        query = query.where(column.is_(None) if parent_value is None else column == parent_value)
    return list(db.session.scalars(query))


def _checked(kind: Kind, item, values: Mapping) -> dict:
    """The values to store, after the checks a form cannot make: duplicates, references, cycles."""
    clean = {"label": values["label"].strip()}
    for name in kind.fields:
        value = values.get(name)
        clean[name] = value.strip() or None if isinstance(value, str) else value
    if "provider" in clean and not clean["provider"]:
        raise ParameterError(_("Indiquez le fournisseur."), "provider")
    if clean.get("category_id") is not None and db.session.get(SkillCategory, clean["category_id"]) is None:
        raise ParameterError(_("Cette catégorie n'existe plus."), "category_id")
    if "parent_id" in clean:
        _check_parent(item, clean["parent_id"])
    model = kind.model
    query = select(model.id, model.label)
    if kind.unique_within:
        column = getattr(model, kind.unique_within)
        scope = clean.get(kind.unique_within)
        query = query.where(column.is_(None) if scope is None else column == scope)
    wanted = fold(clean["label"])
    if any(fold(label) == wanted and (item is None or other_id != item.id)
           for other_id, label in db.session.execute(query)):
        raise ParameterError(_("« %(label)s » existe déjà dans cette liste.", label=clean["label"]))
    return clean


def _check_parent(item, parent_id: int | None) -> None:
    """A department's parent exists and is neither the department itself nor one of its sub-departments."""
    if parent_id is None:
        return
    parent = db.session.get(Department, parent_id)
    if parent is None:
        raise ParameterError(_("Ce service n'existe plus."), "parent_id")
    seen = set()
    while parent is not None and parent.id not in seen:
        if item is not None and parent.id == item.id:
            raise ParameterError(_("Un service ne peut pas être rattaché à lui-même ni à l'un de ses "
                                   "sous-services."), "parent_id")
        seen.add(parent.id)
        parent = parent.parent


def _flush_or_duplicate() -> None:
    """Flush; a unique constraint hit by a concurrent request reads as the duplicate it is."""
    try:
        db.session.flush()
    except IntegrityError:
        unit_of_work.rollback()  # a failed flush leaves the session unusable: the unit of work is abandoned
        raise ParameterError(_("Cette valeur existe déjà dans cette liste.")) from None

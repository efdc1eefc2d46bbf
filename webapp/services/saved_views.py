"""Views of the contacts list: the built-in ones ("Tous les contacts", "Mes contacts", "Non affectés") and the
views users save from the list's filters and sort, private or shared with their entities.

A view is a query string of the list (filters and sort, never the page or the page size). A shared view is
visible to the users of the entities it was shared with, and to its owner; only its owner renames or deletes it.
"""
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from .. import unit_of_work
from ..extensions import db
from ..models import Entity, SavedView, User, saved_view_entities, user_entities
from ..queries import COUNT_CAP, ContactQuery
from ..rules import clean_line
from . import preferences

MAX_NAME = 80
MAX_VIEWS = 50  # per user: the switcher is a menu, not a list to page through
DEFAULT_KEY = "contacts.default_view"
NOT_STATE = ("page", "per_page", "count")  # how the list is read, not which contacts it shows


@dataclass(frozen=True)
class View:
    """One entry of the view switcher: `key` is "all", "mine", "unassigned" or "view:<id>"."""

    key: str
    query: str
    name: str = ""  # a saved view's name; the built-in ones are worded by the template
    saved: SavedView | None = None
    owner_name: str = ""
    own: bool = False


class ViewProblem(ValueError):
    """A name or a share the service refuses; `code` says which (the blueprint words it)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def state_of(query: ContactQuery) -> str:
    """The view part of a list's state as a query string: its filters and sort, in ContactQuery's order."""
    return urlencode([(k, v) for k, v in query.params() if k not in NOT_STATE])


def state_of_args(user: User, args) -> str:
    """The view part of a query string (or MultiDict) as the list would read it for this user: hostile values
    become defaults, ids the user may not see are dropped."""
    if isinstance(args, str):
        args = MultiDict(parse_qsl(args, keep_blank_values=True))
    query = ContactQuery.from_args(args)
    query.keep_visible_ids(user)
    return state_of(query)


def built_in(user: User) -> list[View]:
    return [View("all", ""), View("mine", urlencode([("assigned", user.id)])),
            View("unassigned", urlencode([("assigned", "none")]))]


def _visible(user: User):
    """Own views, and views shared with one of the user's entities."""
    mine = select(user_entities.c.entity_id).where(user_entities.c.user_id == user.id)
    shared = select(saved_view_entities.c.view_id).where(saved_view_entities.c.entity_id.in_(mine))
    return or_(SavedView.owner_id == user.id, and_(SavedView.shared.is_(True), SavedView.id.in_(shared)))


def views_for(user: User) -> list[View]:
    """The built-in views, then the saved ones the user may see, by name (one statement)."""
    rows = db.session.execute(
        select(SavedView, User.last_name, User.first_name).join(User, User.id == SavedView.owner_id)
        .where(_visible(user)).order_by(SavedView.name, SavedView.id)).all()
    saved = [View(f"view:{view.id}", view.query, view.name, view, f"{last.upper()} {first}".strip(),
                  view.owner_id == user.id) for view, last, first in rows]
    return built_in(user) + saved


def visible_view(user: User, view_id: int) -> SavedView | None:
    return db.session.scalar(select(SavedView).where(SavedView.id == view_id, _visible(user)))


def own_view(user: User, view_id: int) -> SavedView | None:
    """The view when the user owns it; None otherwise (someone else's view is not theirs to change)."""
    return db.session.scalar(select(SavedView).where(SavedView.id == view_id, SavedView.owner_id == user.id))


def counts(user: User, views: list[View]) -> dict[str, tuple[int, bool]]:
    """Each view's number of contacts (and whether it is the "10 000+" cap), in one counting statement beside
    the labels statement of each view that filters on ids."""
    if not views:
        return {}
    columns = []
    for index, view in enumerate(views):
        query = ContactQuery.from_args(MultiDict(parse_qsl(view.query, keep_blank_values=True)))
        columns.append(query.count_statement(user).scalar_subquery().label(f"c{index}"))
    row = db.session.execute(select(*columns)).one()
    return {view.key: (min(total, COUNT_CAP), total > COUNT_CAP) for view, total in zip(views, row, strict=True)}


def _checked_name(name: str | None) -> str:
    name = clean_line(name)
    if not name:
        raise ViewProblem("name_required")
    if len(name) > MAX_NAME:
        raise ViewProblem("name_too_long")
    return name


def _name_taken(user: User, name: str, except_id: int | None = None) -> bool:
    query = select(SavedView.id).where(SavedView.owner_id == user.id, SavedView.name == name)
    if except_id:
        query = query.where(SavedView.id != except_id)
    return db.session.scalar(query) is not None


def save_view(user: User, name: str, args, shared: bool) -> SavedView:
    """Name the list's current filters and sort; shared, the view is offered to the users of the user's entities."""
    name = _checked_name(name)
    if _name_taken(user, name):
        raise ViewProblem("name_taken")
    if db.session.scalar(select(db.func.count()).select_from(SavedView).where(SavedView.owner_id == user.id)) \
            >= MAX_VIEWS:
        raise ViewProblem("too_many")
    entities = db.session.scalars(select(Entity).join(user_entities, user_entities.c.entity_id == Entity.id)
                                  .where(user_entities.c.user_id == user.id)).all() if shared else []
    if shared and not entities:
        raise ViewProblem("no_entity")
    view = SavedView(owner_id=user.id, name=name, query=state_of_args(user, args), shared=shared,
                     entities=list(entities))
    db.session.add(view)
    _flush()
    return view


def rename_view(user: User, view_id: int, name: str) -> SavedView | None:
    """Rename one of the user's views; None when it is not theirs (or does not exist)."""
    view = own_view(user, view_id)
    if view is None:
        return None
    name = _checked_name(name)
    if _name_taken(user, name, except_id=view.id):
        raise ViewProblem("name_taken")
    view.name = name
    _flush()
    return view


def delete_view(user: User, view_id: int) -> bool:
    """Delete one of the user's views; False when it is not theirs. A default view that is gone falls back to
    "Tous les contacts" for whoever chose it."""
    view = own_view(user, view_id)
    if view is None:
        return False
    db.session.delete(view)
    db.session.flush()
    return True


def _flush() -> None:
    try:
        db.session.flush()
    except IntegrityError as error:  # the same name saved meanwhile by another request of the same user
        unit_of_work.rollback()  # the session is unusable after a failed flush
        raise ViewProblem("name_taken") from error


def default_key(user: User) -> str:
    return preferences.of(user, DEFAULT_KEY, "all")  # read with the user: no statement of its own


def default_state(user: User) -> str | None:
    """The query string of the user's default view, or None when it is "Tous les contacts" (or is gone)."""
    key = default_key(user)
    if key == "all":
        return None
    if key.startswith("view:"):
        view = visible_view(user, int(key.removeprefix("view:")))
        return view.query if view is not None else None
    return next(view.query for view in built_in(user) if view.key == key)

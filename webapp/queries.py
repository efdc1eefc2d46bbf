"""ContactQuery: reads the list's URL, builds its SELECTs and builds its links (after Django's ChangeList).

All the list's state lives in the query string, so a reload, a bookmark, a shared link, Back and Forward give
the same screen. Every parameter is checked against an allow-list; anything else falls back to a default."""
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, exists, false, func, literal, or_, select, text, true, union_all
from sqlalchemy.orm import aliased
from werkzeug.datastructures import MultiDict

from .extensions import db
from .listing import Column, Listing, last_page, read_page
from .models import (Client, Contact, Deal, Department, Entity, Opportunity, Origin, Proposal, RevenueRange, Sector,
                     SizeBand, Skill, Task, User, client_entities, contact_skills)
from .models.duplicates import MAX_GROUP, DuplicateDismissal, DuplicateKey
from .scope import client_visible, contact_visible_filter, visible_client_ids
from .text import digits, search_fold

PER_PAGE_CHOICES = (20, 50, 100, 200)
DEFAULT_PER_PAGE = 50
COUNT_CAP = 10_000
MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
MAX_IDS = 200
PHONE_QUERY = re.compile(r"^\+?[\d\s.\-()/]{2,}$")

ClientOwner = aliased(User, name="client_owner")
ContactOwner = aliased(User, name="contact_owner")

# The list's columns, in screen order: header, cell (its branch of the row macro in partials/contacts/_cells.html),
# sort, editor.
# Every order ends on Contact.id so pages never overlap.
COLUMNS = (
    Column("company", _l("Société"), cell="company",
           sort=(Contact.company_key, Contact.last_name_key, Contact.first_name_key)),
    Column("client_owner", _l("Client affecté à"), cell="client_owner",
           sort=(ClientOwner.name_key, Contact.company_key, Contact.last_name_key)),
    Column("last_name", _l("Nom"), cell="last_name", edit_field="last_name",
           sort=(Contact.last_name_key, Contact.first_name_key)),
    Column("first_name", _l("Prénom"), cell="first_name", edit_field="first_name",
           sort=(Contact.first_name_key, Contact.last_name_key)),
    Column("function", _l("Fonction"), cell="function", edit_field="function",
           sort=(Contact.function_key, Contact.last_name_key)),
    Column("phone", _l("Téléphone"), cell="phone", edit_field="phone",
           sort=(Contact.phone_e164, Contact.last_name_key)),
    Column("mobile", _l("Mobile"), cell="mobile", edit_field="mobile",
           sort=(Contact.mobile_e164, Contact.last_name_key)),
    Column("fax", _l("Fax"), cell="fax", edit_field="fax", sort=(Contact.fax_e164, Contact.last_name_key)),
    Column("owner", _l("Affecté à"), cell="owner", edit_field="owner_id",
           sort=(ContactOwner.name_key, Contact.last_name_key)),
    Column("deals", _l("Affaires"), cell="deals", css_class="deals",
           sort=(Contact.deal_count, Contact.company_key, Contact.last_name_key, Contact.first_name_key)),
)
SORTS = {column.key: column.sort for column in COLUMNS if column.sortable}
COLUMN_KEYS = tuple(column.key for column in COLUMNS)


def visible_columns(columns: tuple, hidden: list[str] | tuple[str, ...]) -> tuple:
    """The columns a user shows among `columns` (the column chooser hides the others); never none at all."""
    shown = tuple(column for column in columns if column.key not in hidden)
    return shown or columns
# The fields a cell of the list edits in place, with the column's label (the inline editor's allow-list).
INLINE_FIELDS = {column.edit_field: column.label for column in COLUMNS if column.editable}
ARCHIVED_CHOICES = ("exclude", "include", "only")
ACTIVE_CHOICES = ("active", "inactive", "all")
# multi-valued filters on the client account: parameter -> (column, model for chip labels)
CLIENT_FILTERS = {
    "size": (Client.size_band_id, SizeBand),
    "revenue": (Client.revenue_range_id, RevenueRange),
    "sector": (Client.sector_id, Sector),
    "origin": (Client.origin_id, Origin),
}
ID_FILTERS = ("assigned", "client", "entity", "size", "revenue", "sector", "origin", "skill")


def _ids(values: list[str], allow_none: bool = False) -> tuple[list[int], bool]:
    """Keep the positive integer ids (and "none" when allowed); anything else is dropped."""
    ids, wants_none = [], False
    for value in values[:MAX_IDS]:
        if allow_none and value == "none":
            wants_none = True
        elif value.isdigit() and 0 < int(value) < 2**31:
            ids.append(int(value))
    return sorted(set(ids)), wants_none


def _int(value: str | None, default: int) -> int:
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 10 else default


@dataclass
class Chip:
    """An active filter the user can remove."""

    label: str
    remove_url: str


@dataclass
class ContactQuery(Listing):
    """The list's state, parsed from the URL and bounded."""

    columns = COLUMNS
    sorts = SORTS
    default_sort = "company"
    per_page_choices = PER_PAGE_CHOICES

    q: str = ""
    assigned: list[int] = field(default_factory=list)
    unassigned: bool = False
    client: list[int] = field(default_factory=list)
    entity: list[int] = field(default_factory=list)
    size: list[int] = field(default_factory=list)
    revenue: list[int] = field(default_factory=list)
    sector: list[int] = field(default_factory=list)
    origin: list[int] = field(default_factory=list)
    skill: list[int] = field(default_factory=list)
    archived: str = "exclude"
    active: str = "active"
    duplicates: bool = False  # only the contacts of "Doublons possibles"
    sort: str = "company"
    descending: bool = False
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    exact_count: bool = False
    notices: list[str] = field(default_factory=list)
    # (filter, id) -> label of the ids the user may see; None until read (see keep_visible_ids).
    labels: dict[tuple[str, int], str] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_args(cls, args: MultiDict) -> "ContactQuery":
        """Parse the query string; hostile or unknown values become defaults (with a notice when it matters)."""
        query = cls()
        q = " ".join(args.get("q", "").replace("\x00", "").split())
        if len(q) > MAX_QUERY_LENGTH:
            q = q[:MAX_QUERY_LENGTH]
            query.notices.append(_("La recherche a été raccourcie à %(max)d caractères.", max=MAX_QUERY_LENGTH))
        query.q = q
        query.assigned, query.unassigned = _ids(args.getlist("assigned"), allow_none=True)
        for name in ("client", "entity", "size", "revenue", "sector", "origin", "skill"):
            setattr(query, name, _ids(args.getlist(name))[0])
        query.archived = args.get("archived") if args.get("archived") in ARCHIVED_CHOICES else "exclude"
        query.active = args.get("active") if args.get("active") in ACTIVE_CHOICES else "active"
        query.duplicates = args.get("duplicates") == "1"
        query.read_sort(args.get("sort"))
        query.page = read_page(args.get("page"))
        # A per_page typed by hand takes the nearest size the list offers.
        per_page = _int(args.get("per_page"), DEFAULT_PER_PAGE)
        query.per_page = min(PER_PAGE_CHOICES, key=lambda choice: (abs(choice - per_page), choice))
        query.exact_count = args.get("count") == "exact"
        return query

    # ---- URL side -------------------------------------------------------------------------------------------

    def state(self) -> dict:
        """The list's parameters as its URL carries them."""
        return {
            "q": self.q, "assigned": [*map(str, self.assigned), *(["none"] if self.unassigned else [])],
            **{name: [str(v) for v in getattr(self, name)] for name in ID_FILTERS if name != "assigned"},
            "archived": self.archived, "active": self.active, "duplicates": "1" if self.duplicates else "",
            "sort": self.sort_param,
            "page": self.page, "per_page": self.per_page, "count": "exact" if self.exact_count else "",
        }

    def defaults(self) -> dict:
        """The parameters' values when the URL leaves them out."""
        return {"archived": "exclude", "active": "active", "sort": self.default_sort, "page": 1,
                "per_page": DEFAULT_PER_PAGE}

    def base_url(self) -> str:
        """The list's URL without parameters."""
        return url_for("contacts.index")

    @property
    def is_filtered(self) -> bool:
        return bool(self.q or self.assigned or self.unassigned or any(getattr(self, n) for n in ID_FILTERS)
                    or self.archived != "exclude" or self.active != "active" or self.duplicates)

    def without(self, name: str, value=None) -> str:
        """The URL with one filter value removed (for a chip)."""
        if name == "assigned" and value == "none":
            return self.url(assigned=[str(v) for v in self.assigned])
        if name in ID_FILTERS:
            remaining = [str(v) for v in getattr(self, name) if v != value]
            if name == "assigned" and self.unassigned:
                remaining.append("none")
            return self.url(**{name: remaining})
        defaults = {"q": "", "archived": "exclude", "active": "active", "duplicates": ""}
        return self.url(**{name: defaults[name]})

    def url(self, **changes) -> str:
        """The list's URL with this state; never the bare list, which opens the user's default view (`?q=` is
        "Tous les contacts")."""
        params = self.params(**changes)
        return self.base_url() + "?" + (urlencode(params) if params else "q=")

    def export_url(self) -> str:
        """The export's dialog for this state (its filters and order; the page does not matter)."""
        return url_for("contacts.export_dialog") + "?" + urlencode(self.params(page=1))

    def clear_url(self) -> str:
        return self.base_url() + "?" + (urlencode(self._keep_view()) if self._keep_view() else "q=")

    def _keep_view(self) -> list[tuple[str, str]]:
        return [(k, v) for k, v in self.params() if k in ("sort", "per_page")]

    # ---- SQL side -------------------------------------------------------------------------------------------

    def keep_visible_ids(self, user: User) -> None:
        """Read the filters' labels through the user's scope and drop, with a notice, every id without one.

        An id outside the user's entities is treated exactly as an unknown id, so that neither its name (in a
        chip) nor its existence shows."""
        if self.labels is not None:
            return
        self.labels = self._labels(user)
        dropped = False
        for name in ID_FILTERS:
            kept = [value for value in getattr(self, name) if (name, value) in self.labels]
            dropped = dropped or len(kept) < len(getattr(self, name))
            setattr(self, name, kept)
        if dropped:
            self.notices.append(_("Un filtre sur une valeur inconnue ou hors de vos entités a été retiré."))

    def conditions(self, user: User) -> list:
        """The WHERE conditions of this state, entity scope first."""
        self.keep_visible_ids(user)
        conditions = [contact_visible_filter(user)]
        client_conditions = []
        if self.archived == "exclude":  # NOT IN a few archived accounts: a filter, never the way in
            conditions.append(Contact.client_id.not_in(select(Client.id).where(Client.archived.is_(True))))
        elif self.archived == "only":
            client_conditions.append(Client.archived.is_(True))
        for name, (column, _model) in CLIENT_FILTERS.items():
            if ids := getattr(self, name):
                client_conditions.append(column.in_(ids))
        if client_conditions:
            conditions.append(Contact.client_id.in_(select(Client.id).where(*client_conditions)))
        if self.active == "active":
            conditions.append(Contact.left_company.is_(False))
        elif self.active == "inactive":
            conditions.append(Contact.left_company.is_(True))
        if self.client:
            conditions.append(Contact.client_id.in_(self.client))
        if self.entity:
            conditions.append(Contact.client_id.in_(
                select(client_entities.c.client_id).where(client_entities.c.entity_id.in_(self.entity))))
        if self.assigned or self.unassigned:
            conditions.append(or_(Contact.owner_id.in_(self.assigned) if self.assigned else false(),
                                  Contact.owner_id.is_(None) if self.unassigned else false()))
        if self.skill:
            conditions.append(Contact.id.in_(
                select(contact_skills.c.contact_id).where(contact_skills.c.skill_id.in_(self.skill))))
        if self.duplicates:
            conditions.append(Contact.id.in_(possible_duplicates(user)))
        conditions.extend(search_conditions(self.q, db.engine.dialect.name))
        return conditions

    def count_statement(self, user: User) -> Select:
        """The SELECT of the count (stopping past COUNT_CAP unless exact), to run alone or beside others."""
        inner = select(literal(1)).select_from(Contact).where(*self.conditions(user))
        if not self.exact_count:
            inner = inner.limit(COUNT_CAP + 1)
        return select(func.count()).select_from(inner.subquery())

    def count(self, user: User) -> tuple[int, bool]:
        """How many contacts match, and whether that number is a cap ("10 000+") rather than exact."""
        total = db.session.scalar(self.count_statement(user))
        if not self.exact_count and total > COUNT_CAP:
            return COUNT_CAP, True
        return total, False

    def rows_statement(self, user: User, offset: int, extra: tuple = ()) -> Select:
        """One SELECT for a page: contact, account, both owners and the three Affaires counters.

        The page's ids are chosen first from the contact table alone (its order index carries the filter
        columns, so deep pages never read the rows they skip); only those rows are then joined."""
        page_ids = select(Contact.id).where(*self.conditions(user), *extra)
        if self.sort == "client_owner":
            page_ids = page_ids.join(Client, Client.id == Contact.client_id).outerjoin(
                ClientOwner, ClientOwner.id == Client.owner_id)
        elif self.sort == "owner":
            page_ids = page_ids.outerjoin(ContactOwner, ContactOwner.id == Contact.owner_id)
        page_ids = page_ids.order_by(*self._order_by()).limit(self.per_page).offset(offset).subquery()
        counters = [
            select(func.count()).where(model.contact_id == Contact.id).correlate(Contact).scalar_subquery()
            .label(name)
            for name, model in (("opportunities", Opportunity), ("proposals", Proposal), ("deals", Deal),
                                ("tasks", Task))
        ]
        return (
            select(Contact.id, Contact.client_id, Contact.last_name, Contact.first_name, Contact.function,
                   Contact.phone, Contact.phone_e164, Contact.mobile, Contact.mobile_e164, Contact.fax,
                   Contact.fax_e164, Contact.email, Contact.left_company, Contact.version, Contact.owner_id,
                   Client.name.label("company"), Client.archived.label("client_archived"),
                   ClientOwner.last_name.label("client_owner_last"),
                   ClientOwner.first_name.label("client_owner_first"),
                   ContactOwner.last_name.label("owner_last"), ContactOwner.first_name.label("owner_first"),
                   *counters)
            .join(page_ids, page_ids.c.id == Contact.id)
            .join(Client, Client.id == Contact.client_id)
            .outerjoin(ClientOwner, ClientOwner.id == Client.owner_id)
            .outerjoin(ContactOwner, ContactOwner.id == Contact.owner_id)
            .order_by(*self._order_by())
        )

    def export_statement(self, user: User, ids: list[int] | None = None, extra_columns: tuple = ()) -> Select:
        """Every contact the list shows in its order, without pages (a spreadsheet export): the page's columns,
        the Affaires counters and `extra_columns` (on Contact, Client or Department). With `ids`, those contacts
        only (a selection), still through the user's scope and in the list's order."""
        if ids is None:
            conditions = self.conditions(user)
        else:
            conditions = [contact_visible_filter(user), Contact.id.in_(sorted(set(ids)))]
        counters = [
            select(func.count()).where(model.contact_id == Contact.id).correlate(Contact).scalar_subquery()
            .label(name)
            for name, model in (("opportunities", Opportunity), ("proposals", Proposal), ("deals", Deal))
        ]
        return (
            select(Contact.id, Contact.client_id, Contact.last_name, Contact.first_name, Contact.function,
                   Contact.phone, Contact.phone_e164, Contact.mobile, Contact.mobile_e164, Contact.fax,
                   Contact.fax_e164, Client.name.label("company"),
                   ClientOwner.last_name.label("client_owner_last"),
                   ClientOwner.first_name.label("client_owner_first"),
                   ContactOwner.last_name.label("owner_last"), ContactOwner.first_name.label("owner_first"),
                   *counters, *extra_columns)
            .select_from(Contact)
            .join(Client, Client.id == Contact.client_id)
            .outerjoin(ClientOwner, ClientOwner.id == Client.owner_id)
            .outerjoin(ContactOwner, ContactOwner.id == Contact.owner_id)
            .outerjoin(Department, Department.id == Contact.department_id)
            .where(*conditions)
            .order_by(*self._order_by())
        )

    def _order_by(self):
        """Blanks last, either way. NULLS LAST is written only where a NULL can occur: on a NOT NULL column of
        the contact it would keep SQLite from reading the order index to the end (it sorts again) and
        PostgreSQL from reading it backwards."""
        ordered = []
        for column in (*SORTS[self.sort], Contact.id):
            clause = column.desc() if self.descending else column.asc()
            own = column.expression
            ordered.append(clause if own.table is Contact.__table__ and not own.nullable else clause.nulls_last())
        return ordered

    def page_of_rows(self, user: User) -> "ResultPage":
        """The page asked for (or the last one when it is past the end), with the count."""
        total, capped = self.count(user)
        last = last_page(total, self.per_page)
        if not capped and self.page > last:
            self.page = last
        rows = db.session.execute(self.rows_statement(user, (self.page - 1) * self.per_page)).all()
        if not rows and self.page > 1 and capped:  # past the end of a capped count: find the real end
            self.exact_count = True
            total, capped = self.count(user)
            self.page = last_page(total, self.per_page)
            self.exact_count = False
            rows = db.session.execute(self.rows_statement(user, (self.page - 1) * self.per_page)).all()
        return ResultPage(rows=rows, total=total, capped=capped, page=self.page, per_page=self.per_page)

    @staticmethod
    def row_for(user: User, contact_id: int):
        """One contact as a list row (whatever the filters), or None outside the user's scope."""
        query = ContactQuery(archived="include", active="all", per_page=1)
        return db.session.execute(query.rows_statement(user, 0, extra=(Contact.id == contact_id,))).first()

    def chips(self) -> list[Chip]:
        """The active filters as removable chips, with the labels keep_visible_ids read through the scope."""
        chips = []
        if self.q:
            chips.append(Chip(_("« %(label)s »", label=self.q), self.without("q")))
        labels = self.labels or {}
        if self.unassigned:
            chips.append(Chip(_("Non affecté"), self.without("assigned", "none")))
        for name in ID_FILTERS:
            for value in getattr(self, name):
                if (name, value) in labels:
                    chips.append(Chip(labels[(name, value)], self.without(name, value)))
        if self.archived == "include":
            chips.append(Chip(_("Clients archivés inclus"), self.without("archived")))
        elif self.archived == "only":
            chips.append(Chip(_("Clients archivés seulement"), self.without("archived")))
        if self.active == "inactive":
            chips.append(Chip(_("Contacts inactifs"), self.without("active")))
        elif self.active == "all":
            chips.append(Chip(_("Contacts actifs et inactifs"), self.without("active")))
        if self.duplicates:
            chips.append(Chip(_("Doublons possibles"), self.without("duplicates")))
        return chips

    def _labels(self, user: User) -> dict[tuple[str, int], str]:
        """The labels of the filters' ids that the user may see, in one statement."""
        parts = []
        sources = {"assigned": (User.id, func.trim(User.last_name + " " + User.first_name), true()),
                   "client": (Client.id, Client.name, client_visible(user)),
                   "entity": (Entity.id, Entity.label, true()),
                   "skill": (Skill.id, Skill.label, true()),
                   **{name: (model.id, model.label, true()) for name, (_c, model) in CLIENT_FILTERS.items()}}
        for name, (id_column, label_column, scope) in sources.items():
            if ids := getattr(self, name):
                parts.append(select(literal(name).label("kind"), id_column.label("id"), label_column.label("label"))
                             .where(id_column.in_(ids), scope))
        if not parts:
            return {}
        rows = db.session.execute(union_all(*parts) if len(parts) > 1 else parts[0]).all()
        return {(kind, ident): label for kind, ident, label in rows}


@dataclass
class ResultPage:
    rows: list
    total: int
    capped: bool
    page: int
    per_page: int

    @property
    def last_page(self) -> int | None:
        return None if self.capped else last_page(self.total, self.per_page)

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.rows else 0

    @property
    def last_index(self) -> int:
        return (self.page - 1) * self.per_page + len(self.rows)


def search_terms(q: str) -> list[str]:
    """The words of a search folded as the stored search text is (text.search_fold: no case, accent, apostrophe
    nor hyphen); a phone-like search is one term of digits, international prefixes "00" and "(0)" dropped."""
    if not q:
        return []
    if PHONE_QUERY.match(q) and len(digits(q)) >= 2:
        number = digits(q.replace("(0)", ""))
        return [number[2:] if number.startswith("00") and len(number) > 4 else number]
    return [term for term in search_fold(q).split(" ") if term][:MAX_TERMS]


def _like_escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_conditions(q: str, dialect: str) -> list:
    """Each word must appear inside the contact's folded search text (names, company, function, e-mail, phones).

    PostgreSQL answers LIKE from its trigram index. SQLite answers words of three letters or more from the FTS5
    trigram table (one MATCH for all of them) and checks shorter ones with LIKE."""
    terms = search_terms(q)
    conditions = []
    if dialect == "sqlite" and (long_terms := [t for t in terms if len(t) >= 3]):
        match = " AND ".join('"' + term.replace('"', '""') + '"' for term in long_terms)
        conditions.append(Contact.id.in_(select(text("rowid")).select_from(text("contact_fts"))
                                         .where(text("contact_fts MATCH :fts_match").bindparams(fts_match=match))))
        terms = [t for t in terms if len(t) < 3]
    conditions += [Contact.search_text.like(f"%{_like_escape(term)}%", escape="\\") for term in terms]
    return conditions


def possible_duplicates(user: User) -> Select:
    """The ids of the contacts that share a key (e-mail, phone, name at the account) with another contact the user
    may see, in a group of at most MAX_GROUP, unless the two were said not to be duplicates: the contacts of the
    "Doublons possibles" screen, as a list filter. Read from the partial index of shared keys."""
    mine, other = aliased(DuplicateKey), aliased(DuplicateKey)
    dismissed = exists().where(or_(
        and_(DuplicateDismissal.low_id == mine.contact_id, DuplicateDismissal.high_id == other.contact_id),
        and_(DuplicateDismissal.low_id == other.contact_id, DuplicateDismissal.high_id == mine.contact_id)))
    statement = (select(mine.contact_id)
                 .join(other, and_(other.kind == mine.kind, other.key == mine.key, other.contact_id != mine.contact_id,
                                   other.group_size > 1))
                 .where(mine.group_size > 1, mine.group_size <= MAX_GROUP, ~dismissed))
    if visible_client_ids(user) is not None:
        statement = statement.where(client_visible(user, other.client_id))
    return statement

"""The accounts list's state (search, archived, page) read from the URL, its query and its links."""
import re
from dataclasses import dataclass, field

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..listing import Column, Listing, read_page
from ..models import Client, Contact, User
from ..scope import client_visible
from ..text import digits, fold

PER_PAGE = 50
MAX_QUERY = 200
ARCHIVED_CHOICES = ("exclude", "include", "only")
DIGITS_ONLY = re.compile(r"^[\d\s]+$")
# Cities are matched ignoring accents too. PostgreSQL's lower() knows accented capitals and translate() strips the
# accents in one call; SQLite's lower() only knows ASCII, so SQLite connections get crm_fold(), webapp.text.fold
# (registered with the connection's other settings in webapp/__init__.py).
_ACCENTED, _PLAIN = "àâäáãåéèêëíìîïóòôöõúùûüçñÿ", "aaaaaaeeeeiiiiooooouuuucny"

# The accounts table, in screen order; it has one order (by name), so no column sorts.
COLUMNS = (Column("name", _l("Société")), Column("siren", _l("SIREN")), Column("city", _l("Ville")),
           Column("owner", _l("Client affecté à")), Column("entities", _l("Entités")),
           Column("contacts", _l("Contacts")))


def _folded(column):
    if db.engine.dialect.name == "sqlite":
        return func.crm_fold(column)
    return func.replace(func.replace(func.translate(func.lower(column), _ACCENTED, _PLAIN), "œ", "oe"), "æ", "ae")


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


@dataclass
class ClientSearch(Listing):
    """What the accounts list shows: matches for `q` (every word in the name or the city; digits in the SIREN)."""

    columns = COLUMNS

    q: str = ""
    archived: str = "exclude"
    page: int = 1
    per_page: int = PER_PAGE
    total: int = 0
    rows: list = field(default_factory=list)

    @classmethod
    def from_args(cls, args) -> "ClientSearch":
        """Read the search from the URL; unknown values fall back to the defaults."""
        q = " ".join(args.get("q", "").replace("\x00", "").split())[:MAX_QUERY]
        archived = args.get("archived") if args.get("archived") in ARCHIVED_CHOICES else "exclude"
        return cls(q=q, archived=archived, page=read_page(args.get("page")))

    def conditions(self, user: User) -> list:
        conditions = [client_visible(user)]
        if self.archived == "exclude":
            conditions.append(Client.archived.is_(False))
        elif self.archived == "only":
            conditions.append(Client.archived.is_(True))
        if self.q and DIGITS_ONLY.match(self.q):
            conditions.append(or_(Client.siren.like(_like(digits(self.q)), escape="\\"),
                                  Client.name_key.like(_like(fold(self.q)), escape="\\")))
        else:
            for term in fold(self.q).split(" ")[:8] if self.q else []:
                conditions.append(or_(Client.name_key.like(_like(term), escape="\\"),
                                      _folded(Client.city).like(_like(term), escape="\\")))
        return conditions

    def load(self, user: User) -> "ClientSearch":
        """Count the matches and read the page (the last one when asked past the end)."""
        conditions = self.conditions(user)
        self.total = db.session.scalar(select(func.count()).select_from(Client).where(*conditions))
        self.clamp_page()
        contacts = (select(func.count()).where(Contact.client_id == Client.id).correlate(Client)
                    .scalar_subquery().label("contacts"))
        self.rows = db.session.execute(
            select(Client, contacts).where(*conditions).order_by(Client.name_key, Client.id)
            .limit(self.per_page).offset((self.page - 1) * self.per_page)
            .options(selectinload(Client.owner), selectinload(Client.entities))).all()
        return self

    def state(self) -> dict:
        """The search's parameters as its URL carries them."""
        return {"q": self.q, "archived": self.archived, "page": self.page}

    def defaults(self) -> dict:
        """The parameters' values when the URL leaves them out."""
        return {"archived": "exclude", "page": 1}

    def base_url(self) -> str:
        """The list's URL without parameters."""
        return url_for("clients.index")

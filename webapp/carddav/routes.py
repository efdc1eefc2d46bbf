"""CardDAV requests: HTTP Basic with an app password, then discovery (/.well-known/carddav, the principal, the
address book home), each book's properties and reports, and each card's GET, PUT and DELETE."""
import math
from urllib.parse import quote, unquote, urlsplit

from flask import Response, current_app, g, redirect, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import rights
from ..extensions import db
from ..models import Contact
from ..models.types import utcnow
from ..services import app_passwords, carddav_books as books, carddav_settings, carddav_write
from ..services.vcard_export import export_cards
from ..services.vcard_write import contact_to_vcard
from . import bp
from . import dav_xml as x
from .filters import card_matches

METHODS = ["OPTIONS", "PROPFIND", "REPORT", "GET", "HEAD", "PUT", "DELETE"]
DAV_HEADER = "1, 3, addressbook"
CARD_TYPE = "text/vcard; charset=utf-8"


@bp.route("/.well-known/carddav", methods=METHODS)
def well_known():
    """Discovery (RFC 6764): the address books' root."""
    return redirect(url_for("carddav.root"), 301)


@bp.before_request
def _authenticate():
    """Every request but discovery's redirect signs in with HTTP Basic: the e-mail and an app password."""
    if request.endpoint == "carddav.well_known":
        return None
    credentials = request.authorization
    result = None
    if credentials is not None and credentials.type == "basic":
        result = app_passwords.sign_in(credentials.username or "", credentials.password or "")
    if result is not None and result.locked_until is not None:
        wait = max(1, math.ceil((result.locked_until - utcnow()).total_seconds()))
        return _text(429, "Trop de tentatives échouées : réessayez plus tard.", {"Retry-After": str(wait)})
    user = result.user if result is not None else None
    if user is None:
        return Response("Adresse e-mail ou mot de passe d'application incorrect.\n", 401,
                        {"WWW-Authenticate": 'Basic realm="CRM contacts", charset="UTF-8"',
                         "Content-Type": "text/plain; charset=utf-8"})
    if not user.can(rights.CONTACTS_LIST):
        return _text(403, "Vous n'avez pas le droit de consulter les contacts.")
    g.dav_user = user
    return None


def _text(status: int, message: str, headers: dict | None = None) -> Response:
    return Response(message + "\n", status, {"Content-Type": "text/plain; charset=utf-8", **(headers or {})})


def _xml(body: str, status: int = 207, headers: dict | None = None) -> Response:
    return Response(body, status, {"Content-Type": "application/xml; charset=utf-8", **(headers or {})})


def _options() -> Response:
    return Response("", 200, {"DAV": DAV_HEADER, "Allow": ", ".join(METHODS)})


def _read_xml():
    """The request's XML body (None when empty); BadRequestBody when it is not XML."""
    return x.parse(request.get_data(cache=False))


def _depth() -> int:
    return 0 if request.headers.get("Depth", "infinity").strip() == "0" else 1


# --- the collections: root, principal, home, books -----------------------------------------------------------

def _principal_url(user) -> str:
    return url_for("carddav.principal", user_id=user.id)


def _home_url(user) -> str:
    return url_for("carddav.home", user_id=user.id)


def _book_url(user, book) -> str:
    return url_for("carddav.book", user_id=user.id, slug=book.slug)


def _common_props(user) -> dict:
    """Properties every collection answers (values written lazily: some cost a statement)."""
    return {
        "{DAV:}current-user-principal": lambda: x.href(_principal_url(user)),
        "{DAV:}principal-URL": lambda: x.href(_principal_url(user)),
        f"{{{x.CARD}}}addressbook-home-set": lambda: x.href(_home_url(user)),
        "{DAV:}owner": lambda: x.href(_principal_url(user)),
        "{DAV:}supported-report-set": lambda: "",
        "{DAV:}current-user-privilege-set": lambda: _privileges(user, writable=False),
    }


def _privileges(user, writable: bool) -> str:
    granted = ["read", "read-current-user-privilege-set"]
    if writable and user.can(rights.CONTACTS_EDIT):
        granted += ["write", "write-content", "bind", "unbind"]
    return "".join(f"<d:privilege><d:{name}/></d:privilege>" for name in granted)


def _propfind(path: str, props: dict, request_props: x.PropRequest) -> str:
    """One resource's <d:response> for what the PROPFIND asked."""
    if request_props.names_only:
        return x.response(path, {name: "" for name in props})
    if request_props.all:
        return x.response(path, {name: value() for name, value in props.items()})
    found = {name: props[name]() for name in request_props.names if name in props}
    return x.response(path, found, [name for name in request_props.names if name not in props])


def _collection(path: str, props: dict, children=()) -> Response:
    """Answer a request on a collection: OPTIONS, PROPFIND (children at depth 1), GET (a line of text)."""
    if request.method == "OPTIONS":
        return _options()
    if request.method in ("GET", "HEAD"):
        return _text(200, "Carnet d'adresses CardDAV du CRM.")
    if request.method != "PROPFIND":
        return _text(405, "Méthode non permise sur cette collection.", {"Allow": ", ".join(METHODS)})
    try:
        asked = x.prop_request(_read_xml())
    except x.BadRequestBody:
        return _text(400, "Corps XML illisible.")
    responses = [_propfind(path, props, asked)]
    if _depth():
        responses += [_propfind(child_path, child_props, asked) for child_path, child_props in children]
    return _xml(x.multistatus(responses))


def _collection_type(*kinds: str) -> str:
    return "<d:collection/>" + "".join(f"<{kind}/>" for kind in kinds)


@bp.route("/dav/", methods=METHODS)
def root():
    """The root: where a client asks who the user is."""
    user = g.dav_user
    props = {**_common_props(user), "{DAV:}resourcetype": lambda: _collection_type(),
             "{DAV:}displayname": lambda: "CRM"}
    return _collection(url_for("carddav.root"), props)


def _own(user_id: int) -> Response | None:
    if user_id != g.dav_user.id:
        return _text(403, "Ces carnets d'adresses ne sont pas les vôtres.")
    return None


@bp.route("/dav/principals/<int:user_id>/", methods=METHODS)
def principal(user_id: int):
    """The user as a principal: their name and where their address books are."""
    if refused := _own(user_id):
        return refused
    user = g.dav_user
    props = {**_common_props(user), "{DAV:}resourcetype": lambda: _collection_type("d:principal"),
             "{DAV:}displayname": lambda: x.text(user.display_name)}
    return _collection(_principal_url(user), props)


@bp.route("/dav/books/<int:user_id>/", methods=METHODS)
def home(user_id: int):
    """The address book home: the user's books."""
    if refused := _own(user_id):
        return refused
    user = g.dav_user
    props = {**_common_props(user), "{DAV:}resourcetype": lambda: _collection_type(),
             "{DAV:}displayname": lambda: x.text(user.display_name)}
    children = [(_book_url(user, book), _book_props(user, book)) for book in books.books_for(user)]
    return _collection(_home_url(user), props, children)


def _book_props(user, book, found: dict | None = None) -> dict:
    """A book's properties; its sync token reads the book (once, whatever asks for it)."""
    cache = {}

    def token() -> str:
        if "token" not in cache:
            cache["token"] = books.sync_token(user, book, found if found is not None else _members(user, book))
        return cache["token"]

    reports = "".join(f"<d:supported-report><d:report><{name}/></d:report></d:supported-report>"
                      for name in ("card:addressbook-multiget", "card:addressbook-query", "d:sync-collection"))
    return {
        **_common_props(user),
        "{DAV:}resourcetype": lambda: _collection_type("card:addressbook"),
        "{DAV:}displayname": lambda: x.text(book.name),
        f"{{{x.CARD}}}addressbook-description": lambda: x.text(book.description),
        f"{{{x.CARD}}}supported-address-data": lambda: (
            '<card:address-data-type content-type="text/vcard" version="3.0"/>'
            '<card:address-data-type content-type="text/vcard" version="4.0"/>'),
        f"{{{x.CARD}}}max-resource-size": lambda: str(current_app.config["CARDDAV_CARD_MAX_BYTES"]),
        "{DAV:}supported-report-set": lambda: reports,
        "{DAV:}current-user-privilege-set": lambda: _privileges(user, writable=True),
        "{DAV:}sync-token": lambda: x.text(token()),
        f"{{{x.CS}}}getctag": lambda: x.text(token()),
    }


def _members(user, book) -> dict:
    return books.members(user, book, current_app.config["CARDDAV_BOOK_MAX"])


def _card_props(etag: str) -> dict:
    return {"{DAV:}getetag": lambda: x.text(f'"{etag}"'), "{DAV:}getcontenttype": lambda: "text/vcard; charset=utf-8",
            "{DAV:}resourcetype": lambda: ""}


def _book_or_404(user_id: int, slug: str):
    if refused := _own(user_id):
        return None, refused
    book = books.book_for(g.dav_user, slug)
    if book is None:
        return None, _text(404, "Pas de carnet d'adresses à cette adresse.")
    return book, None


@bp.route("/dav/books/<int:user_id>/<slug>/", methods=METHODS)
def book(user_id: int, slug: str):
    """One address book: its properties, its cards at depth 1, its reports."""
    found_book, refused = _book_or_404(user_id, slug)
    if refused:
        return refused
    user = g.dav_user
    base = _book_url(user, found_book)
    if request.method == "REPORT":
        return _report(user, found_book, base)
    if request.method == "PROPFIND" and _depth():
        found = _members(user, found_book)
        children = [(base + quote(name), _card_props(member.etag)) for name, member in found.items()]
        return _collection(base, _book_props(user, found_book, found), children)
    return _collection(base, _book_props(user, found_book))


# --- reports ----------------------------------------------------------------------------------------------------

def _report(user, book, base: str) -> Response:
    try:
        root_element = _read_xml()
    except x.BadRequestBody:
        return _text(400, "Corps XML illisible.")
    if root_element is None:
        return _text(400, "Rapport sans corps.")
    asked = x.prop_request(root_element)
    version = _version(asked.address_data_version)
    found = _members(user, book)
    if root_element.tag == x.qname(x.CARD, "addressbook-multiget"):
        names = [_name_in(base, element.text or "") for element in root_element.findall(x.qname(x.DAV, "href"))]
        wanted = [found.get(name) if name else None for name in names]
        missing = [element.text or "" for element, member in zip(root_element.findall(x.qname(x.DAV, "href")), wanted)
                   if member is None]
        return _xml(x.multistatus(_card_responses(base, [m for m in wanted if m], asked, version)
                                  + [x.status_response(href, "404 Not Found") for href in missing]))
    if root_element.tag == x.qname(x.CARD, "addressbook-query"):
        filters = root_element.find(x.qname(x.CARD, "filter"))
        members = list(found.values())
        limit = root_element.find(f"{x.qname(x.CARD, 'limit')}/{x.qname(x.CARD, 'nresults')}")
        return _xml(x.multistatus(_card_responses(base, members, asked, version, filters, _number(limit))))
    if root_element.tag == x.qname(x.DAV, "sync-collection"):
        return _sync(user, book, base, root_element, asked, version, found)
    return _xml(x.error("d:supported-report"), 403)


def _number(element) -> int | None:
    text = (element.text or "").strip() if element is not None else ""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 9 else None


def _name_in(base: str, href: str) -> str | None:
    """The card name an href names inside this book, or None."""
    path = unquote(urlsplit(href.strip()).path)
    if not path.startswith(unquote(base)):
        return None
    name = path[len(unquote(base)):]
    return name if name and "/" not in name else None


def _sync(user, book, base: str, root_element, asked, version: str, found: dict) -> Response:
    """sync-collection (RFC 6578): the cards changed and the names gone since the token, then the new token."""
    token = (root_element.findtext(x.qname(x.DAV, "sync-token")) or "").strip()
    if token:
        changes = books.changes_since(user, book, token, found)
        if changes is None:
            return _xml(x.error("d:valid-sync-token"), 403)
        changed, removed = changes.changed, changes.removed
    else:
        changed, removed = list(found.values()), []
    responses = _card_responses(base, changed, asked, version)
    responses += [x.status_response(base + quote(name), "404 Not Found") for name in removed]
    new_token = books.sync_token(user, book, found)
    return _xml(x.multistatus(responses, f"<d:sync-token>{x.text(new_token)}</d:sync-token>"))


def _card_responses(base: str, members: list, asked: x.PropRequest, version: str, filters=None,
                    limit: int | None = None) -> list[str]:
    """<d:response>s of cards with the properties asked; address-data written from the export, a batch of
    cards read at a time (never a statement per card)."""
    wants_data = asked.all or f"{{{x.CARD}}}address-data" in asked.names or filters is not None
    texts = {}
    if wants_data:
        by_id = {member.contact_id: member for member in members}
        for exported in export_cards(list(by_id)):
            if filters is None or card_matches(exported.card, filters):
                texts[exported.contact_id] = contact_to_vcard(exported.card, version)
        if filters is not None:
            members = [member for member in members if member.contact_id in texts]
    if limit is not None:
        members = members[:limit]
    responses = []
    for member in members:
        props = _card_props(member.etag)
        if wants_data and (asked.all or f"{{{x.CARD}}}address-data" in asked.names):
            props[f"{{{x.CARD}}}address-data"] = lambda text=texts.get(member.contact_id, ""): x.card_text(text)
        responses.append(_propfind(base + quote(member.name), props, asked))
    return responses


# --- one card ----------------------------------------------------------------------------------------------------

# Apple's Contacts (iOS dataaccessd, macOS AddressBook) read vCard 3.0 best and never ask for a version.
_VCARD3_AGENTS = ("dataaccessd", "AddressBook/", "iOS/", "macOS/")


def _version(asked: str | None) -> str:
    """The vCard version to serve: the one asked, 3.0 for Apple's clients, else 4.0."""
    if asked in ("3.0", "4.0"):
        return asked
    agent = request.headers.get("User-Agent", "")
    return "3.0" if any(name in agent for name in _VCARD3_AGENTS) else "4.0"


def _version_asked() -> str:
    """The version a GET's Accept names (text/vcard; version=3.0), else as _version decides."""
    accept = request.headers.get("Accept", "").replace(" ", "")
    return _version("3.0" if "version=3.0" in accept else "4.0" if "version=4.0" in accept else None)


def _etag_header(etag: str) -> dict:
    return {"ETag": f'"{etag}"'}


@bp.route("/dav/books/<int:user_id>/<slug>/<name>", methods=METHODS)
def card(user_id: int, slug: str, name: str):
    """One card: read it, replace it (If-Match: its ETag), create it (a name the client chose), delete it."""
    found_book, refused = _book_or_404(user_id, slug)
    if refused:
        return refused
    user = g.dav_user
    member = books.member(user, found_book, current_app.config["CARDDAV_BOOK_MAX"], name)
    if request.method == "OPTIONS":
        return _options()
    if request.method in ("GET", "HEAD"):
        if member is None:
            return _text(404, "Pas de fiche à cette adresse.")
        text = next((contact_to_vcard(item.card, _version_asked()) for item in export_cards([member.contact_id])), "")
        return Response(text, 200, {"Content-Type": CARD_TYPE, **_etag_header(member.etag)})
    if request.method == "PROPFIND":
        if member is None:
            return _text(404, "Pas de fiche à cette adresse.")
        try:
            asked = x.prop_request(_read_xml())
        except x.BadRequestBody:
            return _text(400, "Corps XML illisible.")
        return _xml(x.multistatus([_propfind(request.path, _card_props(member.etag), asked)]))
    if request.method not in ("PUT", "DELETE"):
        return _text(405, "Méthode non permise sur une fiche.", {"Allow": ", ".join(METHODS)})
    if not user.can(rights.CONTACTS_EDIT):
        return _xml(x.error("d:need-privileges", "Vous ne pouvez pas modifier les contacts : carnet en lecture "
                                                 "seule."), 403)
    if request.if_match and (member is None or not request.if_match.contains(member.etag)):
        return _text(412, "La fiche a changé dans le CRM depuis votre dernière synchronisation.")
    if request.method == "DELETE":
        return _delete(user, member)
    if member is not None and request.if_none_match.star_tag:
        return _text(412, "Une fiche existe déjà à cette adresse.")
    return _put(user, found_book, name, member)


def _contact(contact_id: int) -> Contact:
    return db.session.scalars(select(Contact).where(Contact.id == contact_id).options(
        selectinload(Contact.links), selectinload(Contact.extras), selectinload(Contact.photo),
        selectinload(Contact.client))).one()


def _stored_etag(user, book, name: str) -> dict:
    member = books.member(user, book, current_app.config["CARDDAV_BOOK_MAX"], name)
    return _etag_header(member.etag) if member else {}


def _put(user, book, name: str, member) -> Response:
    size = request.content_length
    if size is not None and size > current_app.config["CARDDAV_CARD_MAX_BYTES"]:
        return _text(413, "Fiche trop volumineuse.")
    limits = carddav_write.Limits(current_app.config["CARDDAV_CARD_MAX_BYTES"],
                                  current_app.config["PHOTO_MAX_BYTES"], current_app.config["PHOTO_MAX_PIXELS"])
    try:
        plan = carddav_write.read_card(request.get_data(cache=False), limits)
        if member is not None:
            result = carddav_write.update_from_card(_contact(member.contact_id), plan, user)
            if result.stale:
                return _text(412, "La fiche a changé dans le CRM depuis votre dernière synchronisation.")
            return Response("", 204, _stored_etag(user, book, name))
        if not books.valid_name(name) or books.contact_id_for(name) is not None:
            return _text(403, "Ce nom de fiche est réservé : choisissez-en un autre.")
        carddav_write.create_from_card(plan, user, name, carddav_settings.default_account(user))
    except carddav_write.CardRefused as error:
        return _xml(x.error("card:valid-address-data", error.message), 403)
    return Response("", 201, _stored_etag(user, book, name))


def _delete(user, member) -> Response:
    if member is None:
        return _text(404, "Pas de fiche à cette adresse.")
    result = carddav_write.leave(_contact(member.contact_id), user)
    if result.stale:
        return _text(412, "La fiche a changé dans le CRM depuis votre dernière synchronisation.")
    return Response("", 204)

"""CardDAV requests: HTTP Basic with an app password, then discovery (/.well-known/carddav, the principal, the
address book home), each book's properties and reports, and each card's GET, PUT and DELETE."""
import math
from urllib.parse import quote

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
from .answers import (CARD_TYPE, METHODS, book_members, book_props, book_url, card_props, collection_type,
                      common_props, depth, etag_header, home_url, options, plain, principal_url, propfind, read_xml,
                      version_asked, xml)
from .reports import report


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
        return plain(429, "Trop de tentatives échouées : réessayez plus tard.", {"Retry-After": str(wait)})
    user = result.user if result is not None else None
    if user is None:
        return Response("Adresse e-mail ou mot de passe d'application incorrect.\n", 401,
                        {"WWW-Authenticate": 'Basic realm="CRM contacts", charset="UTF-8"',
                         "Content-Type": "text/plain; charset=utf-8"})
    if not user.can(rights.CONTACTS_LIST):
        return plain(403, "Vous n'avez pas le droit de consulter les contacts.")
    g.dav_user = user
    return None


def _collection(path: str, props: dict, children=()) -> Response:
    """Answer a request on a collection: OPTIONS, PROPFIND (children at depth 1), GET (a line of text)."""
    if request.method == "OPTIONS":
        return options()
    if request.method in ("GET", "HEAD"):
        return plain(200, "Carnet d'adresses CardDAV du CRM.")
    if request.method != "PROPFIND":
        return plain(405, "Méthode non permise sur cette collection.", {"Allow": ", ".join(METHODS)})
    try:
        asked = x.prop_request(read_xml())
    except x.BadRequestBody:
        return plain(400, "Corps XML illisible.")
    responses = [propfind(path, props, asked)]
    if depth():
        responses += [propfind(child_path, child_props, asked) for child_path, child_props in children]
    return xml(x.multistatus(responses))


@bp.route("/dav/", methods=METHODS)
def root():
    """The root: where a client asks who the user is."""
    user = g.dav_user
    props = {**common_props(user), "{DAV:}resourcetype": lambda: collection_type(),
             "{DAV:}displayname": lambda: "CRM"}
    return _collection(url_for("carddav.root"), props)


def _own(user_id: int) -> Response | None:
    if user_id != g.dav_user.id:
        return plain(403, "Ces carnets d'adresses ne sont pas les vôtres.")
    return None


@bp.route("/dav/principals/<int:user_id>/", methods=METHODS)
def principal(user_id: int):
    """The user as a principal: their name and where their address books are."""
    if refused := _own(user_id):
        return refused
    user = g.dav_user
    props = {**common_props(user), "{DAV:}resourcetype": lambda: collection_type("d:principal"),
             "{DAV:}displayname": lambda: x.text(user.display_name)}
    return _collection(principal_url(user), props)


@bp.route("/dav/books/<int:user_id>/", methods=METHODS)
def home(user_id: int):
    """The address book home: the user's books."""
    if refused := _own(user_id):
        return refused
    user = g.dav_user
    props = {**common_props(user), "{DAV:}resourcetype": lambda: collection_type(),
             "{DAV:}displayname": lambda: x.text(user.display_name)}
    children = [(book_url(user, book), book_props(user, book)) for book in books.books_for(user)]
    return _collection(home_url(user), props, children)


def _book_or_404(user_id: int, slug: str):
    if refused := _own(user_id):
        return None, refused
    book = books.book_for(g.dav_user, slug)
    if book is None:
        return None, plain(404, "Pas de carnet d'adresses à cette adresse.")
    return book, None


@bp.route("/dav/books/<int:user_id>/<slug>/", methods=METHODS)
def book(user_id: int, slug: str):
    """One address book: its properties, its cards at depth 1, its reports."""
    found_book, refused = _book_or_404(user_id, slug)
    if refused:
        return refused
    user = g.dav_user
    base = book_url(user, found_book)
    if request.method == "REPORT":
        return report(user, found_book, base)
    if request.method == "PROPFIND" and depth():
        found = book_members(user, found_book)
        children = [(base + quote(name), card_props(member.etag)) for name, member in found.items()]
        return _collection(base, book_props(user, found_book, found), children)
    return _collection(base, book_props(user, found_book))


@bp.route("/dav/books/<int:user_id>/<slug>/<name>", methods=METHODS)
def card(user_id: int, slug: str, name: str):
    """One card: read it, replace it (If-Match: its ETag), create it (a name the client chose), delete it."""
    found_book, refused = _book_or_404(user_id, slug)
    if refused:
        return refused
    user = g.dav_user
    member = books.member(user, found_book, current_app.config["CARDDAV_BOOK_MAX"], name)
    if request.method == "OPTIONS":
        return options()
    if request.method in ("GET", "HEAD"):
        if member is None:
            return plain(404, "Pas de fiche à cette adresse.")
        text = next((contact_to_vcard(item.card, version_asked()) for item in export_cards([member.contact_id])), "")
        return Response(text, 200, {"Content-Type": CARD_TYPE, **etag_header(member.etag)})
    if request.method == "PROPFIND":
        if member is None:
            return plain(404, "Pas de fiche à cette adresse.")
        try:
            asked = x.prop_request(read_xml())
        except x.BadRequestBody:
            return plain(400, "Corps XML illisible.")
        return xml(x.multistatus([propfind(request.path, card_props(member.etag), asked)]))
    if request.method not in ("PUT", "DELETE"):
        return plain(405, "Méthode non permise sur une fiche.", {"Allow": ", ".join(METHODS)})
    if not user.can(rights.CONTACTS_EDIT):
        return xml(x.error("d:need-privileges", "Vous ne pouvez pas modifier les contacts : carnet en lecture "
                                                 "seule."), 403)
    if request.if_match and (member is None or not request.if_match.contains(member.etag)):
        return plain(412, "La fiche a changé dans le CRM depuis votre dernière synchronisation.")
    if request.method == "DELETE":
        return _delete(user, member)
    if member is not None and request.if_none_match.star_tag:
        return plain(412, "Une fiche existe déjà à cette adresse.")
    return _put(user, found_book, name, member)


def _contact(contact_id: int) -> Contact:
    return db.session.scalars(select(Contact).where(Contact.id == contact_id).options(
        selectinload(Contact.links), selectinload(Contact.extras), selectinload(Contact.photo),
        selectinload(Contact.client))).one()


def _stored_etag(user, book, name: str) -> dict:
    member = books.member(user, book, current_app.config["CARDDAV_BOOK_MAX"], name)
    return etag_header(member.etag) if member else {}


def _put(user, book, name: str, member) -> Response:
    size = request.content_length
    if size is not None and size > current_app.config["CARDDAV_CARD_MAX_BYTES"]:
        return plain(413, "Fiche trop volumineuse.")
    limits = carddav_write.Limits(current_app.config["CARDDAV_CARD_MAX_BYTES"],
                                  current_app.config["PHOTO_MAX_BYTES"], current_app.config["PHOTO_MAX_PIXELS"])
    try:
        plan = carddav_write.read_card(request.get_data(cache=False), limits)
        if member is not None:
            result = carddav_write.update_from_card(_contact(member.contact_id), plan, user)
            if result.stale:
                return plain(412, "La fiche a changé dans le CRM depuis votre dernière synchronisation.")
            return Response("", 204, _stored_etag(user, book, name))
        if not books.valid_name(name) or books.contact_id_for(name) is not None:
            return plain(403, "Ce nom de fiche est réservé : choisissez-en un autre.")
        carddav_write.create_from_card(plan, user, name, carddav_settings.default_account(user))
    except carddav_write.CardRefused as error:
        return xml(x.error("card:valid-address-data", error.message), 403)
    return Response("", 201, _stored_etag(user, book, name))


def _delete(user, member) -> Response:
    if member is None:
        return plain(404, "Pas de fiche à cette adresse.")
    result = carddav_write.leave(_contact(member.contact_id), user)
    if result.stale:
        return plain(412, "La fiche a changé dans le CRM depuis votre dernière synchronisation.")
    return Response("", 204)

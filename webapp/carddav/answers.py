"""What the CardDAV layer answers with: plain and XML responses, the properties of each kind of resource (the
principal, the home, a book, a card), the vCard version to serve; read by the routes and the reports."""
from flask import Response, current_app, request, url_for

from .. import rights
from ..services import carddav_books as books
from . import dav_xml as x

METHODS = ["OPTIONS", "PROPFIND", "REPORT", "GET", "HEAD", "PUT", "DELETE"]
DAV_HEADER = "1, 3, addressbook"
CARD_TYPE = "text/vcard; charset=utf-8"


def plain(status: int, message: str, headers: dict | None = None) -> Response:
    return Response(message + "\n", status, {"Content-Type": "text/plain; charset=utf-8", **(headers or {})})


def xml(body: str, status: int = 207, headers: dict | None = None) -> Response:
    return Response(body, status, {"Content-Type": "application/xml; charset=utf-8", **(headers or {})})


def options() -> Response:
    return Response("", 200, {"DAV": DAV_HEADER, "Allow": ", ".join(METHODS)})


def read_xml():
    """The request's XML body (None when empty); BadRequestBody when it is not XML."""
    return x.parse(request.get_data(cache=False))


def depth() -> int:
    return 0 if request.headers.get("Depth", "infinity").strip() == "0" else 1



def principal_url(user) -> str:
    return url_for("carddav.principal", user_id=user.id)


def home_url(user) -> str:
    return url_for("carddav.home", user_id=user.id)


def book_url(user, book) -> str:
    return url_for("carddav.book", user_id=user.id, slug=book.slug)


def common_props(user) -> dict:
    """Properties every collection answers (values written lazily: some cost a statement)."""
    return {
        "{DAV:}current-user-principal": lambda: x.href(principal_url(user)),
        "{DAV:}principal-URL": lambda: x.href(principal_url(user)),
        f"{{{x.CARD}}}addressbook-home-set": lambda: x.href(home_url(user)),
        "{DAV:}owner": lambda: x.href(principal_url(user)),
        "{DAV:}supported-report-set": lambda: "",
        "{DAV:}current-user-privilege-set": lambda: privileges(user, writable=False),
    }


def privileges(user, writable: bool) -> str:
    granted = ["read", "read-current-user-privilege-set"]
    if writable and user.can(rights.CONTACTS_EDIT):
        granted += ["write", "write-content", "bind", "unbind"]
    return "".join(f"<d:privilege><d:{name}/></d:privilege>" for name in granted)


def propfind(path: str, props: dict, request_props: x.PropRequest) -> str:
    """One resource's <d:response> for what the PROPFIND asked."""
    if request_props.names_only:
        return x.response(path, {name: "" for name in props})
    if request_props.all:
        return x.response(path, {name: value() for name, value in props.items()})
    found = {name: props[name]() for name in request_props.names if name in props}
    return x.response(path, found, [name for name in request_props.names if name not in props])


def collection_type(*kinds: str) -> str:
    return "<d:collection/>" + "".join(f"<{kind}/>" for kind in kinds)


def book_props(user, book, found: dict | None = None) -> dict:
    """A book's properties; its sync token reads the book (once, whatever asks for it)."""
    cache = {}

    def token() -> str:
        if "token" not in cache:
            cache["token"] = books.sync_token(user, book, found if found is not None else book_members(user, book))
        return cache["token"]

    reports = "".join(f"<d:supported-report><d:report><{name}/></d:report></d:supported-report>"
                      for name in ("card:addressbook-multiget", "card:addressbook-query", "d:sync-collection"))
    return {
        **common_props(user),
        "{DAV:}resourcetype": lambda: collection_type("card:addressbook"),
        "{DAV:}displayname": lambda: x.text(book.name),
        f"{{{x.CARD}}}addressbook-description": lambda: x.text(book.description),
        f"{{{x.CARD}}}supported-address-data": lambda: (
            '<card:address-data-type content-type="text/vcard" version="3.0"/>'
            '<card:address-data-type content-type="text/vcard" version="4.0"/>'),
        f"{{{x.CARD}}}max-resource-size": lambda: str(current_app.config["CARDDAV_CARD_MAX_BYTES"]),
        "{DAV:}supported-report-set": lambda: reports,
        "{DAV:}current-user-privilege-set": lambda: privileges(user, writable=True),
        "{DAV:}sync-token": lambda: x.text(token()),
        f"{{{x.CS}}}getctag": lambda: x.text(token()),
    }


def book_members(user, book) -> dict:
    return books.members(user, book, current_app.config["CARDDAV_BOOK_MAX"])


def card_props(etag: str) -> dict:
    return {"{DAV:}getetag": lambda: x.text(f'"{etag}"'), "{DAV:}getcontenttype": lambda: "text/vcard; charset=utf-8",
            "{DAV:}resourcetype": lambda: ""}


# Apple's Contacts (iOS dataaccessd, macOS AddressBook) read vCard 3.0 best and never ask for a version.
_VCARD3_AGENTS = ("dataaccessd", "AddressBook/", "iOS/", "macOS/")


def vcard_version(asked: str | None) -> str:
    """The vCard version to serve: the one asked, 3.0 for Apple's clients, else 4.0."""
    if asked in ("3.0", "4.0"):
        return asked
    agent = request.headers.get("User-Agent", "")
    return "3.0" if any(name in agent for name in _VCARD3_AGENTS) else "4.0"


def version_asked() -> str:
    """The version a GET's Accept names (text/vcard; version=3.0), else as version decides."""
    accept = request.headers.get("Accept", "").replace(" ", "")
    return vcard_version("3.0" if "version=3.0" in accept else "4.0" if "version=4.0" in accept else None)


def etag_header(etag: str) -> dict:
    return {"ETag": f'"{etag}"'}

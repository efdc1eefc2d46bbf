"""The REPORTs of an address book: addressbook-multiget, addressbook-query and sync-collection (RFC 6578)."""
from urllib.parse import quote, unquote, urlsplit

from flask import Response

from ..services import carddav_books as books
from ..services.vcard_export import export_cards
from ..services.vcard_write import contact_to_vcard
from . import dav_xml as x
from .answers import book_members, card_props, plain, propfind, read_xml, vcard_version, xml
from .filters import card_matches


def report(user, book, base: str) -> Response:
    try:
        root_element = read_xml()
    except x.BadRequestBody:
        return plain(400, "Corps XML illisible.")
    if root_element is None:
        return plain(400, "Rapport sans corps.")
    asked = x.prop_request(root_element)
    version = vcard_version(asked.address_data_version)
    found = book_members(user, book)
    if root_element.tag == x.qname(x.CARD, "addressbook-multiget"):
        names = [_name_in(base, element.text or "") for element in root_element.findall(x.qname(x.DAV, "href"))]
        wanted = [found.get(name) if name else None for name in names]
        missing = [element.text or "" for element, member in zip(root_element.findall(x.qname(x.DAV, "href")), wanted)
                   if member is None]
        return xml(x.multistatus(card_responses(base, [m for m in wanted if m], asked, version)
                                  + [x.status_response(href, "404 Not Found") for href in missing]))
    if root_element.tag == x.qname(x.CARD, "addressbook-query"):
        filters = root_element.find(x.qname(x.CARD, "filter"))
        members = list(found.values())
        limit = root_element.find(f"{x.qname(x.CARD, 'limit')}/{x.qname(x.CARD, 'nresults')}")
        return xml(x.multistatus(card_responses(base, members, asked, version, filters, _number(limit))))
    if root_element.tag == x.qname(x.DAV, "sync-collection"):
        return _sync(user, book, base, root_element, asked, version, found)
    return xml(x.error("d:supported-report"), 403)


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
            return xml(x.error("d:valid-sync-token"), 403)
        changed, removed = changes.changed, changes.removed
    else:
        changed, removed = list(found.values()), []
    responses = card_responses(base, changed, asked, version)
    responses += [x.status_response(base + quote(name), "404 Not Found") for name in removed]
    new_token = books.sync_token(user, book, found)
    return xml(x.multistatus(responses, f"<d:sync-token>{x.text(new_token)}</d:sync-token>"))


def card_responses(base: str, members: list, asked: x.PropRequest, version: str, filters=None,
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
        props = card_props(member.etag)
        if wants_data and (asked.all or f"{{{x.CARD}}}address-data" in asked.names):
            props[f"{{{x.CARD}}}address-data"] = lambda text=texts.get(member.contact_id, ""): x.card_text(text)
        responses.append(propfind(base + quote(member.name), props, asked))
    return responses

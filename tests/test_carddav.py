"""The CardDAV address books through HTTP as clients speak it: discovery, books per user and scope, PROPFIND,
multiget, addressbook-query, sync-collection with its tokens, PUT with If-Match (412 when stale), creation under
the client's name, DELETE as "A quitté l'entreprise", read-only users, app passwords, hostile bodies."""
import base64
import re
from types import SimpleNamespace
from xml.etree.ElementTree import fromstring

import pytest
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import AppPassword, AuditEntry, Contact, ContactExtra
from webapp.rights import CONTACTS_EDIT
from webapp.services import app_passwords, preferences
from webapp.services.contacts import update_contact

from .conftest import PASSWORD
from .record_support import role_without

NS = {"d": "DAV:", "card": "urn:ietf:params:xml:ns:carddav", "cs": "http://calendarserver.org/ns/"}
PROPFIND_ETAGS = b'<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>'


def _password(app, user) -> str:
    with app.app_context():
        _row, secret = app_passwords.create(db.session.get(type(user), user.id), "Téléphone de test")
        db.session.commit()
    return secret


@pytest.fixture
def world(app, make):
    east, west = make.entity("Est"), make.entity("Ouest")
    seller = make.user("COTILLON Marion", entities=[east], email="marion@example.com")
    other = make.user("BOLESE Géraldine", entities=[west], email="geraldine@example.com")
    aprool = make.client_account("APROOL", entities=[east])
    blou = make.client_account("BLOU", entities=[east])
    far = make.client_account("LOINTAIN", entities=[west])
    mine = make.contact(aprool, "Blou", "Hélène", owner_id=seller.id, email="helene@aprool.fr",
                        phone="01 23 45 67 89", function="Acheteuse", is_dpo=True, vcard_uid="urn:uuid:helene")
    colleague = make.contact(blou, "Martin", "Paul", owner_id=other.id)
    hidden = make.contact(far, "Secret", "Sam", owner_id=other.id)
    left = make.contact(aprool, "Parti", "Pierre", owner_id=seller.id, left_company=True)
    world = SimpleNamespace(seller=seller, other=other, aprool=aprool, blou=blou, far=far, mine=mine,
                            colleague=colleague, hidden=hidden, left=left, east=east, west=west)
    world.secret = _password(app, seller)
    return world


def _auth(email: str, secret: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{email}:{secret}".encode()).decode()}


def dav(client, world, method, path, body=b"", headers=None, user=None, secret=None):
    email = (user or world.seller).email
    return client.open(path, method=method, data=body,
                       headers={**_auth(email, secret or world.secret), **(headers or {})})


def _hrefs(response) -> dict[str, dict]:
    """{href: {property local name: text}} of a multistatus, with "status" for a bare status response."""
    found = {}
    for item in fromstring(response.data).findall("d:response", NS):
        href = item.findtext("d:href", namespaces=NS)
        props = {}
        for propstat in item.findall("d:propstat", NS):
            if "200" in propstat.findtext("d:status", namespaces=NS):
                for prop in propstat.find("d:prop", NS):
                    props[prop.tag.split("}")[1]] = "".join(prop.itertext()) or ET_CHILDREN(prop)
        if item.find("d:status", NS) is not None:
            props["status"] = item.findtext("d:status", namespaces=NS)
        found[href] = props
    return found


def ET_CHILDREN(prop):
    return " ".join(child.tag.split("}")[1] for child in prop)


def _book(world, slug="mine") -> str:
    return f"/dav/books/{world.seller.id}/{slug}/"


def test_discovery_from_the_root_url_leads_to_the_books(client, world):
    response = client.open("/.well-known/carddav", method="PROPFIND")
    assert response.status_code == 301 and response.headers["Location"].endswith("/dav/")
    body = b'<d:propfind xmlns:d="DAV:"><d:prop><d:current-user-principal/></d:prop></d:propfind>'
    root = dav(client, world, "PROPFIND", "/dav/", body, {"Depth": "0"})
    assert root.status_code == 207
    principal = _hrefs(root)["/dav/"]["current-user-principal"]
    assert principal == f"/dav/principals/{world.seller.id}/"
    body = (b'<d:propfind xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop>'
            b'<card:addressbook-home-set/><d:displayname/></d:prop></d:propfind>')
    found = _hrefs(dav(client, world, "PROPFIND", principal, body, {"Depth": "0"}))[principal]
    assert found["displayname"] == "COTILLON Marion"
    home = found["addressbook-home-set"]
    body = (b'<d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/"><d:prop><d:resourcetype/>'
            b'<d:displayname/><cs:getctag/><d:sync-token/></d:prop></d:propfind>')
    listing = _hrefs(dav(client, world, "PROPFIND", home, body, {"Depth": "1"}))
    books = {href: props for href, props in listing.items() if "addressbook" in props.get("resourcetype", "")}
    assert {props["displayname"] for props in books.values()} == {"Mes contacts", "Tous mes contacts"}
    assert all(props["sync-token"].startswith("https://") for props in books.values())


def test_a_book_lists_what_the_list_shows_the_user(client, world):
    mine = _hrefs(dav(client, world, "PROPFIND", _book(world), PROPFIND_ETAGS, {"Depth": "1"}))
    assert set(mine) == {_book(world), f"{_book(world)}{world.mine.id}.vcf"}
    everything = _hrefs(dav(client, world, "PROPFIND", _book(world, "all"), PROPFIND_ETAGS, {"Depth": "1"}))
    cards = {href.rsplit("/", 1)[1] for href in everything if href.endswith(".vcf")}
    # Not the contact of an account of another entity, not the one who left the company.
    assert cards == {f"{world.mine.id}.vcf", f"{world.colleague.id}.vcf"}
    assert re.fullmatch(r'"\d+-[0-9a-f]{8}"', everything[f"{_book(world, 'all')}{world.mine.id}.vcf"]["getetag"])


def test_another_users_books_and_hidden_contacts_are_out_of_reach(client, world):
    assert dav(client, world, "PROPFIND", f"/dav/books/{world.other.id}/mine/", PROPFIND_ETAGS).status_code == 403
    assert dav(client, world, "GET", f"{_book(world, 'all')}{world.hidden.id}.vcf").status_code == 404
    assert dav(client, world, "GET", f"{_book(world)}{world.colleague.id}.vcf").status_code == 404
    assert dav(client, world, "PROPFIND", "/dav/books/%s/nope/" % world.seller.id, PROPFIND_ETAGS).status_code == 404


def test_get_serves_the_export_with_its_etag_in_the_version_asked(client, world):
    response = dav(client, world, "GET", f"{_book(world)}{world.mine.id}.vcf")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/vcard")
    text = response.get_data(as_text=True)
    assert "VERSION:4.0" in text and "FN:Hélène Blou" in text and "ORG:APROOL" in text
    assert "UID:urn:uuid:helene" in text
    assert response.headers["ETag"].startswith('"')
    old = dav(client, world, "GET", f"{_book(world)}{world.mine.id}.vcf", headers={"Accept": "text/vcard; version=3.0"})
    assert "VERSION:3.0" in old.get_data(as_text=True)


def test_wrong_missing_or_revoked_credentials_are_refused(app, client, world):
    assert client.open("/dav/", method="PROPFIND").status_code == 401
    assert "Basic" in client.open("/dav/", method="PROPFIND").headers["WWW-Authenticate"]
    assert dav(client, world, "PROPFIND", "/dav/", secret="not-it").status_code == 401
    login_password = dav(client, world, "PROPFIND", "/dav/", secret=PASSWORD)
    assert login_password.status_code == 401  # the login password never opens the address books
    with app.app_context():
        app_passwords.revoke(db.session.get(type(world.seller), world.seller.id),
                             db.session.scalars(select(AppPassword.id)).first())
        db.session.commit()
    assert dav(client, world, "PROPFIND", "/dav/", PROPFIND_ETAGS).status_code == 401


def _multiget(world, names, version=None, slug="mine") -> bytes:
    version_attribute = f' version="{version}"' if version else ""
    hrefs = "".join(f"<d:href>{_book(world, slug)}{name}</d:href>" for name in names)
    return (f'<card:addressbook-multiget xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop>'
            f'<d:getetag/><card:address-data{version_attribute}/></d:prop>{hrefs}</card:addressbook-multiget>'
            ).encode()


def test_multiget_answers_cards_and_404_for_the_others(client, world):
    names = [f"{world.mine.id}.vcf", f"{world.hidden.id}.vcf"]
    found = _hrefs(dav(client, world, "REPORT", _book(world), _multiget(world, names, "3.0"), {"Depth": "1"}))
    card = found[f"{_book(world)}{world.mine.id}.vcf"]
    assert "VERSION:3.0" in card["address-data"] and card["getetag"].startswith('"')
    assert "404" in found[f"{_book(world)}{world.hidden.id}.vcf"]["status"]


def test_addressbook_query_filters_on_the_cards_text(client, world):
    body = (b'<card:addressbook-query xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop>'
            b'<d:getetag/></d:prop><card:filter><card:prop-filter name="EMAIL"><card:text-match '
            b'match-type="contains">ELENE@APROOL</card:text-match></card:prop-filter></card:filter>'
            b'</card:addressbook-query>')
    found = _hrefs(dav(client, world, "REPORT", _book(world, "all"), body, {"Depth": "1"}))
    assert list(found) == [f"{_book(world, 'all')}{world.mine.id}.vcf"]


def _sync(client, world, token="", slug="all"):
    body = (f'<d:sync-collection xmlns:d="DAV:"><d:sync-token>{token}</d:sync-token><d:sync-level>1</d:sync-level>'
            f'<d:prop><d:getetag/></d:prop></d:sync-collection>').encode()
    response = dav(client, world, "REPORT", _book(world, slug), body)
    return response, fromstring(response.data).findtext("d:sync-token", namespaces=NS) if response.status_code == 207 else None


def test_sync_collection_sends_only_what_changed_and_what_left(app, client, world, make):
    first, token = _sync(client, world)
    assert {href.rsplit("/", 1)[1] for href in _hrefs(first)} == {f"{world.mine.id}.vcf", f"{world.colleague.id}.vcf"}
    again, same = _sync(client, world, token)
    assert _hrefs(again) == {} and same == token  # nothing changed: nothing sent, the same token
    with app.app_context():
        contact = db.session.get(Contact, world.mine.id)
        update_contact(contact, {"function": "Directrice des achats"}, contact.version, world.other.id, "form")
        # The colleague's account leaves the user's entities: the card leaves the phone.
        from webapp.models import Client, Entity
        blou = db.session.get(Client, world.blou.id)
        blou.entities = [db.session.get(Entity, world.west.id)]
        db.session.commit()
    changed, newer = _sync(client, world, token)
    assert changed.status_code == 207, changed.data.decode()
    found = _hrefs(changed)
    assert found[f"{_book(world, 'all')}{world.mine.id}.vcf"]["getetag"]
    assert "404" in found[f"{_book(world, 'all')}{world.colleague.id}.vcf"]["status"]
    assert newer != token
    refused, _ = _sync(client, world, "https://crm.invalid/ns/sync/999999")
    assert refused.status_code == 403 and b"valid-sync-token" in refused.data


def test_a_phone_edit_reaches_the_crm_and_keeps_what_the_phone_cannot_show(app, client, world):
    href = f"{_book(world)}{world.mine.id}.vcf"
    served = dav(client, world, "GET", href, headers={"Accept": "text/vcard; version=3.0"})
    edited = served.get_data(as_text=True).replace("TITLE:Acheteuse", "TITLE:Directrice des achats")
    edited = edited.replace("END:VCARD", "TEL;TYPE=CELL:06 11 22 33 44\r\nEND:VCARD")
    response = dav(client, world, "PUT", href, edited.encode(), {"If-Match": served.headers["ETag"],
                                                                 "Content-Type": "text/vcard"})
    assert response.status_code == 204 and response.headers["ETag"] != served.headers["ETag"]
    with app.app_context():
        contact = db.session.get(Contact, world.mine.id)
        assert (contact.function, contact.mobile) == ("Directrice des achats", "06 11 22 33 44")
        assert contact.is_dpo and contact.owner_id == world.seller.id  # fields a phone has no place for
        assert contact.email == "helene@aprool.fr"
        vias = set(db.session.scalars(select(AuditEntry.via).where(AuditEntry.record_id == contact.id)))
        assert "carddav" in vias
    stale = dav(client, world, "PUT", href, edited.encode(), {"If-Match": served.headers["ETag"]})
    assert stale.status_code == 412  # the phone's copy is older than the CRM's: nothing overwritten


def test_the_served_card_sent_back_unchanged_changes_nothing(app, client, world):
    with app.app_context():
        db.session.add(ContactExtra(contact_id=world.mine.id, kind="other", label="Assistante", value="Zoé"))
        db.session.commit()
    href = f"{_book(world)}{world.mine.id}.vcf"
    for version in ("3.0", "4.0"):
        served = dav(client, world, "GET", href, headers={"Accept": f"text/vcard; version={version}"})
        response = dav(client, world, "PUT", href, served.data, {"If-Match": served.headers["ETag"]})
        assert response.status_code == 204 and response.headers["ETag"] == served.headers["ETag"], version
    with app.app_context():
        assert not db.session.scalars(select(AuditEntry).where(AuditEntry.via == "carddav")).all()


def test_a_card_created_on_the_phone_lands_in_the_account_org_names_under_its_name(app, client, world):
    card = ("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:phone-1\r\nN:Durand;Léa;;;\r\nFN:Léa Durand\r\nORG:Blou\r\n"
            "TITLE:Juriste\r\n"
            "EMAIL:lea@blou.fr\r\nEND:VCARD\r\n")
    href = f"{_book(world)}phone-1.vcf"
    response = dav(client, world, "PUT", href, card.encode(), {"If-None-Match": "*"})
    assert response.status_code == 201, response.data.decode()
    with app.app_context():
        contact = db.session.scalars(select(Contact).where(Contact.last_name == "Durand")).one()
        assert (contact.client_id, contact.owner_id, contact.vcard_uid) == (world.blou.id, world.seller.id, "phone-1")
    got = dav(client, world, "GET", href)
    assert got.status_code == 200 and "EMAIL" in got.get_data(as_text=True)
    assert got.headers["ETag"] == response.headers["ETag"]
    again = dav(client, world, "PUT", href, card.encode(), {"If-None-Match": "*"})
    assert again.status_code == 412


def test_a_card_of_an_unknown_company_needs_a_default_account(app, client, world):
    card = b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Neuf;No\xc3\xa9;;;\r\nFN:No\xc3\xa9 Neuf\r\nORG:Inconnue SA\r\nTITLE:DSI\r\nEND:VCARD\r\n"
    refused = dav(client, world, "PUT", f"{_book(world)}new.vcf", card)
    assert refused.status_code == 403 and "Inconnue SA" in refused.get_data(as_text=True)
    with app.app_context():
        preferences.put(world.seller.id, "carddav.default_client", world.aprool.id)
        db.session.commit()
    assert dav(client, world, "PUT", f"{_book(world)}new.vcf", card).status_code == 201
    with app.app_context():
        assert db.session.scalars(select(Contact.client_id).where(Contact.last_name == "Neuf")).one() == world.aprool.id


def test_delete_marks_the_contact_as_gone_from_the_company(app, client, world):
    href = f"{_book(world)}{world.mine.id}.vcf"
    etag = dav(client, world, "GET", href).headers["ETag"]
    assert dav(client, world, "DELETE", href, headers={"If-Match": '"1-00000000"'}).status_code == 412
    assert dav(client, world, "DELETE", href, headers={"If-Match": etag}).status_code == 204
    with app.app_context():
        assert db.session.get(Contact, world.mine.id).left_company is True
    assert dav(client, world, "GET", href).status_code == 404


def test_a_user_without_the_edit_right_gets_a_read_only_book(app, client, world, make):
    reader = make.user("LECTEUR Luc", role=role_without(app, "Commercial", CONTACTS_EDIT), entities=[world.east],
                       email="luc@example.com")
    secret = _password(app, reader)
    body = b'<d:propfind xmlns:d="DAV:"><d:prop><d:current-user-privilege-set/></d:prop></d:propfind>'
    privileges = _hrefs(dav(client, world, "PROPFIND", f"/dav/books/{reader.id}/all/", body, {"Depth": "0"},
                            user=reader, secret=secret))
    assert "write" not in privileges[f"/dav/books/{reader.id}/all/"]["current-user-privilege-set"].split()
    href = f"/dav/books/{reader.id}/all/{world.mine.id}.vcf"
    card = dav(client, world, "GET", href, user=reader, secret=secret)
    assert card.status_code == 200
    refused = dav(client, world, "PUT", href, card.data, {"If-Match": card.headers["ETag"]}, user=reader, secret=secret)
    assert refused.status_code == 403 and b"need-privileges" in refused.data


BOMB = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>
<d:propfind xmlns:d="DAV:"><d:prop><d:displayname>&lol2;</d:displayname></d:prop></d:propfind>"""


@pytest.mark.parametrize("body", [BOMB, b"<not xml", b"\xff\xfe"])
def test_hostile_or_broken_bodies_get_400(client, world, body):
    assert dav(client, world, "PROPFIND", "/dav/", body).status_code == 400
    assert dav(client, world, "REPORT", _book(world), body).status_code == 400


@pytest.mark.parametrize("card", [b"not a vcard", b"BEGIN:VCARD\r\nVERSION:3.0\r\nEND:VCARD\r\n",
                                  b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nEND:VCARD\r\n" * 2])
def test_an_unreadable_card_is_refused_in_words(client, world, card):
    response = dav(client, world, "PUT", f"{_book(world)}bad.vcf", card)
    assert response.status_code == 403 and b"valid-address-data" in response.data


HOSTILE_NAMES = ["%00.vcf", "a%00b.vcf", "x" * 300 + ".vcf", "%E2%80%AE.vcf", "%F0%9F%98%80.vcf", "99999999999999999999.vcf",
                 "-1.vcf", "1e308.vcf", " 1.vcf", "..", "%2e%2e", str(2**63) + ".vcf"]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_card_names_answer_without_a_server_error(client, world, name):
    href = f"{_book(world)}{name}"
    for method, body in (("GET", b""), ("PROPFIND", PROPFIND_ETAGS), ("DELETE", b""),
                         ("PUT", b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Nom;Pr\xc3\xa9nom;;;\r\nTITLE:T\r\nORG:APROOL\r\nEND:VCARD\r\n")):
        response = dav(client, world, method, href, body)
        assert response.status_code < 500, (method, name, response.status_code)
        assert response.status_code in (201, 400, 403, 404, 405, 308), (method, name, response.status_code)


@pytest.mark.parametrize("token", ["\x00", "https://crm.invalid/ns/sync/" + "9" * 40, "https://crm.invalid/ns/sync/-1",
                                   "https://crm.invalid/ns/sync/1e3", "x" * 10_000])
def test_hostile_sync_tokens_ask_the_client_to_start_over(client, world, token):
    body = (f'<d:sync-collection xmlns:d="DAV:"><d:sync-token>{token}</d:sync-token>'
            f'<d:prop><d:getetag/></d:prop></d:sync-collection>').encode()
    response = dav(client, world, "REPORT", _book(world), body)
    assert response.status_code in (400, 403), response.status_code


@pytest.mark.parametrize("user", ["\x00", "a\x00b", "x" * 10_000, "😀", ""])
def test_hostile_credentials_are_refused(client, world, user):
    headers = {"Authorization": "Basic " + base64.b64encode(f"{user}:{user}".encode()).decode()}
    assert client.open("/dav/", method="PROPFIND", headers=headers).status_code == 401


def test_a_card_without_a_fonction_is_refused_with_the_reason(client, world):
    card = b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Sans;Titre;;;\r\nFN:Titre Sans\r\nORG:APROOL\r\nEND:VCARD\r\n"
    response = dav(client, world, "PUT", f"{_book(world)}sans-titre.vcf", card)
    assert response.status_code == 403 and "Fonction : Ce champ est obligatoire." in response.get_data(as_text=True)


def test_guessing_app_passwords_locks_like_the_login_form(app, client, csrf, world):
    statuses = [dav(client, world, "PROPFIND", "/dav/", secret="guess").status_code
                for _try in range(app.config["LOGIN_MAX_FAILURES"])]
    assert set(statuses[:-1]) == {401} and statuses[-1] == 429  # the try that reaches the limit locks
    locked = dav(client, world, "PROPFIND", "/dav/", PROPFIND_ETAGS)  # even the right secret, while locked
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    login = {"email": world.seller.email, "password": PASSWORD, "csrf_token": csrf["token"]}
    assert client.post("/login", data=login).status_code == 429


def test_the_default_account_is_chosen_on_the_account_page_among_the_users_accounts(app, client, csrf, world,
                                                                                     login_as):
    login_as(world.seller)
    with app.app_context():
        from webapp.models import Client
        db.session.get(Client, world.blou.id).owner_id = world.seller.id
        db.session.commit()
    page = client.get("/account").get_data(as_text=True)
    assert re.search(rf'<option value="{world.blou.id}">BLOU</option>', page)
    assert "LOINTAIN" not in page and "APROOL" not in page  # another entity's; not assigned to the user
    refused = client.post("/account/carddav-account", data={"client_id": world.far.id, "csrf_token": csrf["token"]})
    assert refused.status_code == 422
    saved = client.post("/account/carddav-account", data={"client_id": world.blou.id, "csrf_token": csrf["token"]},
                        headers={"HX-Request": "true", "HX-Target": "carddav"})
    assert saved.status_code == 200 and f'<option value="{world.blou.id}" selected>' in saved.get_data(as_text=True)
    assert "HX-Trigger" in saved.headers
    card = b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Neuf;Nina;;;\r\nTITLE:DAF\r\nORG:Inconnue\r\nEND:VCARD\r\n"
    assert dav(client, world, "PUT", f"{_book(world)}nina.vcf", card).status_code == 201
    with app.app_context():
        assert db.session.scalars(select(Contact.client_id).where(Contact.first_name == "Nina")).one() == world.blou.id
    cleared = client.post("/account/carddav-account", data={"client_id": "", "csrf_token": csrf["token"]})
    assert cleared.status_code == 302
    assert dav(client, world, "PUT", f"{_book(world)}noe.vcf", card.replace(b"Nina", b"Noe")).status_code == 403
    without_token = client.post("/account/carddav-account", data={"client_id": world.blou.id})
    assert without_token.status_code == 400


# Request shapes modelled on real clients (written here, not recorded from a device): DAVx⁵ (the DAV namespace as
# the default one, an empty <sync-token/> to start) and Apple's Contacts (prefixed namespaces, Apple's and
# calendarserver's properties we do not have, answered 404; its principal request as a published trace shows it).
DAVX5_FIND = (b"<?xml version='1.0' encoding='UTF-8' ?><propfind xmlns=\"DAV:\" xmlns:CARD=\"urn:ietf:params:xml:ns:"
              b"carddav\"><prop><resourcetype /><displayname /><CARD:addressbook-description /><current-user-privilege-"
              b"set /><current-user-principal /><CARD:addressbook-home-set /></prop></propfind>")
DAVX5_BOOK = (b"<?xml version='1.0' encoding='UTF-8' ?><propfind xmlns=\"DAV:\" xmlns:CARD=\"urn:ietf:params:xml:ns:"
              b"carddav\" xmlns:CS=\"http://calendarserver.org/ns/\"><prop><CARD:max-resource-size /><CARD:supported-"
              b"address-data /><supported-report-set /><CS:getctag /><sync-token /></prop></propfind>")
DAVX5_SYNC = (b"<?xml version='1.0' encoding='UTF-8' ?><sync-collection xmlns=\"DAV:\"><sync-token />"
              b"<sync-level>1</sync-level><prop><getetag /></prop></sync-collection>")
DAVX5_MULTIGET = ("<?xml version='1.0' encoding='UTF-8' ?><CARD:addressbook-multiget xmlns=\"DAV:\" xmlns:CARD=\"urn:"
                  "ietf:params:xml:ns:carddav\"><prop><getcontenttype /><getetag /><CARD:address-data content-type="
                  "\"text/vcard\" version=\"4.0\" /></prop><href>{href}</href></CARD:addressbook-multiget>")
IOS_ROOT = (b'<?xml version="1.0" encoding="UTF-8"?>\n<A:propfind xmlns:A="DAV:">\n  <A:prop>\n'
            b'    <A:current-user-principal/>\n    <A:principal-URL/>\n    <A:resourcetype/>\n  </A:prop>\n</A:propfind>')
# Apple's principal request as traced in sabre-io/dav issue 1315 (macOS Contacts): each namespace declared on the
# element that uses it.
IOS_PRINCIPAL = (b'<?xml version="1.0" encoding="UTF-8"?>\n<A:propfind xmlns:A="DAV:">\n  <A:prop>\n'
                 b'    <B:addressbook-home-set xmlns:B="urn:ietf:params:xml:ns:carddav"/>\n'
                 b'    <B:directory-gateway xmlns:B="urn:ietf:params:xml:ns:carddav"/>\n    <A:displayname/>\n'
                 b'    <C:email-address-set xmlns:C="http://calendarserver.org/ns/"/>\n'
                 b'    <A:principal-collection-set/>\n    <A:principal-URL/>\n    <A:resource-id/>\n'
                 b'    <A:supported-report-set/>\n  </A:prop>\n</A:propfind>')
IOS_HOME = (b'<?xml version="1.0" encoding="UTF-8"?>\n<A:propfind xmlns:A="DAV:" xmlns:B="http://calendarserver.org/ns/"'
            b' xmlns:C="urn:ietf:params:xml:ns:carddav" xmlns:D="http://me.com/_namespace/">\n  <A:prop>\n'
            b'    <A:add-member/>\n    <C:max-image-size/>\n    <C:max-resource-size/>\n    <D:bulk-requests/>\n'
            b'    <B:me-card/>\n    <A:owner/>\n    <B:push-transports/>\n    <B:pushkey/>\n'
            b'    <A:quota-available-bytes/>\n    <A:quota-used-bytes/>\n    <A:resource-id/>\n    <A:resourcetype/>\n'
            b'    <A:supported-report-set/>\n    <A:sync-token/>\n    <A:current-user-privilege-set/>\n'
            b'    <A:displayname/>\n    <B:getctag/>\n  </A:prop>\n</A:propfind>')
IOS_AGENT = {"User-Agent": "iOS/17.5 (21F79) dataaccessd/1.0"}


def test_davx5_finds_the_books_syncs_and_fetches_cards(client, world):
    found = client.open("/.well-known/carddav", method="PROPFIND", data=DAVX5_FIND, headers={"Depth": "0"})
    assert found.status_code == 301
    root = _hrefs(dav(client, world, "PROPFIND", found.headers["Location"], DAVX5_FIND, {"Depth": "0"}))["/dav/"]
    home = _hrefs(dav(client, world, "PROPFIND", root["current-user-principal"], DAVX5_FIND, {"Depth": "0"}))
    home_url = home[root["current-user-principal"]]["addressbook-home-set"]
    books = _hrefs(dav(client, world, "PROPFIND", home_url, DAVX5_FIND, {"Depth": "1"}))
    assert {props.get("displayname") for href, props in books.items() if href != home_url} == {
        "Mes contacts", "Tous mes contacts"}
    answer = dav(client, world, "PROPFIND", _book(world), DAVX5_BOOK, {"Depth": "0"})
    book = _hrefs(answer)[_book(world)]
    assert b"<card:addressbook-multiget/>" in answer.data and book["getctag"] == book["sync-token"]
    synced = dav(client, world, "REPORT", _book(world), DAVX5_SYNC, {"Depth": "0"})
    hrefs = [href for href in _hrefs(synced)]
    assert hrefs == [f"{_book(world)}{world.mine.id}.vcf"]
    cards = _hrefs(dav(client, world, "REPORT", _book(world), DAVX5_MULTIGET.format(href=hrefs[0]).encode(),
                       {"Depth": "0"}))
    card = cards[hrefs[0]]["address-data"]
    assert card.startswith("BEGIN:VCARD\r\nVERSION:4.0\r\n") and cards[hrefs[0]]["getcontenttype"].startswith("text/vcard")


def test_ios_contacts_finds_the_books_and_gets_vcard_3(client, world):
    root = _hrefs(dav(client, world, "PROPFIND", "/dav/", IOS_ROOT, {"Depth": "0", **IOS_AGENT}))["/dav/"]
    principal_url = root["current-user-principal"]
    principal = dav(client, world, "PROPFIND", principal_url, IOS_PRINCIPAL, {"Depth": "0", **IOS_AGENT})
    home_url = _hrefs(principal)[principal_url]["addressbook-home-set"]
    assert b"email-address-set" in principal.data  # asked, answered 404 in its own propstat
    listing = dav(client, world, "PROPFIND", home_url, IOS_HOME, {"Depth": "1", **IOS_AGENT})
    assert listing.status_code == 207 and b"HTTP/1.1 404 Not Found" in listing.data
    books = {href: props for href, props in _hrefs(listing).items() if "addressbook" in props.get("resourcetype", "")}
    assert len(books) == 2 and all(props["getctag"] for props in books.values())
    multiget = _multiget(world, [f"{world.mine.id}.vcf"])  # <address-data/> without a version
    cards = _hrefs(dav(client, world, "REPORT", _book(world), multiget, {"Depth": "1", **IOS_AGENT}))
    assert "VERSION:3.0" in cards[f"{_book(world)}{world.mine.id}.vcf"]["address-data"]


def test_a_contacts_photo_travels_in_its_card(app, client, world):
    from io import BytesIO

    from PIL import Image

    from webapp.services.contacts import update_contact
    from webapp.services.photos import process_photo
    out = BytesIO()
    Image.new("RGB", (40, 40), (200, 30, 30)).save(out, "JPEG")
    with app.app_context():
        contact = db.session.get(Contact, world.mine.id)
        update_contact(contact, {}, contact.version, None, "form", photo=process_photo(out.getvalue()))
        db.session.commit()
    text = dav(client, world, "GET", f"{_book(world)}{world.mine.id}.vcf").get_data(as_text=True)
    assert "PHOTO:data:image/jpeg;base64," in text.replace("\r\n ", "")


def test_a_stale_phone_edit_is_refused_then_made_again_after_the_next_sync(app, client, world):
    """DAVx⁵'s way: its PUT with the ETag it knew answers 412; its next sync-collection brings the CRM's copy,
    on which the user's change goes through."""
    href = f"{_book(world, 'all')}{world.mine.id}.vcf"
    _first, token = _sync(client, world)
    known = dav(client, world, "GET", href)
    with app.app_context():
        contact = db.session.get(Contact, world.mine.id)
        update_contact(contact, {"function": "Changée au bureau"}, contact.version, world.other.id, "form")
        db.session.commit()
    phone_copy = known.get_data(as_text=True).replace("END:VCARD", "NOTE:Rappeler lundi\r\nEND:VCARD")
    refused = dav(client, world, "PUT", href, phone_copy.encode(), {"If-Match": known.headers["ETag"]})
    assert refused.status_code == 412
    changed, _token = _sync(client, world, token)
    assert href in _hrefs(changed)
    fresh = dav(client, world, "GET", href)
    assert "TITLE:Changée au bureau" in fresh.get_data(as_text=True)
    again = fresh.get_data(as_text=True).replace("END:VCARD", "NOTE:Rappeler lundi\r\nEND:VCARD")
    assert dav(client, world, "PUT", href, again.encode(), {"If-Match": fresh.headers["ETag"]}).status_code == 204
    with app.app_context():
        contact = db.session.get(Contact, world.mine.id)
        assert (contact.function, contact.notes) == ("Changée au bureau", "Rappeler lundi")

"""vCard import over HTTP: the drop zone's upload, the preview (statuses, matches, accounts), the choices, the one
transaction that writes them, the bounds and hostile files, every real sample file, rights and scope."""
import base64
import io
import re
import struct
import zlib
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from webapp.contacts.import_routes import import_choices
from webapp.extensions import db
from webapp.models import (AuditEntry, Client, Contact, ContactLink, ContactPhoto, Department, ImportBatch, Role,
                           RoleRight)
from webapp.rights import CLIENTS_EDIT, CONTACTS_EDIT, CONTACTS_IMPORT, CONTACTS_LIST
from webapp.services.contacts import create_contact, update_contact

from .conftest import HX, image_bytes, strip_tags

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "vcf-samples"
SAMPLE_FILES = sorted(p.relative_to(SAMPLES).as_posix() for p in SAMPLES.glob("*/*") if p.is_file()) \
    if SAMPLES.exists() else []


# ------------------------------------------------------------------------------------------------ helpers

def card(*lines: str, version: str = "3.0") -> str:
    return "BEGIN:VCARD\r\nVERSION:" + version + "\r\n" + "".join(line + "\r\n" for line in lines) + "END:VCARD\r\n"


def vcf(*cards: str) -> bytes:
    return "".join(cards).encode("utf-8")


def upload(client, csrf, *files, headers=None):
    """POST files to the drop zone's form as the browser would (multipart, with the form's CSRF token)."""
    # Encoded here, in memory: the test client spools big bodies to a temporary file it never closes.
    values = MultiDict([("csrf_token", csrf["token"])] + [
        ("files", FileStorage(io.BytesIO(content), filename=name)) for name, content in files])
    boundary, body = encode_multipart(values)
    return client.post("/contacts/import", data=body, content_type=f"multipart/form-data; boundary={boundary}",
                       headers=headers or {})


class FormReader(HTMLParser):
    """What a browser would submit from the preview form: hidden and text inputs, the selected options."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}
        self.options: dict[str, list[str]] = {}
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name") and attrs.get("type") in ("hidden", "search", "text"):
            self.fields[attrs["name"]] = attrs.get("value") or ""
        elif tag == "select":
            self._select = attrs["name"]
            self.options[self._select] = []
        elif tag == "option" and self._select:
            self.options[self._select].append(attrs["value"])
            if "selected" in attrs or self._select not in self.fields:
                self.fields[self._select] = attrs["value"]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def read_form(html: str) -> FormReader:
    reader = FormReader()
    reader.feed(html[html.index('class="import-form"'):])
    return reader


def open_preview(client, csrf, *files):
    """Upload, follow to the preview; (preview URL, its HTML, the form as the browser would send it)."""
    response = upload(client, csrf, *files)
    assert response.status_code == 303, strip_tags(response.text)[:500]
    url = response.headers["Location"]
    page = client.get(url)
    assert page.status_code == 200
    return url, page.text, read_form(page.text)


def commit(client, url, fields, action="commit"):
    return client.post(url, data={**fields, "action": action})


def row_html(html: str, index: int) -> str:
    start = html.index(f'id="import-card-{index}"')
    return html[start:html.index("</tr>", start)]


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def role_with(app, name: str, rights: set[str]) -> str:
    with app.app_context():
        db.session.add(Role(name=name, rights=[RoleRight(right=r) for r in rights]))
        db.session.commit()
    return name


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width × height pixels (a decompression bomb's first bytes)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + \
        chunk(b"IEND", b"")


@pytest.fixture
def entity(make):
    return make.entity("Paris")


@pytest.fixture
def admin(make, login_as, entity):
    return login_as(make.user("ADMIN Alice", role="Administrateur", entities=[entity]))


# ------------------------------------------------------------------------------------------------ drop zone

def test_list_page_has_the_drop_zone_with_a_plain_form(client, admin):
    html = client.get("/contacts").text
    assert "Ajout rapide de contacts (Fichiers vcf)" in html
    zone = html[html.index('id="vcf-dropzone"'):html.index("</section>", html.index('id="vcf-dropzone"'))]
    assert 'method="post"' in zone and 'enctype="multipart/form-data"' in zone and 'action="/contacts/import"' in zone
    assert 'type="file"' in zone and "multiple" in zone and 'name="csrf_token"' in zone
    assert "<progress" in zone and "hx-post" in zone
    assert "<script" not in zone and "style=" not in zone and "hx-on" not in zone  # CSP: no inline code


def test_without_the_import_right_no_zone_and_403(client, app, make, login_as, csrf, entity):
    login_as(make.user(role=role_with(app, "Lecture", {CONTACTS_LIST}), entities=[entity]))
    assert "Ajout rapide de contacts" not in client.get("/contacts").text
    assert client.get("/contacts/import").status_code == 403
    assert upload(client, csrf, ("a.vcf", vcf(card("FN:Jean Dupont")))).status_code == 403
    assert count(app, ImportBatch) == 0


def test_upload_opens_the_preview_and_writes_no_contact(client, app, admin, csrf):
    response = upload(client, csrf, ("a.vcf", vcf(card("N:Dupont;Jean", "ORG:Acme"))),
                      ("b.vcf", vcf(card("FN:Marie Curie"), card("FN:Paul Martin"))))
    assert response.status_code == 303 and "/contacts/import/" in response.headers["Location"]
    assert count(app, Contact) == 0 and count(app, ImportBatch) == 1
    html = client.get(response.headers["Location"]).text
    assert "3 fiches lues" in html and "a.vcf" in html and "b.vcf" in html
    assert "DUPONT Jean" in html and "CURIE Marie" in html and "MARTIN Paul" in html


def test_htmx_upload_answers_with_a_redirect_to_the_preview(client, admin, csrf):
    response = upload(client, csrf, ("a.vcf", vcf(card("FN:Jean Dupont"))), headers=HX)
    assert response.headers["HX-Redirect"].startswith("/contacts/import/")
    assert client.get(response.headers["HX-Redirect"]).status_code == 200


def test_refused_upload_comes_back_in_the_zone_for_htmx_and_as_a_page_without(client, app, admin, csrf):
    response = upload(client, csrf, ("notes.txt", b"hello"), headers=HX)
    assert response.status_code == 422
    assert 'id="vcf-dropzone"' in response.text and "<html" not in response.text
    assert "notes.txt" in response.text and "aucune ligne BEGIN:VCARD" in response.text
    page = upload(client, csrf, ("notes.txt", b"hello"))
    assert page.status_code == 422 and "<html" in page.text and "aucune ligne BEGIN:VCARD" in page.text
    nothing = client.post("/contacts/import", data={"csrf_token": csrf["token"]}, content_type="multipart/form-data")
    assert nothing.status_code == 422 and "Choisissez au moins un fichier .vcf." in nothing.text
    assert count(app, ImportBatch) == 0


def test_upload_without_csrf_token_is_refused(client, app, admin):
    response = client.post("/contacts/import", data={"files": (io.BytesIO(vcf(card("FN:A B"))), "a.vcf")},
                           content_type="multipart/form-data")
    assert response.status_code == 400 and count(app, ImportBatch) == 0


# ------------------------------------------------------------------------------------------------ preview

@pytest.fixture
def known(make, entity):
    """An account and contacts the uploads below collide with."""
    acme = make.client_account("Société Générale d'Études", entities=[entity])
    return {
        "acme": acme,
        "uid": make.contact(acme, "Lefèvre", "Élise", vcard_uid="urn:uuid:1111"),
        "email": make.contact(acme, "Bernard", "Luc", email="luc.bernard@acme.fr"),
        "phone": make.contact(acme, "Petit", "Anne", mobile="06 12 34 56 78", mobile_e164="+33612345678"),
        "name": make.contact(acme, "Martin", "Paul"),
    }


def test_preview_statuses_and_matches(client, admin, csrf, known):
    data = vcf(
        card("N:Autre;Nom", "UID:urn:uuid:1111"),
        card("N:Bernard;Lucien", "EMAIL:LUC.Bernard@ACME.fr"),
        card("N:Petit;Annie", "TEL;TYPE=CELL:+33 6 12 34 56 78"),
        card("N:MARTIN;paul", "ORG:SOCIETE GENERALE D'ETUDES"),
        card("N:Nouveau;Nina", "ORG:Société Générale d'Études", "EMAIL:nina@acme.fr"),
        card(),  # nothing readable
        card("N:;;;;", "FN:Acme Corp", "X-ABShowAs:COMPANY"),
    )
    _url, html, form = open_preview(client, csrf, ("mix.vcf", data))
    expectations = [("uid", "même UID", "LEFÈVRE Élise"), ("email", "même e-mail", "BERNARD Luc"),
                     ("phone", "même téléphone", "PETIT Anne"), ("name", "même nom chez ce client", "MARTIN Paul")]
    for index, (key, reason, name) in enumerate(expectations):
        row = row_html(html, index)
        assert "doublon possible" in row and reason in row and name in unescape(row)
        assert f'href="/contacts/{known[key].id}"' in row
    assert "nouveau" in row_html(html, 4)
    assert "erreur" in row_html(html, 5) and "fiche n° 6" in row_html(html, 5) and "Fiche vide" in row_html(html, 5)
    assert "erreur" in row_html(html, 6) and "pas d'une personne" in unescape(row_html(html, 6))
    assert "1 nouvelle" in html and "4 doublons possibles" in html and "2 erreurs" in html
    # Defaults: update what has the same UID, ignore the other possible duplicates, create the new one.
    assert [form.fields[f"c{i}"] for i in range(5)] == ["update", "skip", "skip", "skip", "create"]
    assert form.options["c1"] == ["create", "update", "skip"]
    assert form.fields["m0"] == f"{known['uid'].id}:{known['uid'].version}"
    assert "c5" not in form.fields and "c6" not in form.fields
    # Both spellings of the account land on the existing one.
    assert form.options["client-0"] == [str(known["acme"].id), "new"]


def test_duplicates_inside_one_upload(client, admin, csrf):
    _url, html, form = open_preview(client, csrf, ("a.vcf", vcf(card("N:Un;Jean", "EMAIL:jean@x.fr"),
                                                                card("N:Deux;Jean", "EMAIL:JEAN@x.fr"))))
    row = row_html(html, 1)
    assert "doublon possible" in row and 'href="#import-card-0"' in row and "fiche n° 1 de cet envoi" in row
    assert form.fields["c1"] == "skip" and form.options["c1"] == ["create", "skip"]


def test_a_match_the_user_may_not_see_is_neither_named_nor_updatable(client, admin, csrf, make, login_as):
    elsewhere = make.client_account("Ailleurs", entities=[make.entity("Lyon")])
    make.contact(elsewhere, "Secret", "Sam", email="sam@ailleurs.fr")
    # The administrator sees every entity; a salesperson of another entity does not.
    _url, html, form = open_preview(client, csrf, ("a.vcf", vcf(card("N:Autre;Sam", "EMAIL:sam@ailleurs.fr"))))
    assert "SECRET Sam" in html
    login_as(make.user("VENTE Victor", role="Commercial", entities=[make.entity("Paris 2")]))
    _url, html, form = open_preview(client, csrf, ("a.vcf", vcf(card("N:Autre;Sam", "EMAIL:sam@ailleurs.fr"))))
    row = row_html(html, 0)
    assert "doublon possible" in row and "un contact auquel vous n'avez pas accès" in unescape(row)
    assert "SECRET" not in html and "Ailleurs" not in html and 'href="/contacts/' not in row
    assert form.options["c0"] == ["create", "skip"] and "m0" not in form.fields


def test_without_the_edit_right_a_duplicate_cannot_be_updated(client, app, make, login_as, csrf, known, entity):
    login_as(make.user(role=role_with(app, "Import seul", {CONTACTS_LIST, CONTACTS_IMPORT}), entities=[entity]))
    url, _html, form = open_preview(client, csrf, ("a.vcf", vcf(card("N:Autre;Nom", "UID:urn:uuid:1111"))))
    assert form.options["c0"] == ["create", "skip"] and form.fields["c0"] == "skip"
    forged = commit(client, url, {**form.fields, "c0": "update", "m0": f"{known['uid'].id}:1"})
    assert forged.status_code == 422
    with app.app_context():
        assert db.session.get(Contact, known["uid"].id).last_name == "Lefèvre"


def test_hostile_names_are_shown_escaped(client, admin, csrf):
    fn = '<img src=x onerror=alert(1)><div hx-get="/admin/users" hx-trigger="load">x</div><script>alert(1)</script>'
    _url, html, _form = open_preview(client, csrf, ("a.vcf", vcf(card("FN:" + fn, "ORG:" + fn))))
    assert "<script>alert(1)" not in html.lower() and 'hx-get="/admin/users"' not in html
    assert "<img src=x" not in html and "&lt;script&gt;" in html.lower()


# ------------------------------------------------------------------------------------------------ commit

def flash_of(client, response) -> str:
    assert response.status_code == 303, strip_tags(response.text)[:800]
    assert response.headers["Location"].endswith("/contacts")
    html = client.get(response.headers["Location"]).text
    found = re.search(r'<p class="flash[^"]*"[^>]*>(.*?)</p>', html, re.S)
    return unescape(found.group(1)) if found else ""


def test_commit_writes_the_choices_and_says_the_counts(client, app, admin, csrf, known):
    data = vcf(card("N:Lefèvre;Élise", "TITLE:Directrice", "UID:urn:uuid:1111"),
               card("N:Neuf;Nina", "ORG:Société Générale d'Études", "EMAIL:nina@acme.fr"),
               card("N:Neuf;Noé", "ORG:Société Générale d'Études"),
               card("N:Bernard;Lucien", "EMAIL:luc.bernard@acme.fr"),
               card())
    url, _html, form = open_preview(client, csrf, ("a.vcf", data))
    message = flash_of(client, commit(client, url, form.fields))
    assert message == "Import terminé : 2 créés, 1 mis à jour, 1 ignoré, 1 erreur."
    with app.app_context():
        elise = db.session.get(Contact, known["uid"].id)
        assert elise.function == "Directrice" and elise.version == known["uid"].version + 1
        nina = db.session.scalars(select(Contact).where(Contact.first_name == "Nina")).one()
        assert nina.client_id == known["acme"].id and nina.email == "nina@acme.fr" and nina.owner_id == admin.id
        assert db.session.scalar(select(func.count()).select_from(Contact)) == 4 + 2
        trail = db.session.execute(select(AuditEntry.action, AuditEntry.record_id, AuditEntry.field)
                                   .where(AuditEntry.via == "vcard")).all()
        assert ("update", elise.id, "function") in trail and ("create", nina.id, None) in trail
        assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 0
    # The list shows the new contacts.
    assert "NEUF" in client.get("/contacts").text.upper()


def test_fields_are_mapped_through_the_field_rules(client, app, admin, csrf, entity):
    with app.app_context():
        db.session.add(Department(label="Achats"))
        db.session.commit()
        achats = db.session.scalar(select(Department.id).where(Department.label == "Achats"))
    photo = base64.b64encode(image_bytes(size=(40, 30))).decode()
    data = vcf(card(
        "N:Lefèvre-Dubœuf;Élise;Marie;Dr;", "FN:Élise Lefèvre-Dubœuf", "ORG:Acme;ACHATS", "TITLE:" + "F" * 200,
        "ROLE:Décideur", "EMAIL;TYPE=INTERNET,WORK:elise@acme.fr", "EMAIL;TYPE=HOME:elise@perso.fr",
        "TEL;TYPE=WORK,VOICE:01 20 35 99 65", "TEL;TYPE=CELL:06 12 34 56 78", "TEL;TYPE=FAX:01 20 35 99 66",
        "TEL;TYPE=HOME:01 44 55 66 77", "ADR;TYPE=WORK:;Bât. B;12 rue de l'Église;Berlin;;10115;Deutschland",
        "URL:https://acme.fr", "X-SOCIALPROFILE;TYPE=linkedin:https://www.linkedin.com/in/elise",
        "URL:javascript:alert(1)", "X-GENDER:Female", "UID:urn:uuid:abcd", "NOTE:Ligne 1\\nLigne 2",
        "CATEGORIES:Client,VIP", "BDAY:1980-02-29", "NICKNAME:Lili",
        f"PHOTO;ENCODING=b;TYPE=JPEG:{photo}"))
    url, html, form = open_preview(client, csrf, ("a.vcf", data))
    warnings = unescape(row_html(html, 0))
    assert "Fonction : 150 caractères au plus (200 saisis). Valeur tronquée." in warnings
    assert "Lien « javascript:alert(1) » ignoré" in warnings
    assert form.fields["client-0"] == "new"
    flash_of(client, commit(client, url, form.fields))
    with app.app_context():
        contact = db.session.scalars(select(Contact)).one()
        assert (contact.last_name, contact.first_name, contact.gender) == ("Lefèvre-Dubœuf", "Élise", "F")
        assert contact.client.name == "Acme" and contact.department_id == achats
        assert contact.function == "F" * 150 and contact.vcard_role == "Décideur"
        assert (contact.email, contact.phone, contact.mobile, contact.fax) == (
            "elise@acme.fr", "01 20 35 99 65", "06 12 34 56 78", "01 20 35 99 66")
        assert contact.mobile_e164 == "+49612345678" and contact.email_key == "elise@acme.fr"  # region: DE
        assert (contact.street, contact.street2, contact.postal_code, contact.city, contact.country) == (
            "12 rue de l'Église", "Bât. B", "10115", "Berlin", "DE")
        assert contact.vcard_uid == "urn:uuid:abcd" and contact.notes == "Ligne 1\nLigne 2"
        assert contact.categories == "Client, VIP" and contact.birthday.isoformat() == "1980-02-29"
        assert [(link.kind, link.url) for link in contact.links] == [
            ("website", "https://acme.fr"), ("linkedin", "https://www.linkedin.com/in/elise")]
        extras = {(e.kind, e.label, e.value) for e in contact.extras}
        assert ("email", "Domicile", "elise@perso.fr") in extras and ("tel", "Domicile", "01 44 55 66 77") in extras
        assert ("nickname", None, "Lili") in extras and ("other", "Autres prénoms", "Marie") in extras
        assert ("other", "Civilité", "Dr") in extras
        assert contact.photo.mime == "image/jpeg" and (contact.photo.width, contact.photo.height) == (40, 30)
        assert contact.search_text and "lefevreduboeuf" in contact.search_text
        # The account made for "Acme" belongs to the importing user's entities.
        assert [e.id for e in contact.client.entities] == [entity.id] and contact.client.owner_id == admin.id
        assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.record_type == "client", AuditEntry.via == "vcard")) == 1


def test_an_invalid_email_is_reported_and_not_imported(client, app, admin, csrf):
    url, html, form = open_preview(client, csrf, ("a.vcf", vcf(card("N:Faux;Fred", "ORG:Acme",
                                                                   "EMAIL:fred@@acme"))))
    assert "E-mail « fred@@acme » non importé" in unescape(html)
    flash_of(client, commit(client, url, form.fields))
    with app.app_context():
        assert db.session.scalars(select(Contact)).one().email is None


def test_bulk_creation_matches_create_contact(client, app, admin, csrf, make, entity):
    """Import writes contacts with Core inserts; the derived columns and the audit row must be create_contact's."""
    acme = make.client_account("Acme", entities=[entity])
    url, _html, form = open_preview(client, csrf, ("a.vcf", vcf(card(
        "N:Müller;Jörg", "ORG:Acme", "TITLE:DSI", "EMAIL:Jorg@Acme.FR", "TEL;TYPE=WORK:01 20 35 99 65",
        "TEL;TYPE=CELL:+49 151 23456789", "ADR;TYPE=WORK:;;1 rue X;Paris;;75001;France"))))
    flash_of(client, commit(client, url, form.fields))
    derived = ("company_key", "last_name_key", "first_name_key", "function_key", "email_key", "search_text",
               "phone_e164", "mobile_e164", "fax_e164", "version", "is_dpo", "is_rssi", "left_company")
    with app.app_context():
        imported = db.session.scalars(select(Contact)).one()
        values = {name: getattr(imported, name) for name in ("client_id", "last_name", "first_name", "function",
                                                            "email", "phone", "mobile", "street", "postal_code",
                                                            "city", "country", "owner_id",
                                                            "vcard_uid")}  # given at creation (issue 15)
        expected = {n: getattr(imported, n) for n in derived}
        db.session.delete(imported)  # one contact per e-mail (migration 0006): the form's copy takes its place
        db.session.flush()
        by_form = create_contact(values, admin.id, "form")
        db.session.flush()
        assert expected == {n: getattr(by_form, n) for n in derived}
        snapshots = dict(db.session.execute(select(AuditEntry.via, AuditEntry.new_value)
                                            .where(AuditEntry.action == "create")).all())
        assert acme.id
        import json
        assert json.loads(snapshots["vcard"]) == json.loads(snapshots["form"])
        db.session.rollback()


def test_a_card_without_org_needs_an_account_before_it_can_be_created(client, app, admin, csrf, make, entity):
    make.client_account("Divers", entities=[entity])
    url, html, form = open_preview(client, csrf, ("a.vcf", vcf(card("N:Seul;Sam"))))
    assert "Aucune société indiquée : saisissez le compte." in unescape(html)
    refused = commit(client, url, form.fields)
    assert refused.status_code == 422 and "saisissez le compte où les créer" in unescape(refused.text)
    assert "rien n'a été importé" in unescape(refused.text) and count(app, Contact) == 0
    again = read_form(refused.text)
    assert again.fields["c0"] == "create"  # the user's choices are kept
    flash_of(client, commit(client, url, {**again.fields, "client-other-0": "divers"}))
    with app.app_context():
        assert db.session.scalars(select(Contact)).one().client.name == "Divers"


def test_another_account_by_name_homonyms_and_strangers(client, app, admin, csrf, make, entity):
    first = make.client_account("Durand SA", entities=[entity])
    make.client_account("Durand SA", entities=[entity])
    url, _html, form = open_preview(client, csrf, ("a.vcf", vcf(card("N:Un;Ugo", "ORG:Inconnue"))))
    assert form.options["client-0"] == ["new"]
    ambiguous = commit(client, url, {**form.fields, "client-other-0": "DURAND sa"})
    assert ambiguous.status_code == 422 and "Plusieurs comptes portent ce nom" in ambiguous.text
    unknown = commit(client, url, {**form.fields, "client-other-0": "Personne"})
    assert unknown.status_code == 422 and "Aucun compte accessible ne porte ce nom." in unknown.text
    suggestions = client.get("/contacts/import/clients", query_string={"client-other-0": "duran"}).text
    assert f'value="Durand SA (n° {first.id})"' in suggestions
    flash_of(client, commit(client, url, {**form.fields, "client-other-0": f"Durand SA (n° {first.id})"}))
    with app.app_context():
        assert db.session.scalars(select(Contact)).one().client_id == first.id
        assert db.session.scalar(select(func.count()).select_from(Client)) == 2  # "Inconnue" was not created


def test_without_the_accounts_right_no_account_is_created(client, app, make, login_as, csrf, entity):
    login_as(make.user(role=role_with(app, "Import", {CONTACTS_LIST, CONTACTS_IMPORT, CONTACTS_EDIT}),
                       entities=[entity]))
    url, html, form = open_preview(client, csrf, ("a.vcf", vcf(card("N:Un;Ugo", "ORG:Nouvelle"))))
    assert "Créer le compte" not in html and "Aucun compte à ce nom" in html
    forged = commit(client, url, {**form.fields, "client-0": "new"})
    assert forged.status_code == 422 and count(app, Client) == 0 and count(app, Contact) == 0
    assert CLIENTS_EDIT  # the right that would allow it


def test_an_account_the_user_may_not_see_cannot_be_chosen(client, app, admin, csrf, make):
    hidden = make.client_account("Cachée", entities=[make.entity("Lyon")])
    user = make.user("VENTE Vera", role="Commercial", entities=[make.entity("Nice")])
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
    url, _html, form = open_preview(client, csrf, ("a.vcf", vcf(card("N:Un;Ugo", "ORG:Cachée"))))
    assert form.options["client-0"] == ["new"]  # the existing one is not offered
    forged = commit(client, url, {**form.fields, "client-0": str(hidden.id)})
    assert forged.status_code == 422 and count(app, Contact) == 0
    by_name = commit(client, url, {**form.fields, "client-other-0": f"Cachée (n° {hidden.id})"})
    assert by_name.status_code == 422 and count(app, Contact) == 0


def test_update_keeps_what_the_card_leaves_empty_and_adds_links(client, app, admin, csrf, known):
    with app.app_context():
        contact = db.session.get(Contact, known["email"].id)
        update_contact(contact, {"function": "Acheteur", "phone": "01 11 11 11 11"}, contact.version, admin.id,
                       "form", links=[])
        contact.links.append(ContactLink(kind="other", url="https://blog.luc.fr", position=0))
        db.session.commit()
    url, _html, form = open_preview(client, csrf, ("a.vcf", vcf(card(
        "N:Bernard;Luc", "EMAIL:luc.bernard@acme.fr", "TITLE:Chef des achats", "URL:https://blog.luc.fr",
        "URL:https://luc.fr", "NICKNAME:Lulu"))))
    flash_of(client, commit(client, url, {**form.fields, "c0": "update"}))
    with app.app_context():
        contact = db.session.get(Contact, known["email"].id)
        assert contact.function == "Chef des achats" and contact.phone == "01 11 11 11 11"
        assert [(link.kind, link.url) for link in contact.links] == [("other", "https://blog.luc.fr"),
                                                                     ("website", "https://luc.fr")]
        assert [(e.kind, e.value) for e in contact.extras] == [("nickname", "Lulu")]
        fields = set(db.session.scalars(select(AuditEntry.field).where(AuditEntry.via == "vcard")))
        assert fields == {"function", "links", "extras"}


def test_a_contact_out_of_sight_cannot_be_updated_by_a_forged_form(client, app, csrf, make, login_as, entity):
    elsewhere = make.contact(make.client_account("Ailleurs", entities=[make.entity("Lyon")]), "Secret", "Sam")
    login_as(make.user("VENTE Victor", role="Commercial", entities=[entity]))
    url, _html, form = open_preview(client, csrf, ("a.vcf", vcf(card("N:Pirate;Pat", "ORG:Acme"))))
    forged = commit(client, url, {**form.fields, "c0": "update", "m0": f"{elsewhere.id}:{elsewhere.version}"})
    assert forged.status_code == 422 and count(app, Contact) == 1
    with app.app_context():
        assert db.session.get(Contact, elsewhere.id).last_name == "Secret"


def test_a_contact_saved_since_the_preview_refuses_the_whole_import(client, app, admin, csrf, known):
    url, _html, form = open_preview(client, csrf, ("a.vcf", vcf(card("N:Lefèvre;Élise", "TITLE:Directrice",
                                                                     "UID:urn:uuid:1111"),
                                                                card("N:Neuf;Nina", "ORG:Neuve"))))
    with app.app_context():
        contact = db.session.get(Contact, known["uid"].id)
        update_contact(contact, {"function": "Stagiaire"}, contact.version, None, "form")
        db.session.commit()
    refused = commit(client, url, form.fields)
    assert refused.status_code == 409
    assert "quelqu'un a modifié Lefèvre Élise : rien n'a été importé" in unescape(refused.text)
    with app.app_context():
        assert db.session.get(Contact, known["uid"].id).function == "Stagiaire"
        assert db.session.scalar(select(func.count()).select_from(Contact)) == 4
        assert db.session.scalar(select(func.count()).select_from(Client)) == 1
    again = read_form(refused.text)
    assert again.fields["m0"] == f"{known['uid'].id}:{known['uid'].version + 1}"  # the fresh version
    assert flash_of(client, commit(client, url, again.fields)).startswith("Import terminé : 1 créé, 1 mis à jour")


def test_a_second_click_imports_nothing_twice(client, app, admin, csrf):
    url, _html, form = open_preview(client, csrf, ("a.vcf", vcf(card("N:Un;Ugo", "ORG:Acme"))))
    flash_of(client, commit(client, url, form.fields))
    again = commit(client, url, form.fields)
    assert "Cet aperçu n'existe plus" in flash_of(client, again)
    assert count(app, Contact) == 1
    assert "Cet aperçu n'existe plus" in flash_of(client, client.get(url))


def test_cancel_drops_the_upload(client, app, admin, csrf):
    url, _html, form = open_preview(client, csrf, ("a.vcf", vcf(card("N:Un;Ugo", "ORG:Acme"))))
    assert flash_of(client, commit(client, url, form.fields, action="cancel")).startswith("Import annulé")
    assert count(app, ImportBatch) == 0 and count(app, Contact) == 0


def test_another_users_preview_is_not_reachable(client, app, admin, csrf, make, entity):
    url, _html, form = open_preview(client, csrf, ("a.vcf", vcf(card("N:Un;Ugo", "ORG:Acme"))))
    other = make.user("AUTRE Olga", role="Administrateur", entities=[entity])
    with client.session_transaction() as session:
        session["_user_id"] = other.get_id()
    assert "Cet aperçu n'existe plus" in flash_of(client, client.get(url))
    assert "Cet aperçu n'existe plus" in flash_of(client, commit(client, url, form.fields))
    assert count(app, Contact) == 0 and count(app, ImportBatch) == 1
    assert client.get("/contacts/import/not-a-token").status_code == 303


def preview_flash(client, response) -> tuple[str, str]:
    """(the message, the page's HTML) of the preview page a POST of the preview redirected to."""
    assert response.status_code == 303, strip_tags(response.text)[:800]
    assert "/contacts/import/" in response.headers["Location"]
    html = client.get(response.headers["Location"]).text
    found = re.search(r'<p class="flash[^"]*"[^>]*>(.*?)</p>', html, re.S)
    return (unescape(found.group(1)).strip() if found else ""), html


def tabs_of(html: str) -> str:
    start = html.index(">", html.index('id="import-status-tabs"')) + 1
    return " ".join(strip_tags(html[start:html.index("</nav>", start)]).split())


def test_one_choice_for_every_card_of_a_filter(client, app, admin, csrf, known):
    data = vcf(card("N:Bernard;Lucien", "EMAIL:luc.bernard@acme.fr"),
               card("N:Petit;Annie", "TEL;TYPE=CELL:+33 6 12 34 56 78"),
               card("N:Neuf;Nina", "ORG:Société Générale d'Études"),
               card("N:Neuf;Noé", "ORG:Société Générale d'Études"))
    url, html, form = open_preview(client, csrf, ("a.vcf", data))
    assert "Toutes 4 Nouvelles 2 Doublons possibles 2" in tabs_of(html)
    assert [form.fields[f"c{i}"] for i in range(4)] == ["skip", "skip", "create", "create"]
    message, page = preview_flash(client, commit(client, url, {**form.fields, "status": "duplicate"}, action="update"))
    assert message == "Choix appliqué à 2 fiches."
    assert 'aria-current="true">Doublons possibles' in page and 'id="import-card-2"' not in page  # the filter stays
    shown = read_form(page).fields  # what the page of the filter posts: its own cards' choices
    message, _page = preview_flash(client, commit(client, url, {**shown, "status": "new"}, action="skip"))
    assert message == "Choix appliqué à 2 fiches."
    chosen = read_form(client.get(url).text)
    assert [chosen.fields[f"c{i}"] for i in range(4)] == ["update", "update", "skip", "skip"]
    assert count(app, Contact) == 4  # nothing written by choosing
    # One row changed by hand afterwards, then imported.
    message = flash_of(client, commit(client, url, {**chosen.fields, "c3": "create"}))
    assert message == "Import terminé : 1 créé, 2 mis à jour, 1 ignoré, 0 erreur."
    with app.app_context():
        assert db.session.get(Contact, known["email"].id).first_name == "Lucien"
        assert db.session.scalars(select(Contact.first_name).where(Contact.last_name == "Neuf")).all() == ["Noé"]


def test_choice_for_all_keeps_the_cards_that_do_not_offer_it(client, app, csrf, make, login_as, entity):
    elsewhere = make.client_account("Ailleurs", entities=[make.entity("Lyon")])
    make.contact(elsewhere, "Secret", "Sam", email="sam@ailleurs.fr")
    mine = make.client_account("Ici", entities=[entity])
    make.contact(mine, "Dupont", "Jean", email="jean@ici.fr")
    login_as(make.user("VENTE Victor", role="Commercial", entities=[entity]))
    url, _html, form = open_preview(client, csrf, ("a.vcf", vcf(card("N:Autre;Sam", "EMAIL:sam@ailleurs.fr"),
                                                                card("N:Dupont;Jeannot", "EMAIL:jean@ici.fr"))))
    message, page = preview_flash(client, commit(client, url, {**form.fields, "status": "duplicate"},
                                                 action="update"))
    assert message == ("Choix appliqué à 1 fiche. 1 fiche ne le permet pas (sans contact existant que vous pouvez "
                       "modifier) : son choix est gardé.")
    chosen = read_form(page)
    assert (chosen.fields["c0"], chosen.fields["c1"]) == ("skip", "update")


def test_a_choice_the_card_does_not_offer_is_refused(client, app, admin, csrf):
    url, _html, form = open_preview(client, csrf, ("a.vcf", vcf(card("N:Un;Ugo", "ORG:Acme"))))
    refused = commit(client, url, {**form.fields, "c0": "update", "m0": "1:1"})
    assert refused.status_code == 422 and "Ce choix n'est plus possible" in unescape(refused.text)
    assert count(app, Contact) == 0


def test_a_refused_photo_is_a_warning_and_the_contact_is_still_created(client, app, admin, csrf):
    bomb = base64.b64encode(png_declaring(10_000, 10_000)).decode()
    url, html, form = open_preview(client, csrf, ("a.vcf", vcf(card("N:Grand;Gus", "ORG:Acme",
                                                                     f"PHOTO;ENCODING=b;TYPE=PNG:{bomb}"))))
    assert "Photo refusée : " in unescape(html) and "Le contact sera importé sans photo." in unescape(html)
    assert count(app, Contact) == 0
    flash_of(client, commit(client, url, form.fields))
    with app.app_context():
        assert db.session.scalars(select(Contact)).one().photo is None
        assert db.session.scalar(select(func.count()).select_from(ContactPhoto)) == 0


# ------------------------------------------------------------------------------------------------ bounds, hostile files

def nested(depth: int) -> bytes:
    return b"BEGIN:VCARD\r\n" * depth + b"FN:Deep\r\n" + b"END:VCARD\r\n" * depth


HOSTILE = {
    "over_10_mb": (lambda: b"BEGIN:VCARD\r\nFN:A\r\nNOTE:" + b"x" * (10 * 1024 * 1024) + b"\r\nEND:VCARD\r\n",
                   "dépasse la taille maximale (10 Mo au total)"),
    "50000_cards": (lambda: b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A B\r\nEND:VCARD\r\n" * 50_000,
                    "plus de 5000 fiches"),
    "one_5_mb_line": (lambda: b"BEGIN:VCARD\r\nFN:A\r\nNOTE:" + b"y" * (5 * 1024 * 1024) + b"\r\nEND:VCARD\r\n",
                      "une ligne de plus de 1 Mo"),
    "not_a_vcard": (lambda: b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "aucune ligne BEGIN:VCARD"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_files_past_a_bound_are_refused_with_a_message(client, app, admin, csrf, name):
    build, message = HOSTILE[name]
    response = upload(client, csrf, (f"{name}.vcf", build()))
    assert response.status_code == 422 and message in unescape(response.text)
    assert name == "over_10_mb" or f"{name}.vcf" in response.text  # the file is named when one is at fault
    assert count(app, ImportBatch) == 0 and count(app, Contact) == 0
    assert client.get("/contacts").status_code == 200  # the server keeps answering


def test_several_files_over_the_bounds_together_are_refused(client, app, admin, csrf):
    five = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A B\r\nEND:VCARD\r\n" * 3000
    response = upload(client, csrf, ("a.vcf", five), ("b.vcf", five))
    assert response.status_code == 422 and "L'import dépasse 5000 fiches au total" in unescape(response.text)
    big = b"BEGIN:VCARD\r\nFN:A\r\n" + (b"NOTE:" + b"x" * 1000 + b"\r\n") * 5500 + b"END:VCARD\r\n"
    response = upload(client, csrf, ("a.vcf", big), ("b.vcf", big), headers=HX)  # 11 MB in all
    assert response.status_code == 422 and "10 Mo au total" in unescape(response.text)
    assert count(app, ImportBatch) == 0


def test_an_upload_over_the_request_limit_gets_a_clear_413(client, app, admin, csrf):
    response = client.post("/contacts/import", data=b"x" * (13 * 1024 * 1024),
                           content_type="multipart/form-data; boundary=b")
    assert response.status_code == 413 and "L'envoi dépasse la taille autorisée." in unescape(response.text)
    assert count(app, ImportBatch) == 0


def test_the_card_bound_is_configurable(client, app, admin, csrf, monkeypatch):
    monkeypatch.setitem(app.config, "VCF_MAX_CARDS", 2)
    response = upload(client, csrf, ("a.vcf", vcf(card("FN:A B"), card("FN:C D"), card("FN:E F"))))
    assert response.status_code == 422 and "plus de 2 fiches" in unescape(response.text)


READABLE_HOSTILE = {
    "5000_nested_begin": nested(5000),
    "bogus_charset": vcf(card("N;CHARSET=X-BOGUS-42:D\xe9pont;Jean", "ORG;CHARSET=utf-99:Acme")).replace(
        "é".encode(), b"\xe9"),
    "bad_base64_photo": vcf(card("N:Photo;Paul", "ORG:Acme", "PHOTO;ENCODING=b;TYPE=JPEG:!!!*&&&not-base64===")),
    "photo_10000x10000": vcf(card("N:Grand;Gus", "ORG:Acme", "PHOTO;ENCODING=b;TYPE=PNG:"
                                  + base64.b64encode(png_declaring(10_000, 10_000)).decode())),
    "script_in_fn": vcf(card('FN:<script>alert(1)</script><b hx-get="/admin/users" hx-trigger="load">x</b>',
                             "ORG:<script>alert(2)</script>")),
}


@pytest.mark.parametrize("name", sorted(READABLE_HOSTILE))
def test_hostile_files_are_previewed_without_harm_and_write_nothing(client, app, admin, csrf, name):
    response = upload(client, csrf, (f"{name}.vcf", READABLE_HOSTILE[name]))
    assert response.status_code in (303, 422), response.status_code
    if response.status_code == 303:
        page = client.get(response.headers["Location"])
        assert page.status_code == 200
        assert "<script>alert" not in page.text and 'hx-get="/admin/users"' not in page.text
    assert count(app, Contact) == 0 and count(app, Client) == 0
    assert client.get("/contacts").status_code == 200


def test_hostile_cards_say_why(client, admin, csrf):
    _url, html, _form = open_preview(client, csrf, ("a.vcf", READABLE_HOSTILE["bad_base64_photo"]))
    assert "Photo" in unescape(row_html(html, 0))
    _url, html, _form = open_preview(client, csrf, ("a.vcf", READABLE_HOSTILE["5000_nested_begin"]))
    assert "erreur" in html or "imbriquée" in unescape(html)


# ------------------------------------------------------------------------------------------------ real files

@pytest.mark.skipif(not SAMPLE_FILES, reason="shared/vcf-samples is not beside the repository")
@pytest.mark.parametrize("sample", SAMPLE_FILES)
def test_every_sample_file_imports_over_http(client, app, admin, csrf, make, entity, sample):
    make.client_account("Divers", entities=[entity])
    response = upload(client, csrf, (Path(sample).name, (SAMPLES / sample).read_bytes()))
    assert response.status_code in (303, 422), response.status_code
    if response.status_code == 422:  # refused as a whole: it says why
        assert "form-error" in response.text
        return
    url = response.headers["Location"]
    page = client.get(url)
    assert page.status_code == 200
    form = read_form(page.text)
    fields = dict(form.fields)
    for name in list(fields):
        if name.startswith("c") and name[1:].isdigit():
            fields[name] = "create"
        if name.startswith("client-other-") and not form.options.get(name.replace("-other", "")):
            fields[name] = "Divers"
    to_create = sum(1 for name, value in fields.items() if name[1:].isdigit() and value == "create")
    message = flash_of(client, commit(client, url, fields))
    assert message.startswith(f"Import terminé : {to_create} créé")
    assert count(app, Contact) == to_create


def test_the_preview_form_is_read_into_typed_choices():
    """The route reads the form's field names; the services get ImportChoices only."""
    chosen = import_choices(MultiDict([
        ("csrf_token", "t"), ("action", "commit"), ("c0", "create"), ("c12", "update"), ("m12", "34:5"),
        ("m3", "34"), ("client-0", "7"), ("client-key-0", "acme"), ("client-1", "new"), ("client-key-1", "b"),
        ("client-other-1", "  Acme\x00 SA "), ("client-2", "9"), ("c4", "delete"), ("cx", "create"),
        ("client-other-", "x")]))
    assert chosen.cards == {0: "create", 12: "update"}
    assert chosen.contacts == {12: (34, 5)}
    assert chosen.accounts == {"acme": "7", "b": "new"}  # by company; a list without its company is left out
    assert chosen.typed_accounts == {"b": "Acme SA"}

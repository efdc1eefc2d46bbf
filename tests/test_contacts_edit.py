"""Add, edit, duplicate and delete contacts: validation, duplicates, photos, conflicts, audit, rights."""
import io
import json
import re
import threading

import pytest
from markupsafe import escape

from webapp.extensions import db
from webapp import rights
from webapp.models import AuditEntry, Contact, Role, RoleRight, Task

from .conftest import HX, image_bytes, strip_tags


@pytest.fixture
def desk(make, login_as, app):
    """A salesperson of one entity (who may also delete) with an account, and an account of another entity."""
    with app.app_context():
        db.session.add(Role(name="Commercial senior", rights=[RoleRight(right=code) for code in (
            rights.CONTACTS_LIST, rights.CONTACTS_EDIT, rights.CONTACTS_DELETE)]))
        db.session.commit()
    east = make.entity("Est")
    user = login_as(make.user("COTILLON Marion", role="Commercial senior", entities=[east]))
    aprool = make.client_account("APROOL", entities=[east])
    hidden = make.client_account("Secret SA", entities=[make.entity("Ouest")])
    return {"user": user, "east": east, "aprool": aprool, "hidden": hidden}


def _form(desk, **overrides):
    data = {"client_id": str(desk["aprool"].id), "gender": "F", "last_name": "Blou", "first_name": "Hélène",
            "function": "Chef de projet", "email": "helene.blou@aprool.com", "phone": "01.20.35.99.65",
            "mobile": "", "fax": "", "street": "1 rue de la Paix", "street2": "", "postal_code": "75002",
            "city": "Paris", "country": "FR", "owner_id": "", "department_id": "", "notes": "",
            "links-0-kind": "linkedin", "links-0-url": "https://www.linkedin.com/in/hblou",
            "links-1-kind": "website", "links-1-url": "", "links-2-kind": "x", "links-2-url": ""}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _post(client, csrf, url, data, htmx=True, files=None):
    payload = {**data, **(files or {})}
    headers = {"X-CSRFToken": csrf["token"], **(HX if htmx else {})}
    return client.post(url, data=payload, headers=headers, content_type="multipart/form-data")


def _contacts(app):
    with app.app_context():
        return db.session.scalars(db.select(Contact).order_by(Contact.id)).all()


def test_new_form_as_page_and_as_dialog(client, desk):
    page = client.get("/contacts/new")
    assert page.status_code == 200 and "<html" in page.text and "Ajout d&#39;un contact" in page.text
    dialog = client.get("/contacts/new", headers=HX)
    assert "<html" not in dialog.text and dialog.text.lstrip().startswith("<dialog")
    labels = strip_tags(dialog.text)
    for label in ("Client", "Genre", "Nom", "Prénom", "Service dans l'organigramme", "Fonction", "DPO ?", "RSSI ?",
                  "A quitté l'entreprise", "Affecté à", "Email", "Téléphone", "Mobile", "Fax", "Pays", "Photo"):
        assert label in labels.replace("&#39;", "'"), label
    assert dialog.text.count('class="required-mark"') == 4  # Client, Nom, Prénom, Fonction
    assert "Secret SA" not in dialog.text and "APROOL" in dialog.text


def test_create_through_the_dialog(client, csrf, desk, app):
    response = _post(client, csrf, "/contacts/new", _form(desk))
    assert response.status_code == 200 and response.text == ""
    assert response.headers["HX-Retarget"] == "#dialog-slot"
    events = json.loads(response.headers["HX-Trigger"])
    assert "contacts-changed" in events and events["toast-shown"]["message"] == "Contact BLOU Hélène créé."
    [contact] = _contacts(app)
    assert (contact.last_name, contact.phone, contact.phone_e164) == ("Blou", "01.20.35.99.65", "+33120359965")
    assert contact.search_text.startswith("blou helene aprool")
    with app.app_context():
        entry = db.session.scalars(db.select(AuditEntry)).one()
        assert (entry.action, entry.via, entry.user_id) == ("create", "form", desk["user"].id)
        assert json.loads(entry.new_value)["last_name"] == "Blou"
        assert db.session.get(Contact, contact.id).links[0].url == "https://www.linkedin.com/in/hblou"


def test_create_without_javascript_redirects_to_the_record(client, csrf, desk, app):
    response = _post(client, csrf, "/contacts/new", _form(desk), htmx=False)
    assert response.status_code == 302 and re.search(r"/contacts/\d+$", response.headers["Location"])


def test_validation_keeps_every_value_and_says_why_beside_each_field(client, csrf, desk, app):
    data = _form(desk, last_name="", function="", email="not-an-email", **{"links-0-url": "javascript:alert(1)"})
    response = _post(client, csrf, "/contacts/new", data)
    assert response.status_code == 422
    text = strip_tags(response.text)
    assert "Saisissez le nom." in text and "Saisissez la fonction." in text
    assert "Adresse e-mail invalide" in text and "Le lien doit commencer par http" in text
    assert 'value="not-an-email"' in response.text and 'value="javascript:alert(1)"' in response.text
    assert 'value="Hélène"' in response.text and 'value="1 rue de la Paix"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert _contacts(app) == []


def test_lengths_are_bounded_the_same_on_both_databases(client, csrf, desk, app):
    response = _post(client, csrf, "/contacts/new", _form(desk, last_name="x" * 10_000))
    assert response.status_code == 422 and _contacts(app) == []


def test_unreadable_phone_is_kept_as_typed_with_a_warning(client, csrf, desk, app):
    response = _post(client, csrf, "/contacts/new", _form(desk, phone="01010101"))
    assert response.status_code == 200
    assert "Numéro non reconnu" in json.loads(response.headers["HX-Trigger"])["toast-shown"]["message"]
    [contact] = _contacts(app)
    assert (contact.phone, contact.phone_e164) == ("01010101", None)


def test_email_of_another_contact_blocks_with_a_link(client, csrf, desk, make, app):
    other = make.contact(desk["aprool"], "Autre", "Anne", email="helene.blou@aprool.com",
                         email_key="helene.blou@aprool.com")
    response = _post(client, csrf, "/contacts/new", _form(desk, email="Helene.Blou@APROOL.com"))
    assert response.status_code == 422
    assert "déjà celle d&#39;un autre contact" in response.text and f'href="/contacts/{other.id}"' in response.text
    assert len(_contacts(app)) == 1


def test_same_name_at_same_client_asks_to_confirm(client, csrf, desk, make, app):
    make.contact(desk["aprool"], "BLOU", "Helene")
    first = _post(client, csrf, "/contacts/new", _form(desk, email=""))
    assert first.status_code == 422 and "Un contact du même nom existe déjà" in first.text
    confirmed = _post(client, csrf, "/contacts/new", _form(desk, email="", confirm_same_name="y"))
    assert confirmed.status_code == 200 and len(_contacts(app)) == 2


def test_account_of_another_entity_is_refused(client, csrf, desk, app):
    response = _post(client, csrf, "/contacts/new", _form(desk, client_id=str(desk["hidden"].id)))
    assert response.status_code == 422 and "pas accessible" in response.text and _contacts(app) == []


def test_photo_is_reencoded_and_bad_images_refused(client, csrf, desk, app):
    ok = _post(client, csrf, "/contacts/new", _form(desk), files={"photo": (io.BytesIO(image_bytes("PNG")), "me.png")})
    assert ok.status_code == 200
    with app.app_context():
        photo = db.session.scalars(db.select(Contact)).one().photo
        assert photo.mime == "image/jpeg" and photo.data[:3] == b"\xff\xd8\xff" and photo.thumbnail
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    for name, data in (("evil.svg", svg), ("bomb.png", image_bytes("PNG", (6000, 6000), 0, "1")), ("fake.jpg", b"not an image")):
        response = _post(client, csrf, "/contacts/new", _form(desk, email="", last_name="Autre"),
                         files={"photo": (io.BytesIO(data), name)})
        assert response.status_code == 422, name
        assert "image" in strip_tags(response.text).lower()
    assert len(_contacts(app)) == 1


def test_only_the_form_fields_are_written(client, csrf, desk, app):
    _post(client, csrf, "/contacts/new", _form(desk, version="99", id="4242", created_by_id="1", search_text="x"))
    [contact] = _contacts(app)
    assert contact.id != 4242 and contact.version == 1 and contact.created_by_id == desk["user"].id


def test_edit_records_each_changed_field(client, csrf, desk, make, app):
    contact = make.contact(desk["aprool"], "Blou", "Hélène", function="Chef de projet")
    form = client.get(f"/contacts/{contact.id}/edit", headers=HX)
    assert 'value="Chef de projet"' in form.text and f'name="version" type="hidden" value="{contact.version}"' in form.text
    response = _post(client, csrf, f"/contacts/{contact.id}/edit",
                     _form(desk, email="", function="Directrice de projet", version=str(contact.version)))
    assert response.status_code == 200
    with app.app_context():
        entries = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "update")).all()
        changed = {entry.field: (entry.old_value, entry.new_value) for entry in entries}
        assert changed["function"] == ("Chef de projet", "Directrice de projet")
        assert db.session.get(Contact, contact.id).version == contact.version + 1


def test_stale_save_is_refused_with_what_changed(client, csrf, desk, make, app):
    contact = make.contact(desk["aprool"], "Blou", "Hélène", function="Chef de projet")
    stale = str(contact.version)
    assert _post(client, csrf, f"/contacts/{contact.id}/edit",
                 _form(desk, email="", function="DSI", version=stale)).status_code == 200
    response = _post(client, csrf, f"/contacts/{contact.id}/edit",
                     _form(desk, email="", function="DAF", version=stale))
    assert response.status_code == 409
    text = strip_tags(response.text)
    assert "modifié par quelqu'un d'autre" in text and "« Chef de projet » → « DSI »" in text
    assert 'value="DAF"' in response.text  # what the user typed is kept
    with app.app_context():
        assert db.session.get(Contact, contact.id).function == "DSI"
    again = _post(client, csrf, f"/contacts/{contact.id}/edit",
                  _form(desk, email="", function="DAF", version=str(contact.version + 1)))
    assert again.status_code == 200


def test_twenty_simultaneous_saves_one_wins(app, desk, make):
    contact = make.contact(desk["aprool"], "Blou", "Hélène", function="Chef de projet")
    statuses, barrier = [], threading.Barrier(20)

    def save(n):
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = desk["user"].get_id()
            session["csrf_token"] = "t" * 40
        from itsdangerous import URLSafeTimedSerializer

        token = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token").dumps("t" * 40)
        barrier.wait()
        response = client.post(f"/contacts/{contact.id}/cells/function",
                               data={"value": f"Fonction {n}", "version": str(contact.version), "csrf_token": token},
                               headers=HX)
        statuses.append(response.status_code)

    threads = [threading.Thread(target=save, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] + [409] * 19
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == "update")) == 1
        assert db.session.get(Contact, contact.id).version == contact.version + 1


def _duplicable(app, desk, make):
    """A contact with something in every field, a link, a skill, a list, an extra phone and e-mail, and a photo."""
    from datetime import date

    from webapp.models import ContactExtra, ContactLink, ContactPhoto, MailingList, MailingListSubscription, Skill

    source = make.contact(desk["aprool"], "Blou", "Hélène", gender="F", function="Chef de projet",
                          email="h@aprool.com", phone="01 20 35 99 65", mobile="06 12 34 56 78", is_dpo=True,
                          street="1 rue de la Paix", postal_code="75002", city="Paris", country="FR",
                          notes="Préfère le téléphone", vcard_role="Achats", categories="VIP",
                          birthday=date(1980, 5, 17), vcard_uid="urn:uuid:blou")
    with app.app_context():
        contact = db.session.get(Contact, source.id)
        skill, letter = Skill(label="Rust", position=1), MailingList(provider="Mailjet", label="Lettre", position=0)
        contact.skills = [skill]
        contact.links = [ContactLink(kind="linkedin", url="https://www.linkedin.com/in/hblou", position=0)]
        contact.extras = [ContactExtra(kind="tel", label="Standard", value="01 00 00 00 00", position=0),
                          ContactExtra(kind="email", label="perso", value="hb@perso.fr", position=1)]
        contact.subscriptions = [MailingListSubscription(mailing_list=letter, status="subscribed",
                                                         since=date(2024, 1, 2))]
        contact.photo = ContactPhoto(mime="image/jpeg", data=b"x", thumbnail=b"x", width=1, height=1)
        db.session.commit()
    return source


def test_duplicate_fills_every_field_but_email_uid_and_photo_and_says_so(client, desk, make, app):
    source = _duplicable(app, desk, make)
    response = client.get(f"/contacts/{source.id}/duplicate", headers=HX)
    for value in ("Blou", "Hélène", "Chef de projet", "01 20 35 99 65", "06 12 34 56 78", "1 rue de la Paix",
                  "https://www.linkedin.com/in/hblou"):
        assert f'value="{escape(value)}"' in response.text, value
    assert "Préfère le téléphone" in response.text and 'name="is_dpo" type="checkbox" value="y"' in response.text
    assert "h@aprool.com" not in response.text and 'hx-post="/contacts/new"' in response.text
    notice = strip_tags(response.text)
    assert "Copie de BLOU Hélène" in notice and "sauf l'e-mail, l'identifiant vCard (UID) et la photo" in notice
    assert "Les listes de diffusion ne sont reprises que si vous saisissez un e-mail" in notice


def test_a_duplicate_saved_takes_skills_lists_links_and_hidden_fields_but_not_email_uid_photo(
        client, csrf, desk, make, app):
    source = _duplicable(app, desk, make)
    form = client.get(f"/contacts/{source.id}/duplicate", headers=HX).text
    key = re.search(r'name="idempotency_key" type="hidden" value="([^"]+)"', form).group(1)
    response = _post(client, csrf, "/contacts/new", _form(desk, first_name="Paul", email="paul@aprool.com",
                                                          duplicate_of=str(source.id), idempotency_key=key))
    assert response.status_code == 200, response.text
    with app.app_context():
        copy = db.session.scalars(db.select(Contact).where(Contact.first_name == "Paul")).one()
        assert (copy.vcard_role, copy.categories, str(copy.birthday)) == ("Achats", "VIP", "1980-05-17")
        # The copy is another person for the phones too: its own UID, made when it was created.
        assert copy.vcard_uid.startswith("urn:uuid:") and copy.vcard_uid != "urn:uuid:blou"
        assert copy.photo is None and copy.email == "paul@aprool.com"
        assert [skill.label for skill in copy.skills] == ["Rust"]
        assert [(item.mailing_list.label, item.status) for item in copy.subscriptions] == [("Lettre", "subscribed")]
        assert [(item.kind, item.value) for item in copy.extras] == [("tel", "01 00 00 00 00")]
        assert [link.url for link in copy.links] == ["https://www.linkedin.com/in/hblou"]


def test_a_duplicate_without_email_is_saved_without_its_lists(client, csrf, desk, make, app):
    source = _duplicable(app, desk, make)
    response = _post(client, csrf, "/contacts/new", _form(desk, first_name="Paul", email="",
                                                          duplicate_of=str(source.id)))
    assert response.status_code == 200, response.text
    with app.app_context():
        copy = db.session.scalars(db.select(Contact).where(Contact.first_name == "Paul")).one()
        assert copy.subscriptions == [] and [skill.label for skill in copy.skills] == ["Rust"]


def test_a_duplicate_of_a_contact_out_of_scope_copies_nothing_hidden(client, csrf, desk, make, app):
    hidden = make.contact(desk["hidden"], "Secret", "Sam", vcard_role="Espion")
    assert client.get(f"/contacts/{hidden.id}/duplicate", headers=HX).status_code == 404
    response = _post(client, csrf, "/contacts/new", _form(desk, duplicate_of=str(hidden.id)))
    assert response.status_code == 200
    with app.app_context():
        copy = db.session.scalars(db.select(Contact).where(Contact.first_name == "Hélène")).one()
        assert copy.vcard_role is None


def test_delete_an_unused_contact_after_confirmation(client, csrf, desk, make, app):
    contact = make.contact(desk["aprool"], "Blou", "Hélène")
    confirm = client.get(f"/contacts/{contact.id}/delete", headers=HX)
    assert "Supprimer définitivement le contact BLOU Hélène" in confirm.text
    response = client.post(f"/contacts/{contact.id}/delete", headers={**HX, "X-CSRFToken": csrf["token"]})
    assert response.status_code == 200 and "contacts-changed" in response.headers["HX-Trigger"]
    assert _contacts(app) == []
    with app.app_context():
        entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "delete")).one()
        assert json.loads(entry.old_value)["last_name"] == "Blou"


def test_a_used_contact_is_kept_and_left_company_is_offered(client, csrf, desk, make, app):
    contact = make.contact(desk["aprool"], "Blou", "Hélène")
    with app.app_context():
        db.session.add_all([Task(contact_id=contact.id, name="Appel"), Task(contact_id=contact.id, name="RDV")])
        db.session.commit()
    page = client.get(f"/contacts/{contact.id}/delete")
    text = strip_tags(page.text)
    assert "déjà utilisé (2 tâches)" in text and "A quitté l'entreprise" in text
    refused = client.post(f"/contacts/{contact.id}/delete", headers={**HX, "X-CSRFToken": csrf["token"]})
    assert refused.status_code == 409 and len(_contacts(app)) == 1
    left = client.post(f"/contacts/{contact.id}/left", data={"version": str(contact.version)},
                       headers={**HX, "X-CSRFToken": csrf["token"]})
    assert left.status_code == 200 and _contacts(app)[0].left_company is True


def test_rights_gate_every_write(client, csrf, make, login_as):
    east = make.entity("Est")
    contact = make.contact(make.client_account("APROOL", entities=[east]), "Blou", "Hélène")
    login_as(make.user(role="Commercial", entities=[east]))  # may edit, may not delete
    assert client.get(f"/contacts/{contact.id}/delete").status_code == 403
    assert client.post(f"/contacts/{contact.id}/delete", headers={"X-CSRFToken": csrf["token"]}).status_code == 403
    login_as(make.user(role=None, entities=[east]))
    for url in ("/contacts/new", f"/contacts/{contact.id}/edit", f"/contacts/{contact.id}/duplicate",
                f"/contacts/{contact.id}/cells/function"):
        assert client.get(url).status_code == 403, url


def test_another_entitys_contact_is_404_on_every_route(client, csrf, desk, make):
    other = make.contact(desk["hidden"], "Caché", "Carl")
    for url in (f"/contacts/{other.id}/edit", f"/contacts/{other.id}/duplicate", f"/contacts/{other.id}/delete",
                f"/contacts/{other.id}/row", f"/contacts/{other.id}/cells/function", f"/contacts/{other.id}/menu"):
        assert client.get(url, headers=HX).status_code == 404, url
    for url in (f"/contacts/{other.id}/edit", f"/contacts/{other.id}/delete", f"/contacts/{other.id}/left",
                f"/contacts/{other.id}/cells/function"):
        assert client.post(url, data={"value": "x"}, headers={**HX, "X-CSRFToken": csrf["token"]}).status_code == 404


def test_writes_without_csrf_token_get_400(client, desk, make, app):
    contact = make.contact(desk["aprool"], "Blou", "Hélène")
    assert client.post("/contacts/new", data=_form(desk)).status_code == 400
    assert client.post(f"/contacts/{contact.id}/cells/function", data={"value": "x"}).status_code == 400
    assert client.post(f"/contacts/{contact.id}/delete").status_code == 400
    assert len(_contacts(app)) == 1


@pytest.mark.parametrize("hostile", ["<script>alert(1)</script>", "Zoé 🚀 \u202egnp.exe", "a\x00b",
                                     '" onmouseover="alert(1)', "{{ 7*7 }}", 'hx-get="/admin"'])
def test_hostile_values_are_shown_literally(client, csrf, desk, app, hostile):
    response = _post(client, csrf, "/contacts/new", _form(desk, email="", function=hostile, last_name=hostile))
    assert response.status_code == 200
    [contact] = _contacts(app)
    assert contact.last_name == hostile.replace("\x00", "")
    listing = client.get("/contacts", headers={**HX, "HX-Target": "results"}).text
    assert str(escape(hostile.replace("\x00", ""))) in listing  # the Fonction column, literally
    assert "<script>alert" not in listing and 'onmouseover="alert' not in listing
    assert client.get(f"/contacts/{contact.id}").status_code == 200

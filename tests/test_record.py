"""The contact's record (Fiche Contact Client): its sections with and without data, the task table's order and
pager, the trail, the way back to the list, the photo and the vCard QR code; rights, scope, hostile values."""
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import segno
from PIL import Image
from sqlalchemy import select

from webapp.contacts.record import qr_svg, vcard_payload
from webapp.extensions import db
from webapp.models import Contact, ContactLink, Deal, Opportunity, Proposal, Skill
from webapp.rights import CONTACTS_LIST
from webapp.services import contact_extras, contacts as contact_service
from webapp.services.photos import process_photo

from .conftest import HX, image_bytes, strip_tags
from .record_support import HOSTILE, add_mailing_list, add_task, make_world, role_without, subscribe

SECTIONS = {**HX, "HX-Target": "record-sections"}


@pytest.fixture
def world(make, login_as):
    return make_world(make, login_as)


def test_record_reads_like_the_seed(client, app, world):
    add_task(app, world.blou.id, assignee_id=world.seller.id)
    add_task(app, world.blou.id, name="Rendez-vous téléphonique", type_label="Rendez-vous téléphonique",
             due=datetime(2020, 9, 24, 14, 0, tzinfo=UTC), assignee_id=world.other_seller.id)
    subscribe(app, world.blou.id, add_mailing_list(app))
    response = client.get(f"/contacts/{world.blou.id}")
    assert response.status_code == 200 and "<html" in response.text
    text = strip_tags(response.text)
    assert "Fiche Contact Client BLOU Hélène" in text
    assert "Actif | APROOL | Contact non affecté" in text
    assert "Liste des contacts clients" in text
    for expected in ("Société APROOL", "Prénom Hélène", "Nom BLOU", "Fonction Chef de projet",
                     "Email helene.blou@aprool.com", "Téléphone 01 20 35 99 65", "Mobile 06 25 34 12 57",
                     "Pays France", "DPO Non", "RSSI Non"):
        assert expected in text, expected
    assert 'href="mailto:helene.blou@aprool.com"' in response.text
    assert 'href="tel:+33120359965"' in response.text and 'href="tel:+33625341257"' in response.text
    assert "Aucun réseau social n'a été saisi pour ce contact." in text
    assert "Affectation commerciale Aucun commercial n'est affecté" in text
    assert "0 opportunité · 0 proposition · 0 affaire" in text
    assert "Mailjet - Malistemaljet · Depuis le 11/04/2019" in text
    assert "Liste des tâches 2 éléments - 1/1 - 200" in text
    header = ("Priorité Date / Heure de la tâche ▼ Type Nom de la tâche Suivi par Description / Compte-rendu "
              "Tél. mobile Tél. fixe Attachement(s) Statut")
    assert header in text
    # stored in UTC, shown in Paris time (summer: +2 h), newest first
    assert ("Normale 10/08/2022 à 11:15 Rendez-vous Rendez-vous physique COTILLON Marion 06 25 34 12 57 "
            "01 20 35 99 65 Aucun attachement Non démarrée") in text
    assert text.index("10/08/2022 à 11:15") < text.index("24/09/2020 à 16:00")
    assert "BOLESE Géraldine" in text
    assert f'src="/contacts/{world.blou.id}/qrcode.svg' in response.text
    assert "HX-Request" in response.headers["Vary"]


def test_record_without_data_says_so(client, make, world):
    bare = make.contact(world.aprool, "NEIGE", "Julia")
    text = strip_tags(client.get(f"/contacts/{bare.id}").text)
    assert "Actif | APROOL | Contact non affecté" in text
    assert "Aucun réseau social n'a été saisi pour ce contact." in text
    assert "Aucun commercial n'est affecté" in text
    assert "Aucun abonnement : le contact n'a pas d'adresse e-mail." in text
    assert "Liste des tâches 0 élément - 1/1 - 200" in text and "Aucune tâche pour ce contact." in text
    assert "Aucune modification enregistrée." in text
    assert "Aucune compétence n'a été saisie pour ce contact." in text


def test_owner_marks_links_and_counters(client, app, make, world):
    owner = make.user("BERTRAND Nicolas", entities=[])
    with app.app_context():
        contact = db.session.get(Contact, world.blou.id)
        contact.owner_id, contact.is_dpo, contact.left_company = owner.id, True, True
        db.session.add_all([ContactLink(contact_id=contact.id, kind="linkedin", url="https://www.linkedin.com/in/blou"),
                            ContactLink(contact_id=contact.id, kind="other", url="javascript:alert(1)", position=1)])
        db.session.add(Opportunity(title="Piste", client_id=world.aprool.id, contact_id=contact.id))
        for _ in range(2):
            db.session.add(Deal(title="Mission", client_id=world.aprool.id, contact_id=contact.id))
        db.session.commit()
    response = client.get(f"/contacts/{world.blou.id}")
    text = strip_tags(response.text)
    assert "Inactif | APROOL | BERTRAND Nicolas" in text
    assert "Affectation commerciale BERTRAND Nicolas" in text
    assert "DPO DPO RSSI Non" in text
    assert "1 opportunité · 0 proposition · 2 affaires" in text
    assert f'href="/contacts/{world.blou.id}/deals#opportunities"' in response.text
    assert ('<a href="https://www.linkedin.com/in/blou" rel="noopener noreferrer" target="_blank">' in response.text)
    assert 'href="javascript:' not in response.text and "javascript:alert(1)" in text


def test_tasks_sort_by_column_and_page(client, app, world):
    for index in range(25):
        add_task(app, world.blou.id, name=f"Tâche {index:02d}", priority=1 + index % 3,
                 due=datetime(2024, 1, 1, tzinfo=UTC) + timedelta(days=index))
    page = client.get(f"/contacts/{world.blou.id}?tsort=name&tper=20")
    text = strip_tags(page.text)
    assert "25 éléments - 1/2 - 20" in text
    names = re.findall(r"Tâche \d\d", text)
    assert names[:3] == ["Tâche 00", "Tâche 01", "Tâche 02"] and len(names) == 20
    assert 'aria-sort="ascending"' in page.text
    second = strip_tags(client.get(f"/contacts/{world.blou.id}?tsort=name&tper=20&tpage=2").text)
    assert "25 éléments - 2/2 - 20" in second and re.findall(r"Tâche \d\d", second)[0] == "Tâche 20"
    reverse = strip_tags(client.get(f"/contacts/{world.blou.id}?tsort=-name").text)
    assert re.findall(r"Tâche \d\d", reverse)[0] == "Tâche 24"
    by_priority = strip_tags(client.get(f"/contacts/{world.blou.id}?tsort=-priority").text)
    assert by_priority.index("Haute") < by_priority.index("Basse")
    # nonsense falls back to the default order and page size
    fallback = strip_tags(client.get(f"/contacts/{world.blou.id}?tsort=evil&tper=7&tpage=-3").text)
    assert "25 éléments - 1/1 - 200" in fallback


def test_sections_fragment_for_htmx(client, app, world):
    add_task(app, world.blou.id)
    response = client.get(f"/contacts/{world.blou.id}?tsort=name", headers=SECTIONS)
    assert response.status_code == 200 and "<html" not in response.text
    assert response.text.lstrip().startswith('<div id="record-sections"')
    assert f'hx-get="/contacts/{world.blou.id}?tsort=name"' in response.text
    assert 'hx-trigger="contacts-changed from:body"' in response.text
    assert 'id="record-identity" hx-swap-oob="true"' in response.text and 'id="record-status"' in response.text
    assert "HX-Request" in response.headers["Vary"]
    # a boosted or history-restore request gets the page
    full = client.get(f"/contacts/{world.blou.id}", headers={**SECTIONS, "HX-History-Restore-Request": "true"})
    assert "<html" in full.text


def test_way_back_to_the_list_keeps_its_filters(client, world):
    back = "/contacts?q=blou&sort=-last_name"
    response = client.get(f"/contacts/{world.blou.id}", query_string={"back": back})
    assert 'href="/contacts?q=blou&amp;sort=-last_name" id="record-back"' in response.text
    # the task table's links keep the way back
    assert "back=%2Fcontacts%3Fq%3Dblou%26sort%3D-last_name" in response.text
    for hostile in ("https://evil.example/contacts", "//evil.example", "/admin/users", "javascript:alert(1)"):
        page = client.get(f"/contacts/{world.blou.id}", query_string={"back": hostile})
        assert 'href="/contacts" id="record-back"' in page.text


def test_opened_from_the_list_the_record_leads_back_to_it(client, world):
    """The list's links need not carry ?back=: the browser's Referer (same origin) says which list it was."""
    referer = "http://localhost/contacts?q=blou&sort=-last_name"
    record = client.get(f"/contacts/{world.blou.id}", headers={"Referer": referer})
    assert 'href="/contacts?q=blou&amp;sort=-last_name" id="record-back"' in record.text
    assert "back=%2Fcontacts%3Fq%3Dblou%26sort%3D-last_name" in record.text  # kept by the task table's links
    for foreign in ("http://evil.example/contacts?q=x", "http://localhost/admin/users", "javascript:alert(1)",
                    "http://localhost/contacts/12", "not a url"):
        page = client.get(f"/contacts/{world.blou.id}", headers={"Referer": foreign})
        assert 'href="/contacts" id="record-back"' in page.text, foreign
    explicit = client.get(f"/contacts/{world.blou.id}?back=/contacts%3Fq%3Dx", headers={"Referer": referer})
    assert 'href="/contacts?q=x" id="record-back"' in explicit.text


def test_history_shows_who_when_how_and_what(client, app, world):
    with app.app_context():
        contact = db.session.get(Contact, world.blou.id)
        contact_service.create_contact({"client_id": world.aprool.id, "last_name": "NEIGE", "first_name": "Julia",
                                        "function": "<b>RRH</b>"}, world.seller.id, "form")
        contact_service.update_contact(contact, {"function": "Directrice"}, contact.version, world.seller.id, "inline")
        contact_extras.set_skills(contact, [db.session.scalars(select(Skill.id).where(Skill.label == "SAP")).one()],
                                  world.seller.id)
        db.session.commit()
        created_id = db.session.scalars(select(Contact.id).where(Contact.last_name == "NEIGE")).one()
    text = strip_tags(client.get(f"/contacts/{world.blou.id}").text)
    assert re.search(r"\d\d/\d\d/\d{4} à \d\d:\d\d COTILLON Marion Modification en ligne Modification Fonction "
                     r"Chef de projet → Directrice", text)
    assert "Environnement / Compétences (vide) → SAP" in text
    created = client.get(f"/contacts/{created_id}")
    assert "Formulaire Création" in strip_tags(created.text)
    assert "Nom : NEIGE" in strip_tags(created.text) and "Fonction : &lt;b&gt;RRH&lt;/b&gt;" in created.text


def test_history_time_is_paris_time(client, app, world):
    from webapp.models import AuditEntry

    with app.app_context():
        db.session.add(AuditEntry(at=datetime(2024, 1, 15, 23, 30, tzinfo=UTC), user_id=None, via="cli",
                                  action="update", record_type="contact", record_id=world.blou.id, field="city",
                                  old_value=None, new_value="Lyon"))
        db.session.commit()
    text = strip_tags(client.get(f"/contacts/{world.blou.id}").text)
    assert "16/01/2024 à 00:30 Système Ligne de commande Modification Ville (vide) → Lyon" in text


def test_photo_route_headers_etag_and_thumbnail(client, app, world):
    assert client.get(f"/contacts/{world.blou.id}/photo").status_code == 404
    with app.app_context():
        contact = db.session.get(Contact, world.blou.id)
        contact_service.update_contact(contact, {}, contact.version, world.seller.id, "form",
                                       photo=process_photo(image_bytes("PNG", (300, 200))))
        db.session.commit()
    page = client.get(f"/contacts/{world.blou.id}")
    assert re.search(rf'<img class="record-photo" src="/contacts/{world.blou.id}/photo\?thumb=1&amp;v=\d+"', page.text)
    full = client.get(f"/contacts/{world.blou.id}/photo")
    assert full.status_code == 200 and full.headers["Content-Type"] == "image/jpeg"
    assert full.headers["X-Content-Type-Options"] == "nosniff" and full.headers.get("ETag")
    thumb = client.get(f"/contacts/{world.blou.id}/photo?thumb=1")
    assert len(thumb.data) < len(full.data) and thumb.headers["ETag"] != full.headers["ETag"]
    assert Image.open(io.BytesIO(thumb.data)).size[0] <= 96
    again = client.get(f"/contacts/{world.blou.id}/photo", headers={"If-None-Match": full.headers["ETag"]})
    assert again.status_code == 304 and not again.data
    assert client.get(f"/contacts/{world.hidden.id}/photo").status_code == 404


def test_qr_code_carries_the_vcard(client, app, world):
    response = client.get(f"/contacts/{world.blou.id}/qrcode.svg")
    assert response.status_code == 200 and response.headers["Content-Type"] == "image/svg+xml"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert b"<svg" in response.data and b"<script" not in response.data and b"style=" not in response.data
    with app.app_context():
        contact = db.session.get(Contact, world.blou.id)
        payload = vcard_payload(contact)
    assert payload.startswith("BEGIN:VCARD\r\nVERSION:3.0\r\n") and payload.rstrip().endswith("END:VCARD")
    lines = payload.lower().split("\r\n")  # property and type names are case-insensitive
    for line in ("FN:Hélène BLOU", "N:BLOU;Hélène;;;", "ORG:APROOL", "TITLE:Chef de projet",
                 "EMAIL;TYPE=INTERNET,WORK:helene.blou@aprool.com", "TEL;TYPE=CELL:+33625341257",
                 "TEL;TYPE=WORK,VOICE:+33120359965"):
        assert line.lower() in lines, line
    assert "PHOTO" not in payload
    # the route serves the code of exactly this text
    expected = io.BytesIO()
    segno.make(payload, error="l", boost_error=True, micro=False).save(
        expected, kind="svg", scale=4, border=2, dark="#000", light="#fff", xmldecl=True, title="vCard BLOU Hélène")
    assert response.data == expected.getvalue()


def test_qr_code_of_oversized_values_still_renders(app, make, world):
    emoji = "😀" * 100
    big = make.contact(world.aprool, emoji, emoji, function="😀" * 150, email="a" * 64 + "@example.com")
    with app.app_context():
        contact = db.session.get(Contact, big.id)
        svg = qr_svg(contact)
        assert svg.startswith(b"<?xml") and b"<svg" in svg
        assert "ORG" not in vcard_payload(contact, minimal=True)


def test_rights_and_scope(client, app, make, login_as, world):
    for url in (f"/contacts/{world.hidden.id}", f"/contacts/{world.hidden.id}/qrcode.svg",
                f"/contacts/{world.hidden.id}/photo", "/contacts/999999"):
        assert client.get(url).status_code == 404, url
    login_as(make.user("SANS Droit", role=role_without(app, "Commercial", CONTACTS_LIST), entities=[]))
    for url in (f"/contacts/{world.blou.id}", f"/contacts/{world.blou.id}/qrcode.svg",
                f"/contacts/{world.blou.id}/photo"):
        assert client.get(url).status_code == 403, url


def test_logged_out_goes_to_login(app, world):
    anonymous = app.test_client()
    response = anonymous.get(f"/contacts/{world.blou.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_are_shown_escaped(client, app, make, world, value):
    contact = make.contact(world.aprool, value[:100], value[:100], function=value, city=value,
                           notes=value * 500)
    add_task(app, contact.id, name=value, description=value * 400, files=[(value[:50] + ".pdf", b"%PDF")])
    with app.app_context():
        db.session.add(ContactLink(contact_id=contact.id, kind="website", url=value))
        db.session.commit()
    response = client.get(f"/contacts/{contact.id}")
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.text
    assert 'href="javascript:' not in response.text
    assert client.get(f"/contacts/{contact.id}/qrcode.svg").status_code == 200
    assert client.get(f"/contacts/{contact.id}", headers=SECTIONS).status_code == 200


def test_proposals_count_on_the_record(client, app, world):
    with app.app_context():
        db.session.add(Proposal(title="Offre", client_id=world.aprool.id, contact_id=world.blou.id))
        db.session.commit()
    assert "0 opportunité · 1 proposition · 0 affaire" in strip_tags(client.get(f"/contacts/{world.blou.id}").text)

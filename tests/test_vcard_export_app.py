"""vCard export from the CRM: the single-contact download (headers, versions, rights, scope), the writers bulk
actions use (multi-card file, zip), batched reading, UIDs, and the round trip export → import that changes nothing."""
import io
import re
import zipfile
from datetime import date
from urllib.parse import unquote

import pytest
from sqlalchemy import event, func, select

from webapp.extensions import db
from webapp.models import (AuditEntry, Client, Contact, ContactExtra, ContactLink, Department, Role, RoleRight)
from webapp.rights import CONTACTS_LIST
from webapp.services.contacts import LinkValue, create_contact, new_uid
from webapp.services.photos import process_photo
from webapp.services.vcard_read import parse_vcards
from webapp.services.vcard_export import export_cards, write_vcf, write_zip

from .conftest import HX, image_bytes
from .test_vcard_import import admin, entity, flash_of, open_preview, row_html  # noqa: F401 - admin, entity: fixtures


@pytest.fixture
def account(make, entity):
    return make.client_account("Société Générale d'Études", entities=[entity])


def full_contact(app, account, **overrides) -> int:
    """A contact with every exported field filled, written by the contact service."""
    with app.app_context():
        department = db.session.scalars(select(Department).where(Department.label == "Achats")).first()
        if department is None:
            department = Department(label="Achats")
            db.session.add(department)
            db.session.flush()
        values = dict(client_id=account.id, gender="F", last_name="Lefèvre-Dubœuf", first_name="Élise",
                      department_id=department.id, function="Directrice des achats, Europe",
                      email="elise@acme.fr", phone="01 20 35 99 65", mobile="06 12 34 56 78",
                      fax="01 20 35 99 66", street="12, rue de l'Église", street2="Bât. B; 3e étage",
                      postal_code="SW1A 1AA", city="London", country="GB",
                      notes="Rencontrée au salon; à rappeler, vite.\nDeuxième ligne \\ fin 😀",
                      vcard_role="Décideur", categories="Client, VIP", birthday=date(1980, 2, 29))
        values.update(overrides)
        contact = create_contact(values, None, "form", links=[
            LinkValue("linkedin", "https://www.linkedin.com/in/elise"), LinkValue("x", "https://x.com/elise"),
            LinkValue("website", "https://acme.fr/a,b;c"), LinkValue("other", "https://blog.example.org/elise"),
            LinkValue("github", "https://github.com/elise")], photo=process_photo(image_bytes(size=(120, 90))))
        for position, (kind, label, value) in enumerate([
                ("tel", "Domicile", "01 44 55 66 77"), ("email", "Perso", "elise@perso.fr"),
                ("impp", "Skype", "skype:elise.l"), ("nickname", None, "Lili"), ("related", "Assistant", "Paul"),
                ("anniversary", "Anniversaire de mariage", "2010-06-12"), ("adr", "Domicile", "1 rue X, Paris"),
                ("other", "Autres prénoms", "Marie"), ("date", "Rencontre", "2020-01-15")]):
            db.session.add(ContactExtra(contact_id=contact.id, kind=kind, label=label, value=value,
                                        position=position))
        db.session.commit()
        return contact.id


def snapshot(app, contact_id: int) -> dict:
    """Every column of the contact, its links, extras and photo bytes."""
    with app.app_context():
        contact = db.session.get(Contact, contact_id)
        state = {attr.key: getattr(contact, attr.key) for attr in Contact.__mapper__.column_attrs}
        state["links"] = [(link.kind, link.url, link.position) for link in contact.links]
        state["extras"] = [(e.kind, e.label, e.value, e.position) for e in contact.extras]
        photo = contact.photo
        state["photo"] = (photo.mime, photo.data, photo.thumbnail, photo.width, photo.height) if photo else None
        return state


# ------------------------------------------------------------------------------------------------ download

def test_export_one_contact_as_a_download(client, app, admin, account):
    contact_id = full_contact(app, account)
    response = client.get(f"/contacts/{contact_id}/vcard")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/vcard; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="LEFEVRE-DUB') and disposition.isascii()  # old clients
    quoted = re.search(r"filename\*=UTF-8''(\S+)$", disposition).group(1)
    assert unquote(quoted) == "LEFÈVRE-DUBŒUF Élise.vcf"
    assert response.headers["Cache-Control"] == "no-store"
    text = response.data.decode("utf-8")
    assert text.startswith("BEGIN:VCARD\r\nVERSION:3.0\r\n") and text.endswith("END:VCARD\r\n")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    unfolded = text.replace("\r\n ", "")
    for line in ("N:Lefèvre-Dubœuf;Élise;;;", "FN:Élise Lefèvre-Dubœuf", "ORG:Société Générale d'Études;Achats",
                 "TEL;TYPE=cell:06 12 34 56 78", "X-GENDER:Female", "CATEGORIES:Client,VIP",
                 "ADR;TYPE=work:;Bât. B\\; 3e étage;12\\, rue de l'Église;London;;SW1A 1AA;Royaume-Uni"):
        assert line in unfolded.split("\r\n"), line
    assert "CHARSET" not in text and "ENCODING=QUOTED" not in text


def test_version_4_on_request_and_nothing_else(client, app, admin, account):
    contact_id = full_contact(app, account)
    text = client.get(f"/contacts/{contact_id}/vcard?version=4.0").data.decode()
    assert "VERSION:4.0" in text and "GENDER:F" in text and "PHOTO:data:image/jpeg;base64," in text.replace("\r\n ", "")
    assert client.get(f"/contacts/{contact_id}/vcard?version=2.1").status_code == 400


def test_export_needs_the_right_and_the_scope(client, app, make, login_as, account, entity):
    contact_id = full_contact(app, account)
    with app.app_context():
        db.session.add(Role(name="Lecture", rights=[RoleRight(right=CONTACTS_LIST)]))
        db.session.commit()
    login_as(make.user("LECTEUR Luc", role="Lecture", entities=[entity]))
    assert client.get(f"/contacts/{contact_id}/vcard").status_code == 403
    menu = f"/contacts/{contact_id}/menu"  # the row's "Plus d'actions" entries, loaded by htmx
    assert "Export VCF du contact" not in client.get(menu, headers=HX).text
    login_as(make.user("AILLEURS Ana", role="Commercial", entities=[make.entity("Lyon")]))
    assert client.get(f"/contacts/{contact_id}/vcard").status_code == 404
    login_as(make.user("ICI Ines", role="Commercial", entities=[entity]))
    assert client.get(f"/contacts/{contact_id}/vcard").status_code == 200
    assert client.get("/contacts/999999/vcard").status_code == 404
    assert f'href="/contacts/{contact_id}/vcard" download' in client.get(menu, headers=HX).text


# A contact's first export no longer stores a UID (issue 15: a GET never writes): every contact has one from its
# creation; see tests/test_vcard_fidelity_uid.py.


def test_a_known_uid_is_kept(client, app, admin, account, make):
    contact = make.contact(account, "Avec", "Uid", vcard_uid="uid-from-an-iphone-42")
    assert "UID:uid-from-an-iphone-42\r\n" in client.get(f"/contacts/{contact.id}/vcard").data.decode()


# ------------------------------------------------------------------------------------------------ writers

def test_write_vcf_and_zip(app, account, make):
    ids = [make.contact(account, "Dupont", "Jean").id, make.contact(account, "Dupont", "Jean").id,
           make.contact(account, "../../etc/passwd", "\u202egpj.exe").id, make.contact(account, "CON", "").id]
    with app.app_context():
        out = io.BytesIO()
        write_vcf(ids + [987654], "3.0", out)  # an unknown id is left out
        result = parse_vcards(out.getvalue())
        assert [c.last_name for c in result.cards] == ["Dupont", "Dupont", "../../etc/passwd", "CON"]
        archive_bytes = io.BytesIO()
        write_zip(ids, "4.0", archive_bytes)
    with zipfile.ZipFile(io.BytesIO(archive_bytes.getvalue())) as archive:
        names = archive.namelist()
        assert names[:2] == ["DUPONT Jean.vcf", "DUPONT Jean (2).vcf"]
        assert names[2:] == ["ETC PASSWD gpj.exe.vcf", "_CON.vcf"]  # no path, no right-to-left override
        for name in names:
            assert archive.read(name).decode().startswith("BEGIN:VCARD\r\nVERSION:4.0")


def test_export_reads_in_batches_with_few_queries(app, account, make, entity):
    with app.app_context():
        rows = [Contact(client_id=account.id, last_name=f"N{i}", first_name="P", vcard_uid=f"u{i}")
                for i in range(1200)]
        db.session.add_all(rows)
        db.session.flush()
        for row in rows[::3]:
            db.session.add(ContactLink(contact_id=row.id, kind="website", url=f"https://x{row.id}.fr", position=0))
            db.session.add(ContactExtra(contact_id=row.id, kind="nickname", value=f"n{row.id}", position=0))
        db.session.commit()
        ids = [row.id for row in rows]
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            exported = list(export_cards(ids))
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        assert len(exported) == 1200 and exported[3].card.urls == [(f"https://x{ids[3]}.fr", "website")]
        # Three batches of 500: four reads each.
        assert len(statements) <= 3 * 4, statements[:20]


# ------------------------------------------------------------------------------------------------ round trip

@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_round_trip_offers_update_and_changes_no_field(client, app, admin, account, make, csrf, version):
    first = full_contact(app, account)
    # Almost empty; with the UID every contact gets at its creation (the fixture writes the row directly).
    second = make.contact(account, "Martin", "Paul", vcard_uid=new_uid()).id
    third = full_contact(app, account, last_name="Bernard", first_name="Luc", email="luc@acme.fr",
                         mobile=None, country="FR", gender="M", department_id=None, notes=None)
    ids = [first, second, third]
    single = client.get(f"/contacts/{first}/vcard?version={version}").data
    with app.app_context():
        out = io.BytesIO()
        write_vcf(ids[1:], version, out)
    before = {contact_id: snapshot(app, contact_id) for contact_id in ids}
    trail_before = _count(app, AuditEntry)

    url, html, form = open_preview(client, csrf, ("un.vcf", single), ("plusieurs.vcf", out.getvalue()))
    for index, contact_id in enumerate(ids):
        row = row_html(html, index)
        assert "doublon possible" in row and "même UID" in row and f'href="/contacts/{contact_id}"' in row
        assert form.fields[f"c{index}"] == "update"
    message = flash_of(client, client.post(url, data={**form.fields, "action": "commit"}))
    assert message == "Import terminé : 0 créé, 3 mis à jour (dont 3 sans changement), 0 ignoré, 0 erreur."
    for contact_id in ids:
        after = snapshot(app, contact_id)
        assert after == before[contact_id], {k: (before[contact_id][k], after[k]) for k in after
                                             if after[k] != before[contact_id][k]}
    assert _count(app, AuditEntry) == trail_before and _count(app, Client) == 1


def test_round_trip_into_an_empty_base_creates_the_same_contact(client, app, admin, account, csrf):
    contact_id = full_contact(app, account)
    data = client.get(f"/contacts/{contact_id}/vcard").data
    before = snapshot(app, contact_id)
    with app.app_context():
        db.session.delete(db.session.get(Contact, contact_id))
        db.session.commit()
    url, _html, form = open_preview(client, csrf, ("un.vcf", data))
    assert form.fields["c0"] == "create" and form.fields["client-0"] == str(account.id)
    flash_of(client, client.post(url, data={**form.fields, "action": "commit"}))
    with app.app_context():
        new_id = db.session.scalar(select(Contact.id))
    after = snapshot(app, new_id)
    generated = {"id", "created_at", "updated_at", "created_by_id", "updated_by_id", "owner_id", "photo", "links",
                 "extras"}
    assert {k: v for k, v in after.items() if k not in generated} == \
        {k: v for k, v in before.items() if k not in generated}
    assert after["photo"][0] == "image/jpeg" and after["photo"][3:] == before["photo"][3:]
    # Another app's file is read grouped by property, so the order may differ; a link of kind "Autre" has no
    # vCard type and comes back as a web site.
    assert sorted((kind.replace("other", "website"), url) for kind, url, _p in before["links"]) == \
        sorted((kind, url) for kind, url, _p in after["links"])
    assert sorted(e[:3] for e in after["extras"]) == sorted(e[:3] for e in before["extras"])


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))

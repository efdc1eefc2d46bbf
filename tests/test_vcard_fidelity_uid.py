"""vCard fidelity (issue 15), a GET never writes: every contact gets its UID when it is created (form, vCard import,
CSV import, demo data), migration 0012 gives one to the contacts stored without, and exports only read."""
import io
import re
import zipfile

import pytest
from alembic import command
from sqlalchemy import event, func, select

from webapp.extensions import db
from webapp.models import AuditEntry, Contact
from webapp.services.contacts import create_contact

from .conftest import strip_tags
from .test_vcard_import import admin, card, commit, entity, open_preview, vcf  # noqa: F401 - admin, entity: fixtures

UID = re.compile(r"^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


@pytest.fixture
def account(make, entity):
    return make.client_account("Acme", entities=[entity])


def test_a_contact_created_by_the_service_has_its_uid(app, account):
    with app.app_context():
        first = create_contact({"client_id": account.id, "last_name": "Dupont", "first_name": "Jean"}, None, "form")
        second = create_contact({"client_id": account.id, "last_name": "Dupont", "first_name": "Jean"}, None, "form")
        kept = create_contact({"client_id": account.id, "last_name": "Iphone", "first_name": "Ida",
                               "vcard_uid": "uid-42"}, None, "form")
        assert UID.match(first.vcard_uid) and UID.match(second.vcard_uid) and first.vcard_uid != second.vcard_uid
        assert kept.vcard_uid == "uid-42"
        db.session.rollback()


def test_a_contact_typed_in_the_form_has_its_uid(client, app, admin, account, csrf):
    data = {"client_id": str(account.id), "gender": "F", "last_name": "Formulaire", "first_name": "Fanny",
            "function": "Acheteuse", "email": "", "phone": "", "mobile": "", "fax": "", "street": "", "street2": "",
            "postal_code": "", "city": "", "country": "FR", "owner_id": "", "department_id": "", "notes": "",
            "links-0-kind": "linkedin", "links-0-url": ""}
    response = client.post("/contacts/new", data=data, headers={"X-CSRFToken": csrf["token"]})
    assert response.status_code == 302, strip_tags(response.text)[:300]
    with app.app_context():
        uid = db.session.scalar(select(Contact.vcard_uid).where(Contact.last_name == "Formulaire"))
    assert uid and UID.match(uid)


def test_a_card_imported_without_uid_gets_one_and_one_with_keeps_it(client, app, admin, csrf):
    data = vcf(card("N:Sans;Uid", "ORG:Acme"), card("N:Avec;Uid", "ORG:Acme", "UID:uid-from-an-iphone"))
    url, _html, form = open_preview(client, csrf, ("a.vcf", data))
    commit(client, url, form.fields)
    with app.app_context():
        uids = dict(db.session.execute(select(Contact.last_name, Contact.vcard_uid)).all())
    assert UID.match(uids["Sans"]) and uids["Avec"] == "uid-from-an-iphone"


def _writes_during(app, action) -> list[str]:
    """The INSERT, UPDATE and DELETE statements run while `action` runs."""
    statements: list[str] = []

    def listener(_conn, _cursor, statement, *_args):
        if statement.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return statements


def _state(app):
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(AuditEntry)),
                db.session.execute(select(Contact.id, Contact.vcard_uid, Contact.version, Contact.updated_at)
                                   .order_by(Contact.id)).all())


def test_exports_write_no_row_and_no_audit(client, app, admin, account, csrf, make):
    with app.app_context():
        typed = create_contact({"client_id": account.id, "last_name": "Tapé", "first_name": "Théo"}, admin.id,
                               "form").id
        db.session.commit()
    legacy = make.contact(account, "Ancien", "Sans Uid").id  # a row stored before migration 0012
    before = _state(app)
    responses = []

    def export():
        responses.append(client.get(f"/contacts/{typed}/vcard"))
        responses.append(client.get(f"/contacts/{legacy}/vcard?version=4.0"))

    assert _writes_during(app, export) == []
    assert _state(app) == before
    assert [r.status_code for r in responses] == [200, 200]
    with app.app_context():
        uid = db.session.get(Contact, typed).vcard_uid
    assert f"\r\nUID:{uid}\r\n" in responses[0].text
    assert "\r\nUID:" not in responses[1].text  # nothing is invented, nothing stored


def test_bulk_exports_write_no_row_and_no_audit(app, account, make):
    from webapp.services.vcard_export import write_vcf, write_zip

    ids = [make.contact(account, f"N{i}", "P").id for i in range(3)]
    before = _state(app)
    outputs = []

    def export():
        with app.app_context():
            for writer in (write_vcf, write_zip):
                out = io.BytesIO()
                writer(ids, "3.0", out)
                outputs.append(out.getvalue())

    assert _writes_during(app, export) == []
    assert _state(app) == before
    assert outputs[0].count(b"BEGIN:VCARD") == 3
    assert len(zipfile.ZipFile(io.BytesIO(outputs[1])).namelist()) == 3


def test_migration_0012_gives_a_uid_to_every_stored_contact(app, account, make):
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        command.downgrade(config, "0011")
    try:
        without = [make.contact(account, f"Ancien{i}", "A").id for i in range(5)]
        kept = make.contact(account, "Iphone", "I", vcard_uid="uid-from-an-iphone").id
        before = _state(app)
    finally:
        with app.app_context():
            command.upgrade(config, "head")
    audit_rows, rows = _state(app)
    uids = {row.id: row.vcard_uid for row in rows}
    assert uids[kept] == "uid-from-an-iphone"
    assert all(UID.match(uids[i]) for i in without) and len({uids[i] for i in without}) == 5
    # Not an edit of the user's: versions, dates and the audit trail are as they were.
    assert audit_rows == before[0]
    assert [(r.id, r.version, r.updated_at) for r in rows] == [(r.id, r.version, r.updated_at) for r in before[1]]

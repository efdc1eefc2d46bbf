"""The record's history in words (issue 13, "Details"): names for people, accounts and services instead of ids,
labels for codes, the channel of each change, in French or English; an account the user may not see is not named."""
import html
from datetime import date

import pytest
from sqlalchemy import event, select

from webapp.extensions import db
from webapp.models import AuditEntry, Contact, Department, User
from webapp.scope import client_visible
from webapp.services import contacts as contact_service
from webapp.services.audit_words import trail_in_words

from .conftest import strip_tags
from .record_support import make_world

ENGLISH = {"Accept-Language": "en"}


@pytest.fixture
def world(make, login_as):
    return make_world(make, login_as)


@pytest.fixture
def changed(app, world, make):
    """BLOU Hélène moved to ZENITH, given to COTILLON Marion, and more, through the form; other channels' rows."""
    zenith = make.client_account("ZENITH", entities=[world.east])
    with app.app_context():
        service = Department(label="Direction des systèmes d'information")
        db.session.add(service)
        db.session.flush()
        contact = db.session.get(Contact, world.blou.id)
        contact_service.update_contact(contact, {
            "client_id": zenith.id, "owner_id": world.seller.id, "country": "BE", "gender": "F", "is_dpo": True,
            "birthday": date(1980, 2, 29), "department_id": service.id}, contact.version, world.seller.id, "form")
        for via, field, old, new in (("inline", "city", None, "Lyon"), ("vcard", "fax", None, "01 02 03 04 05"),
                                     ("csv", "street", None, "1 rue de la Paix"),
                                     ("form", "mailing_lists", "Mailjet - Clients (abonné depuis le 11/04/2019)",
                                      "Mailjet - Clients (désabonné depuis le 04/12/2026)"),
                                     ("bulk", "Liste de diffusion Mailjet - Clients", None, "subscribed"),
                                     # moved from an account of an entity the seller does not belong to
                                     ("bulk", "client_id", str(world.outside.id), str(world.aprool.id))):
            db.session.add(AuditEntry(user_id=world.other_seller.id, via=via, action="update", record_type="contact",
                                      record_id=world.blou.id, field=field, old_value=old, new_value=new))
        db.session.commit()
    return zenith


def _history(client, contact_id, headers=None) -> str:
    page = client.get(f"/contacts/{contact_id}", headers=headers or {})
    assert page.status_code == 200
    text = html.unescape(strip_tags(page.text))
    return text[text.index("Historique" if headers is None else "History"):]


def test_ids_and_codes_read_as_names_and_labels_in_french(client, changed, world):
    text = _history(client, world.blou.id)
    for expected in ("COTILLON Marion Formulaire Modification Société APROOL → ZENITH",
                     "Affecté à (vide) → COTILLON Marion", "Pays France → Belgique", "Genre (vide) → Femme",
                     "DPO Non → Oui", "Anniversaire (vide) → 29/02/1980",
                     "Service (vide) → Direction des systèmes d'information",
                     "Modification en ligne Modification Ville (vide) → Lyon",
                     "Import vCard Modification Fax (vide) → 01 02 03 04 05",
                     "Import CSV Modification Adresse (vide) → 1 rue de la Paix",
                     "Action de masse Modification Liste de diffusion Mailjet - Clients (vide) → abonné",
                     "Listes de diffusion Mailjet - Clients (abonné depuis le 11/04/2019) → Mailjet - Clients "
                     "(désabonné depuis le 04/12/2026)"):
        assert expected in text, (expected, text)
    assert "Société 1" not in text and "→ FR" not in text and "subscribed" not in text


def test_an_account_the_user_may_not_see_is_not_named(client, changed, world):
    text = _history(client, world.blou.id)
    assert "Société (compte non visible) → APROOL" in text
    assert "Ailleurs" not in text


def test_the_history_in_english(client, changed, world):
    text = _history(client, world.blou.id, ENGLISH)
    for expected in ("Form Edit Company APROOL → ZENITH", "Assigned to (empty) → COTILLON Marion",
                     "Country France → Belgium", "Gender (empty) → Female", "DPO No → Yes",
                     "Birthday (empty) → 2/29/80", "Inline edit Edit City (empty) → Lyon",
                     "vCard import Edit", "CSV import Edit", "Bulk action Edit Mailing list Mailjet - Clients "
                     "(empty) → subscribed", "Company (account not visible) → APROOL",
                     "Mailjet - Clients (subscribed since 4/11/19) → Mailjet - Clients (unsubscribed since 12/4/26)"):
        assert expected in text, (expected, text)
    assert "Belgique" not in text and "Femme" not in text and "Formulaire" not in text


def test_a_creation_snapshot_names_its_account_and_owner(app, client, world):
    with app.app_context():
        created = contact_service.create_contact(
            {"client_id": world.aprool.id, "last_name": "NEIGE", "first_name": "Julia", "function": "RRH",
             "owner_id": world.seller.id, "gender": "F", "country": "FR"}, world.seller.id, "form")
        db.session.commit()
        created_id = created.id
    text = _history(client, created_id)
    for expected in ("Formulaire Création", "Société : APROOL", "Affecté à : COTILLON Marion", "Genre : Femme",
                     "Pays : France"):
        assert expected in text, (expected, text)
    english = _history(client, created_id, ENGLISH)
    assert "Company: APROOL" in english and "Country: France" in english and "Gender: Female" in english


def test_the_whole_trail_is_named_in_one_statement(app, changed, world):
    with app.app_context():
        user = db.session.get(User, world.seller.id)
        client_visible(user)  # the user's rights and entities, which a request has loaded already
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.record_id == world.blou.id)).all()
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            lines = trail_in_words(entries, user, "fr")
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        assert len(lines) == len(entries) >= 10 and len(statements) == 1

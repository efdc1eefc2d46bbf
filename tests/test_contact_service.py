"""The one contact write API, without HTTP: every channel's field rules, versions, audit rows, derived columns."""
import ast
from pathlib import Path

import pytest
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import AuditEntry, Contact, User
from webapp.models.contact_keys import DERIVED_COLUMNS, derived_columns
from webapp.problem_messages import message
from webapp.rules import Problem
from webapp.services.contacts import write_contact

WEBAPP = Path(__file__).resolve().parent.parent / "webapp"
CHANNELS = ("form", "inline", "import", "bulk", "cli")


@pytest.fixture
def world(make):
    """A salesperson of the East entity, an East account with one contact, a West account she may not see."""
    east = make.entity("Est")
    seller = make.user("COTILLON Marion", entities=[east])
    aprool = make.client_account("APROOL", entities=[east])
    secret = make.client_account("Secret", entities=[make.entity("Ouest")])
    blou = make.contact(aprool, "Blou", "Hélène", function="Chef de projet", email="helene.blou@aprool.com")
    return {"seller": seller, "aprool": aprool, "secret": secret, "blou": blou,
            "gone": make.user("PARTI Paul", entities=[east], active=False)}


def _values(world, **changes):
    """A complete, valid new contact at APROOL, with `changes` on top."""
    return {"client_id": world["aprool"].id, "last_name": "Neige", "first_name": "Julia", "function": "DRH",
            **changes}


def _codes(result) -> set[tuple[str, str]]:
    return {(problem.field, problem.code) for problem in result.problems}


def _contacts() -> int:
    return db.session.scalar(select(func.count()).select_from(Contact))


@pytest.mark.parametrize("via", CHANNELS)
def test_every_channel_creates_with_the_same_rules_and_an_audit_row_naming_it(app, world, via):
    with app.app_context():
        seller = db.session.get(User, world["seller"].id)
        refused = write_contact({"client_id": None, "last_name": "", "first_name": "", "function": None},
                                seller, via)
        assert not refused.saved and refused.contact is None
        assert {("client_id", "required"), ("last_name", "required"), ("function", "required")} <= _codes(refused)
        result = write_contact(_values(world), seller, via)
        assert result.saved and result.contact.id
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.record_id == result.contact.id,
                                                            AuditEntry.record_type == "contact")).one()
        assert (entry.action, entry.via, entry.user_id) == ("create", via, seller.id)


def test_missing_required_fields_on_a_creation_are_each_named(app, world):
    with app.app_context():
        before = _contacts()
        result = write_contact({"last_name": "Seul"}, None, "cli")
        assert _codes(result) == {("client_id", "required"), ("first_name", "required"), ("function", "required")}
        assert _contacts() == before


def test_lengths_are_those_of_the_columns(app, world):
    with app.app_context():
        result = write_contact(_values(world, last_name="x" * 101, city="y" * 101, notes="z" * 10_000), None, "import")
        assert set(result.problems) >= {Problem("last_name", "too_long", {"limit": 100, "count": 101}),
                                        Problem("city", "too_long", {"limit": 100, "count": 101})}
        assert ("notes", "too_long") not in _codes(result)  # exactly the limit is fine


def test_email_syntax_and_uniqueness_ignoring_case(app, world):
    with app.app_context():
        invalid = write_contact(_values(world, email="jean@@exemple.fr"), None, "form")
        assert _codes(invalid) == {("email", "email_invalid")}
        long = write_contact(_values(world, email="a" * 250 + "@x.fr"), None, "form")
        assert long.problems == [Problem("email", "too_long", {"limit": 254, "count": 255})]
        taken = write_contact(_values(world, email="Helene.Blou@APROOL.com"), None, "import")
        assert taken.problems == [Problem("email", "email_taken", {"contact_id": world["blou"].id})]
        blou = db.session.get(Contact, world["blou"].id)
        own = write_contact({"email": "helene.blou@aprool.com", "city": "Lyon"}, None, "inline", blou, blou.version)
        assert own.saved  # a contact keeps its own address


def test_an_account_out_of_the_actors_entities_is_refused_as_unknown(app, world):
    with app.app_context():
        seller = db.session.get(User, world["seller"].id)
        refused = write_contact(_values(world, client_id=world["secret"].id), seller, "form")
        assert _codes(refused) == {("client_id", "client_unknown")}
        missing = write_contact(_values(world, client_id=999_999), None, "cli")
        assert _codes(missing) == {("client_id", "client_unknown")}
        assert write_contact(_values(world, client_id=world["secret"].id), None, "cli").saved  # no actor: CLI


def test_the_owner_must_be_an_active_user_when_it_changes(app, world):
    with app.app_context():
        assert _codes(write_contact(_values(world, owner_id=world["gone"].id), None, "form")) == {
            ("owner_id", "owner_unknown")}
        assert _codes(write_contact(_values(world, owner_id=999_999), None, "form")) == {("owner_id", "owner_unknown")}
        blou = db.session.get(Contact, world["blou"].id)
        assert write_contact({"owner_id": world["seller"].id}, None, "inline", blou, blou.version).saved


def test_a_namesake_at_the_account_needs_a_confirmation(app, world):
    with app.app_context():
        namesake = _values(world, last_name="BLOU", first_name="Helene")
        waiting = write_contact(namesake, None, "form")
        assert not waiting.saved and waiting.contact is None
        assert waiting.problems == [Problem("last_name", "same_name", {"contact_ids": [world["blou"].id]})]
        assert write_contact(namesake, None, "form", same_name_confirmed=True).saved


def test_a_stale_version_is_refused_and_nothing_changes(app, world):
    with app.app_context():
        blou = db.session.get(Contact, world["blou"].id)
        result = write_contact({"function": "DSI"}, None, "form", blou, blou.version - 1)
        assert result.stale and result.problems == [Problem("version", "stale", {"contact_id": blou.id})]
        db.session.expire_all()
        assert db.session.get(Contact, blou.id).function == "Chef de projet"


def test_an_update_checks_the_given_fields_and_audits_each_change_with_its_channel(app, world):
    with app.app_context():
        blou = db.session.get(Contact, world["blou"].id)
        assert _codes(write_contact({"function": ""}, None, "inline", blou, blou.version)) == {
            ("function", "required")}
        result = write_contact({"function": "DSI", "phone": "pas un numéro"}, world["seller"], "inline", blou,
                               blou.version)
        assert result.saved and result.changes == {"function": ("Chef de projet", "DSI"),
                                                   "phone": (None, "pas un numéro")}
        assert result.warnings == [Problem("phone", "phone_unreadable")]
        entries = db.session.execute(select(AuditEntry.field, AuditEntry.via).where(
            AuditEntry.record_id == blou.id, AuditEntry.action == "update")).all()
        assert sorted(entries) == [("function", "inline"), ("phone", "inline")]
        assert blou.version == 2


def test_derived_columns_are_those_of_the_pure_function(app, world):
    with app.app_context():
        values = _values(world, last_name="Le Gall", first_name="Anaïs", function="Directrice Générale",
                         email="Anais.LeGall@aprool.com", phone="01 20 35 99 65", mobile="+44 20 7946 0958",
                         fax="12", country="GB")
        contact = write_contact(values, None, "import").contact
        assert {name: getattr(contact, name) for name in DERIVED_COLUMNS} == derived_columns(values, "APROOL")
        assert contact.mobile_e164 == "+442079460958" and "0120359965" in contact.search_text
        write_contact({"last_name": "Kerhervé", "country": "FR", "phone": "06 25 34 12 57"}, None, "form", contact,
                      contact.version)
        now = {name: getattr(contact, name) for name in values}
        assert {name: getattr(contact, name) for name in DERIVED_COLUMNS} == derived_columns(now, "APROOL")
        assert contact.last_name_key == "kerherve" and contact.phone_e164 == "+33625341257"


def test_derived_columns_fold_names_and_read_numbers_in_the_contacts_country():
    values = {"last_name": "Le  Gall", "first_name": "Anaïs", "function": None, "email": "Anais@Exemple.FR",
              "phone": "01.20.35.99.65", "mobile": None, "fax": "0044 20 7946 0958", "country": None}
    assert derived_columns(values, "Société Générale") == {
        "company_key": "societe generale", "last_name_key": "le gall", "first_name_key": "anais",
        "function_key": None, "email_key": "anais@exemple.fr", "phone_e164": "+33120359965", "mobile_e164": None,
        "fax_e164": "+442079460958",
        "search_text": "le gall legall anais societe generale societegenerale anais@exemple.fr 0120359965 33120359965 "
                       "00442079460958 442079460958 02079460958"}


def test_the_service_never_commits(app, world):
    with app.app_context():
        before = _contacts()
        write_contact(_values(world), None, "cli")
        assert _contacts() == before + 1
        db.session.rollback()
        assert _contacts() == before


def test_problems_are_worded_with_the_catalogs_messages(app):
    with app.test_request_context():
        assert message(Problem("last_name", "too_long", {"limit": 100, "count": 101})) == (
            "100 caractères au plus (101 saisis).")
        assert message(Problem("owner_id", "owner_unknown")) == "Choisissez un commercial de la liste."
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert message(Problem("last_name", "required")) != "Ce champ est obligatoire."


@pytest.mark.parametrize("module", ["rules.py", "phones.py", "models/contact_keys.py"])
def test_the_field_rules_and_derived_columns_need_no_flask(module):
    tree = ast.parse((WEBAPP / module).read_text())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not {name for name in imported if name.split(".")[0].startswith("flask")}

"""Hostile input: every form's every field, every parameter a page reads, ids in paths and parameters, NUL in
search terms. Nothing answers 500 or shows a traceback, nothing is written by a refused request, and an id that is
not one (or past the INTEGER column) never reaches SQL.

The walk finds the forms and parameters itself (tests/hostile_walk.py): a new form, field, route or parameter is
walked without touching this file, and a POST route that the walk cannot reach makes it fail until it is reached
or excluded here with a reason."""
import io
from urllib.parse import quote

import pytest
from sqlalchemy import text

from webapp.extensions import db
from webapp.rules import MAX_ID, parse_id
from webapp.services import app_passwords, documents, duplicates, merge
from webapp.services.preferences import PREFERENCES
from webapp.services.sheet_import import start_sheet_import
from webapp.services.sheet_read import read_sheet
from webapp.services.vcard_batch import store_batch
from webapp.services.vcard_mapping import read_upload
from webapp.text import search_key

from webapp.models import ContactPhoto, User
from webapp.models.saved_views import SavedView

from .conftest import HX, image_bytes
from .hostile_walk import RAW_FF, TRACEBACK, Walker, crawl, page_plan, plan, shown, unindexed
from .record_support import add_mailing_list, add_task, make_world, subscribe, task_type_id
from .test_deals import opportunity_and_proposal
from .test_vcard_import import card, vcf

HOSTILE = ["", "   ", "x" * 10_000, "\x00", "a\x00b", "\u202e", "😀", "=cmd|' /C calc'!A0", "+1", "-1", "@SUM(1)",
           "1e308", str(2**63), "2024-02-30", "1.5", "abc", "10000000", "999999999999", str(2**31)]
BIG = [str(2**31), "999999999999", str(2**63)]

# POST routes the walk does not submit, and why. Nothing else may be missing from it.
NOT_WALKED = {
    "auth.login": "unauthenticated, and a refused login is written on purpose (the throttle): "
                  "test_login_takes_hostile_values",
    "auth.logout": "ends the walk's own session; takes no field",
}
# GET routes the walk cannot reach, and why.
NOT_REACHED = {
    endpoint: "the CardDAV address books sign in with HTTP Basic and an app password, never the session: "
              "tests/test_carddav.py sends them hostile paths, bodies and headers"
    for endpoint in ("carddav.principal", "carddav.home", "carddav.book", "carddav.card")
}
# Pages no link leads to, where a form lives: the delete dialog of a contact in use offers "A quitté l'entreprise",
# but the row menu greys "Supprimer" out for such a contact (the dialog shows it when the contact became used since).
# The mapping screen of a spreadsheet upload: the walk's own upload is a .vcf file (it goes to the preview).
# The duplicates screen, a record with a merge to undo, and the merge screen of two duplicates (its ids in the query).
# A card of a vCard upload kept in the database, in its editor and as its row (the walk's own uploads are rolled back).
def seeds(w) -> list:
    return [f"/contacts/{w.blou.id}/delete", f"/contacts/import/{w.ids['sheet']}/columns", "/contacts/duplicates",
            f"/contacts/import/{w.ids['vcard']}/cards/0", f"/contacts/import/{w.ids['vcard']}/cards/0/row",
            f"/contacts/{w.merged_into}",
            "/contacts/merge?" + "&".join(f"ids={contact_id}" for contact_id in w.doubles)]


@pytest.fixture
def world(make, login_as, app):
    """The record world, seen by an administrator (every right), with an opportunity, a proposal, a task with a
    file, and a mailing list the contact is subscribed to."""
    world = make_world(make, login_as, role="Administrateur")
    opportunity_id, proposal_id = opportunity_and_proposal(app, world.aprool, world.blou)
    task_id = add_task(app, world.blou.id, assignee_id=world.seller.id, files=[("compte-rendu.pdf", b"%PDF-1.4")])
    list_id = add_mailing_list(app)
    subscribe(app, world.blou.id, list_id)
    with app.app_context():
        db.session.execute(text("UPDATE contact SET function = 'Acheteur' WHERE id = :id"), {"id": world.hidden.id})
        db.session.add(SavedView(owner_id=world.seller.id, name="Ma vue", query="q=blou"))  # to rename, delete
        jpeg = image_bytes()
        db.session.add(ContactPhoto(contact_id=world.blou.id, mime="image/jpeg", data=jpeg, thumbnail=jpeg, width=64,
                                    height=48))
        seller = db.session.get(User, world.seller.id)
        sheet = read_sheet("salon.csv", "Nom;Prénom;E-mail\r\nNeuf;Nina;nina@aprool.fr\r\n".encode(), 10_000, 10)
        token = start_sheet_import(seller, sheet).token
        cards = read_upload([("cartes.vcf", vcf(card("N:Neuf;Nina", "ORG:APROOL")))], 10_000, 10, 10_000, 10_000)
        vcard_token = store_batch(seller, *cards).token
        app_passwords.create(seller, "iPhone de Marion")  # its revocation on Mon compte
        documents.file_upload(seller, "compte-rendu.txt", io.BytesIO("Réunion du 3 décembre".encode()),
                              documents.Limits(10_000, 100_000), [world.blou.id])  # classify, download, delete
        db.session.commit()
    # Two possible duplicates (the dismiss and merge forms), and a merge done (its undo form on the survivor).
    doubles = [make.contact(world.aprool, "DOUBLE", "Anne").id for _n in range(2)]
    twins = [make.contact(world.aprool, "JUMEAU", "Paul").id for _n in range(2)]
    with app.app_context():
        duplicates.refresh_keys([*doubles, *twins])
        user = db.session.get(User, world.seller.id)
        merge.merge_contacts(user, twins, twins[0], {}, {twin: 1 for twin in twins})
        db.session.commit()
    world.merged_into, world.doubles = twins[0], doubles
    world.ids = {"opportunity": opportunity_id, "proposal": proposal_id, "task": task_id, "list": list_id,
                 "sheet": token, "vcard": vcard_token}
    return world


def valid_values(w, app) -> dict:
    """What an endpoint needs beyond its rendered form's own values to be accepted (required fields shown empty,
    rows checked by hand, a file to upload). The walk checks that each form is accepted so filled."""
    deal = {"title": "Refonte", "amount": "100", "owner_id": w.seller.id}
    return {
        "contacts.new": {"client_id": w.aprool.id, "last_name": "NOUVEAU", "first_name": "Jean",
                         "function": "Acheteur"},
        "deals.new_opportunity": deal, "deals.new_proposal": deal, "deals.new_deal": deal,
        "tasks.new_for_contact": {"name": "Appel", "due_at": "2026-12-10T10:00", "task_type_id": task_type_id(app)},
        "clients.new": {"name": "Nouvelle société", "entity_ids": w.east.id},
        "admin.new_user": {"last_name": "NOUVEL", "first_name": "Agent", "email": "nouvel.agent@example.com",
                           "entity_ids": w.east.id},
        "admin.user_password": {"password": "un-long-mot-de-passe", "password_confirm": "un-long-mot-de-passe"},
        "admin.new_role": {"name": "Nouveau rôle"},
        "auth.create_app_password": {"label": "Téléphone de test"},
        "documents.upload": {"files": ("notes.txt", "Notes de réunion".encode())},
        "documents.classify": {"contact_id": w.blou.id},
        "parameters.create": {"new-label": "Nouvelle valeur"},
        "contacts.import_upload": {"files": ("cartes.vcf", vcf(card("N:Neuf;Nina", "FN:Nina Neuf", "ORG:APROOL")))},
        "contacts.save_view": {"name": "Mes clients"},
        "contacts.bulk_confirm": {"ids": w.blou.id},
        "contacts.bulk_merge": {"ids": list(w.doubles)},
        "contacts.bulk_reassign": {"ids": w.blou.id, "owner_id": w.other_seller.id},
        "contacts.bulk_mailing_lists": {"ids": w.blou.id, "lists": w.ids["list"]},
        "contacts.bulk_export": {"ids": w.blou.id},
        "contacts.bulk_delete": {"ids": w.hidden.id},
    }


def synthetic_posts(w) -> list:
    """POST routes that no page renders a form for (app.js posts them, or a list's hx-post): endpoint, URL and a
    valid submission."""
    return [("auth.set_preference", f"/account/preferences/{key}", [("value", "true"), ("next", "/contacts")])
            for key in PREFERENCES] + [
        ("contacts.import_choose", f"/contacts/import/{w.ids['vcard']}/choices",
         [("c0", "skip"), ("client-key-0", "aprool"), ("client-0", "new"), ("client-other-0", "")])]


def _row_counts(app) -> dict[str, int]:
    """The number of rows of every table, in one statement."""
    with app.app_context():
        tables = [table.name for table in db.metadata.sorted_tables]
        union = " UNION ALL ".join(f"SELECT '{name}', count(*) FROM \"{name}\"" for name in tables)
        return dict(db.session.execute(text(union)).all())


def _is_id(name: str, controls: dict) -> bool:
    """A field that holds an id: named so, and chosen (a select, a box) or hidden, or read without being shown."""
    control = controls.get(name)
    return name.endswith(("_id", "_ids")) and (control is None or control.tag == "select"
                                                or control.type in ("checkbox", "radio", "hidden"))


def _check(answer, label, failures, refused_writes, counts_before=None, counts_after=None):
    if answer.status >= 500 or answer.error:
        failures.append(f"{label}: {answer.status} {answer.error}")
    elif TRACEBACK.search(answer.body):
        failures.append(f"{label}: {answer.status} shows a traceback")
    elif answer.status >= 400 and (refused_writes or counts_before != counts_after):
        failures.append(f"{label}: {answer.status} but wrote {sorted(refused_writes) or 'rows'}")


def test_every_form_field_and_parameter_takes_hostile_values(app, client, csrf, world):
    """Crawl the app, then spoil each field of each form, and each parameter of each page, one at a time: never a
    5xx nor a traceback; a refused request keeps nothing; an id that is not one is refused."""
    walker = Walker(app, client, csrf["token"], valid_values(world, app))
    with walker.installed():
        found = crawl(walker, synthetic_posts(world), set(NOT_WALKED), seeds(world))
        problems = _coverage(app, found)
        failures = problems["hostile values answered badly"] = []
        walks = plan(found)
        for spec in dict.fromkeys(spec for spec, _name, _values in walks):
            with walker.isolated():
                located = walker.locate(spec)
                if located is None:
                    failures.append(f"{spec.endpoint}: form not found again")
                    continue
                controls = {control.name: control for control in located[0].controls}
                # A form reached again through a submission may name its fields after a new record's id.
                renamed = {unindexed(name): name for name in controls}
                before = walker.row_counts()
                for _spec, name, values in (walk for walk in walks if walk[0] is spec):
                    name = name if name in controls else renamed.get(unindexed(name), name)
                    for value in values:
                        with walker.savepoint():
                            walker.writes.reset()
                            answer = walker.submit(spec, *located, spoil=(name, value))
                            label = f"POST {spec.endpoint} {name}={shown(value)}"
                            after = walker.row_counts() if answer.status >= 400 else before
                            _check(answer, label, failures, walker.writes.kept, before, after)
                            if (_is_id(name, controls) and answer.status < 400 and value is not RAW_FF
                                    and value.strip() and parse_id(value) is None):
                                failures.append(f"{label}: accepted ({answer.status})")
        for url, name, values in page_plan(found):
            with walker.isolated():
                for value in values:
                    walker.writes.reset()
                    query = "%FF" if value is RAW_FF else quote(value, safe="")
                    answer = walker.request("get", f"{url}?{quote(name)}={query}")
                    label = f"GET {url} {name}={shown(value)}"
                    _check(answer, label, failures, walker.writes.kept)
                    if walker.writes.kept and answer.status < 400:
                        failures.append(f"{label}: wrote {sorted(walker.writes.kept)}")
    assert not any(problems.values()), "\n".join(f"{k}:\n  " + "\n  ".join(v) for k, v in problems.items() if v)


def _coverage(app, found) -> dict:
    """What the crawl missed: POST routes not walked (nor excluded), GET routes never reached, endpoints whose
    forms were all refused when filled validly, and a write detector that did not see a valid creation."""
    walked = {endpoint for endpoint, _args, _names in found.specs}
    reached = {endpoint for endpoint, _args, _hx in found.pages}
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]
    # Each endpoint accepts at least one of its forms filled validly (a used item's delete may be refused).
    accepted = {s.endpoint for s in found.specs.values() if 0 < s.status < 400}
    creation = [s.kept for s in found.specs.values() if s.endpoint == "contacts.new"]
    return {
        "POST routes neither walked nor excluded": sorted(
            {r.endpoint for r in rules if "POST" in r.methods} - walked - set(NOT_WALKED)),
        "GET routes never reached": sorted({r.endpoint for r in rules if "GET" in r.methods} - reached
                                           - set(NOT_REACHED)),
        "forms refused when filled validly (give valid_values)": sorted(
            f"{s.endpoint} {dict(s.args)} {sorted(s.names)}: {s.status} {s.refusal}"
            for s in found.specs.values() if s.endpoint not in accepted),
        "write detector": [] if creation and all("contact" in kept for kept in creation) else
        [f"a valid contacts.new kept {creation}, not a contact"],
    }


def test_login_takes_hostile_values(app):
    """The login form, unauthenticated: no 500 for any value in either field."""
    client = app.test_client()
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        for field in ("email", "password"):
            for value in HOSTILE:
                data = {"email": "a@example.com", "password": "x", field: value}
                assert client.post("/login", data=data).status_code < 500, (field, value[:30])
    finally:
        app.config["WTF_CSRF_ENABLED"] = True


PATHS = ["/contacts/{}", "/contacts/{}/edit", "/contacts/{}/vcard", "/contacts/{}/row", "/contacts/{}/deals",
         "/clients/{}", "/clients/{}/edit", "/tasks/{}/edit", "/tasks/attachments/{}", "/admin/users/{}/edit",
         "/opportunities/{}/proposals/new", "/proposals/{}/deals/new", "/parameters/sectors/{}/edit"]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("number", BIG + ["0", "-1"])
def test_ids_in_paths_past_the_column_answer_404(client, world, path, number):
    assert client.get(path.format(number)).status_code == 404


@pytest.mark.parametrize("number", BIG)
def test_ids_in_posted_paths_answer_404(client, csrf, world, number):
    for path in ("/contacts/{}/delete", "/clients/{}/archive", "/tasks/{}/close", "/admin/users/{}/deactivate",
                 "/contacts/{}/cells/phone"):
        # Werkzeug says 405 for the cell, whose path has a GET rule too: neither takes the id.
        assert client.post(path.format(number), data={"csrf_token": csrf["token"]}).status_code in (404, 405), path


@pytest.mark.parametrize("value", HOSTILE)
def test_id_parameters_never_reach_sql_unparsed(client, csrf, world, value):
    """Ids in query strings and in the bulk and inline forms: no 500, nothing written."""
    before = _row_counts(client.application)
    for url in (f"/contacts/new?client={value}", f"/contacts/client-options?client_id={value}",
                f"/contacts?client={value}", f"/contacts/pickers/client?client={value}",
                f"/contacts/{world.blou.id}/opportunities/new?owner_id={value}"):
        assert client.get(url, headers=HX).status_code < 500, url
    response = client.post(f"/contacts/{world.blou.id}/cells/owner_id", headers=HX,
                           data={"csrf_token": csrf["token"], "value": value, "version": "1"})
    assert response.status_code < 500
    if value.strip() and parse_id(value) is None:
        assert response.status_code == 422
    for data in ({"ids": value, "owner_id": world.seller.id}, {"ids": world.blou.id, "owner_id": value}):
        assert client.post("/contacts/bulk/reassign", headers=HX,
                           data={"csrf_token": csrf["token"], **data}).status_code < 500
    assert client.post("/contacts/bulk/mailing-lists", headers=HX, data={
        "csrf_token": csrf["token"], "ids": world.blou.id, "lists": value}).status_code < 500
    after = _row_counts(client.application)
    # A reassignment to a real salesperson may be written; no other table grows.
    assert {k: v for k, v in after.items() if k != "audit_entry"} == \
        {k: v for k, v in before.items() if k != "audit_entry"}


@pytest.mark.parametrize("term", ["\x00", "a\x00b", "\x1b[0m", "\u202e", "x" * 10_000, "%_\\"])
def test_search_terms_with_control_characters(client, world, term):
    """Every picker and search box takes a NUL (PostgreSQL refuses one in a query) and finds with the rest."""
    for url in ("/contacts/pickers/client", "/contacts/pickers/assigned", "/contacts/pickers/skill",
                "/contacts/client-options", "/contacts/import/clients", "/contacts", "/clients"):
        for name in ("term", "client_search", "q"):
            response = client.get(url, query_string={name: term}, headers=HX)
            assert response.status_code < 500, (url, name)


def test_a_nul_is_a_space_in_a_search_key(client, world):
    assert search_key("APR\x00OOL") == "apr ool"
    assert search_key("APRO\x00") == "apro"
    response = client.get("/contacts/pickers/client", query_string={"term": "APRO\x00"}, headers=HX)
    assert "APROOL" in response.text


def test_parse_id():
    assert [parse_id(v) for v in ("1", " 42 ", str(MAX_ID), 7)] == [1, 42, MAX_ID, 7]
    assert [parse_id(v) for v in ("", "0", "-1", "1.5", "abc", "²", str(MAX_ID + 1), "9" * 10_000, None, True,
                                  0, 2**31)] == [None] * 12


@pytest.mark.parametrize("number", BIG)
def test_import_choices_with_ids_past_the_column(client, app, csrf, world, number):
    """The import preview's account and contact choices: an id past the column is refused, nothing imported."""
    from .test_vcard_import import card, commit, open_preview, vcf

    url, _html, form = open_preview(client, csrf, ("a.vcf", vcf(card("N:Neuf;Nina", "ORG:APROOL"))))
    before = _row_counts(app)
    for fields in ({"client-0": number}, {"c0": "update", "m0": f"{number}:1"}):
        response = commit(client, url, {**form.fields, **fields})
        assert response.status_code == 422, fields
    assert _row_counts(app) == before

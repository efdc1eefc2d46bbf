"""Hostile input: every form's every field, ids in paths and parameters, NUL in search terms. Nothing answers 500,
nothing is written by a refused request, and an id that is not one (or past the INTEGER column) never reaches SQL."""
from dataclasses import dataclass
from typing import Callable

import pytest
from sqlalchemy import text
from wtforms.fields.core import UnboundField

from webapp.admin.forms import PasswordForm, RoleForm, UserForm
from webapp.clients.forms import ClientForm
from webapp.contacts.extra_forms import SkillsForm, SubscriptionsForm
from webapp.contacts.forms import ContactForm
from webapp.deals.forms import DealForm, OpportunityForm, ProposalForm
from webapp.extensions import db
from webapp.parameters.forms import DepartmentForm, LabelForm, MailingListForm, SkillForm
from webapp.rules import MAX_ID, parse_id
from webapp.tasks.forms import TaskForm
from webapp.text import search_key

from .conftest import HX
from .record_support import add_task, make_world, task_type_id
from .test_deals import opportunity_and_proposal

# The list. "%FF" is sent as a raw byte (below), not as the three characters.
HOSTILE = ["", "   ", "x" * 10_000, "\x00", "a\x00b", "\u202e", "😀", "=cmd|' /C calc'!A0", "+1", "-1", "@SUM(1)",
           "1e308", str(2**63), "2024-02-30", "1.5", "abc", "10000000", "999999999999", str(2**31)]
RAW_FF = b"%FF"
BIG = [str(2**31), "999999999999", str(2**63)]


@dataclass
class Screen:
    """A form route: its URL, its form class and a valid submission to spoil one field at a time."""

    url: Callable
    form: type
    baseline: Callable
    extra_fields: tuple = ()


def _field_names(form_class) -> list[str]:
    names = [name for name in dir(form_class) if isinstance(getattr(form_class, name, None), UnboundField)]
    # The contact's version is another change's (conflicts); links are a FieldList of sub-forms.
    return [name for name in names if name not in ("version", "links")]


@pytest.fixture
def world(make, login_as, app):
    """The record world, seen by an administrator (every right), with an opportunity, a proposal and a task."""
    world = make_world(make, login_as, role="Administrateur")
    opportunity_id, proposal_id = opportunity_and_proposal(app, world.aprool, world.blou)
    task_id = add_task(app, world.blou.id, assignee_id=world.seller.id)
    world.ids = {"opportunity": opportunity_id, "proposal": proposal_id, "task": task_id}
    return world


def _contact_baseline(w, app):
    return {"client_id": w.aprool.id, "last_name": "NOUVEAU", "first_name": "Jean", "function": "Acheteur",
            "owner_id": w.seller.id, "country": "FR", "confirm_same_name": "y"}


def _edit_baseline(w, app):
    with app.app_context():
        version = db.session.execute(text("SELECT version FROM contact WHERE id = :i"), {"i": w.blou.id}).scalar()
    return {**_contact_baseline(w, app), "version": version}


def _deal_baseline(w, app):
    return {"title": "Refonte", "amount": "100", "owner_id": w.seller.id}


def _task_baseline(w, app):
    return {"name": "Appel", "due_at": "2026-12-10T10:00", "task_type_id": task_type_id(app), "priority": "2",
            "assignee_id": w.seller.id, "status": "todo"}


def _client_baseline(w, app):
    return {"name": "Nouvelle société", "confirm_duplicate": "y", "country": "FR", "entity_ids": w.east.id}


def _user_baseline(w, app):
    return {"last_name": "NOUVEL", "first_name": "Agent", "email": "nouvel.agent@example.com", "language": "fr",
            "active": "y", "entity_ids": w.east.id}


SCREENS = {
    "contact-new": Screen(lambda w: "/contacts/new", ContactForm, _contact_baseline,
                          ("links-0-kind", "links-0-url")),
    "contact-edit": Screen(lambda w: f"/contacts/{w.blou.id}/edit", ContactForm, _edit_baseline,
                           ("links-0-kind", "links-0-url")),
    "opportunity": Screen(lambda w: f"/contacts/{w.blou.id}/opportunities/new", OpportunityForm,
                          lambda w, app: {**_deal_baseline(w, app), "stage": "qualification",
                                          "expected_date": "2026-12-31"}),
    "proposal": Screen(lambda w: f"/opportunities/{w.ids['opportunity']}/proposals/new", ProposalForm,
                       lambda w, app: {**_deal_baseline(w, app), "status": "draft", "sent_date": "2026-12-31"}),
    "deal": Screen(lambda w: f"/proposals/{w.ids['proposal']}/deals/new", DealForm,
                   lambda w, app: {**_deal_baseline(w, app), "status": "won", "signed_date": "2026-12-31"}),
    "task-new": Screen(lambda w: f"/contacts/{w.blou.id}/tasks/new", TaskForm, _task_baseline),
    "task-edit": Screen(lambda w: f"/tasks/{w.ids['task']}/edit", TaskForm, _task_baseline),
    "client-new": Screen(lambda w: "/clients/new", ClientForm, _client_baseline),
    "client-edit": Screen(lambda w: f"/clients/{w.aprool.id}/edit", ClientForm, _client_baseline),
    "skills": Screen(lambda w: f"/contacts/{w.blou.id}/skills", SkillsForm, lambda w, app: {}),
    "subscriptions": Screen(lambda w: f"/contacts/{w.blou.id}/subscriptions", SubscriptionsForm,
                            lambda w, app: {}),
    "parameter": Screen(lambda w: "/parameters/sectors", LabelForm, lambda w, app: {"label": "Nouveau secteur"}),
    "department": Screen(lambda w: "/parameters/departments", DepartmentForm,
                         lambda w, app: {"label": "Nouveau service"}),
    "skill": Screen(lambda w: "/parameters/skills", SkillForm, lambda w, app: {"label": "Nouvelle compétence"}),
    "mailing-list": Screen(lambda w: "/parameters/mailing-lists", MailingListForm,
                           lambda w, app: {"label": "Nouvelle liste", "provider": "Mailjet"}),
    "user-new": Screen(lambda w: "/admin/users/new", UserForm, _user_baseline),
    "user-edit": Screen(lambda w: f"/admin/users/{w.other_seller.id}/edit", UserForm, _user_baseline),
    "user-password": Screen(lambda w: f"/admin/users/{w.other_seller.id}/password", PasswordForm,
                            lambda w, app: {"password": "un-long-mot-de-passe", "password_confirm":
                                            "un-long-mot-de-passe"}),
    "role-new": Screen(lambda w: "/admin/roles/new", RoleForm, lambda w, app: {"name": "Nouveau rôle"}),
}


def _row_counts(app) -> dict[str, int]:
    """The number of rows of every table, in one statement."""
    with app.app_context():
        tables = [table.name for table in db.metadata.sorted_tables]
        union = " UNION ALL ".join(f"SELECT '{name}', count(*) FROM \"{name}\"" for name in tables)
        return dict(db.session.execute(text(union)).all())


def _encode(data: dict, field: str, raw: bytes) -> bytes:
    """A url-encoded body where `field` carries `raw` bytes as they are (a browser never sends %FF alone)."""
    from urllib.parse import quote

    parts = [f"{quote(name)}={quote(str(value))}" for name, value in data.items() if name != field]
    parts.append(f"{quote(field)}=".encode().decode() + raw.decode())
    return "&".join(parts).encode()


@pytest.mark.parametrize("screen_name", SCREENS)
def test_every_field_of_every_form_takes_hostile_values(client, app, csrf, world, screen_name):
    """Each field spoiled in turn in a valid submission: never a 500; a refusal writes nothing; an id that is not
    one is always refused."""
    screen = SCREENS[screen_name]
    url = screen.url(world)
    fields = _field_names(screen.form) + list(screen.extra_fields)
    failures = []
    for field in fields:
        if field == "csrf_token":
            continue
        is_id = field.endswith(("_id", "_ids"))
        for value in HOSTILE + [RAW_FF]:
            before = _row_counts(app)
            data = {"csrf_token": csrf["token"], **screen.baseline(world, app)}
            if value is RAW_FF:
                response = client.post(url, data=_encode(data, field, RAW_FF), headers=HX,
                                       content_type="application/x-www-form-urlencoded")
            else:
                response = client.post(url, data={**data, field: value}, headers=HX)
            shown = repr(value)[:30]
            if response.status_code >= 500:
                failures.append(f"{field}={shown}: {response.status_code}")
            elif response.status_code >= 400 and _row_counts(app) != before:
                failures.append(f"{field}={shown}: {response.status_code} but rows were written")
            elif is_id and value.strip() and response.status_code < 400 and parse_id(value) is None:
                failures.append(f"{field}={shown}: accepted ({response.status_code})")
    assert not failures, failures


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

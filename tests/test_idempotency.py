"""Idempotent creates: every form that creates (contact, account, task, opportunity, proposal, deal) carries a
random key; a second submit of the same rendered form answers with the first one's record and creates nothing,
also when the two arrive at the same time at a real server. The vCard import's confirmation, twice at once,
imports once."""
import re
import threading
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import Client, Contact, Deal, Opportunity, Proposal, Task

from . import live_server
from .conftest import HX, strip_tags
from .live_server import request
from .record_support import make_world, task_type_id
from .test_conflicts import _logged_in
from .test_deals import opportunity_and_proposal
from .test_vcard_import import card, open_preview, read_form, vcf

KEY_INPUT = re.compile(r'name="idempotency_key" type="hidden" value="([^"]+)"')


@dataclass
class CreateForm:
    """A create form: its URL, the table it writes, a valid submission titled `title`, and how the answer names
    the record made."""

    url: Callable
    model: type
    data: Callable
    named: Callable  # (title) -> the text the answer shows


def _contact(w, app, title):
    return {"client_id": w.aprool.id, "last_name": title, "first_name": "Jean", "function": "Acheteur",
            "owner_id": w.seller.id, "country": "FR", "confirm_same_name": "y"}


def _client(w, app, title):
    return {"name": title, "confirm_duplicate": "y", "country": "FR", "entity_ids": w.east.id}


def _task(w, app, title):
    return {"name": title, "due_at": "2026-12-10T10:00", "task_type_id": task_type_id(app), "priority": "2",
            "assignee_id": w.seller.id, "status": "todo"}


def _deal(extra):
    return lambda w, app, title: {"title": title, "amount": "100", "owner_id": w.seller.id, **extra}


FORMS = {
    "contact": CreateForm(lambda w: "/contacts/new", Contact, _contact, lambda title: f"Contact {title} Jean créé."),
    "client": CreateForm(lambda w: "/clients/new", Client, _client,
                         lambda title: f"Le compte « {title} » a été créé."),
    "task": CreateForm(lambda w: f"/contacts/{w.blou.id}/tasks/new", Task, _task,
                       lambda title: f"La tâche « {title} » a été ajoutée."),
    "opportunity": CreateForm(lambda w: f"/contacts/{w.blou.id}/opportunities/new", Opportunity,
                              _deal({"stage": "qualification"}),
                              lambda title: f"L'opportunité « {title} » a été ajoutée."),
    "proposal": CreateForm(lambda w: f"/opportunities/{w.ids['opportunity']}/proposals/new", Proposal,
                           _deal({"status": "draft"}), lambda title: f"La proposition « {title} » a été créée."),
    "deal": CreateForm(lambda w: f"/proposals/{w.ids['proposal']}/deals/new", Deal, _deal({"status": "won"}),
                       lambda title: f"L'affaire « {title} » a été créée."),
}


@pytest.fixture
def world(make, login_as, app):
    """The record world seen by an administrator, with an opportunity and a proposal made from it."""
    world = make_world(make, login_as, role="Administrateur")
    opportunity_id, proposal_id = opportunity_and_proposal(app, world.aprool, world.blou)
    world.ids = {"opportunity": opportunity_id, "proposal": proposal_id}
    return world


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _titles(app, model) -> list[str]:
    with app.app_context():
        column = {Contact: Contact.last_name, Client: Client.name, Task: Task.name}.get(model)
        return list(db.session.scalars(select(column if column is not None else model.title)))


def _key(client, url) -> str:
    """The key of a freshly rendered form."""
    return KEY_INPUT.search(client.get(url).text).group(1)


def _said(client, response) -> str:
    """What the answer tells the user: its toast (htmx), or the page it redirects to with its message."""
    if response.status_code == 302:
        return strip_tags(client.get(response.headers["Location"]).text)
    return response.headers.get("HX-Trigger", "").encode().decode("unicode_escape")


@pytest.mark.parametrize("name", FORMS)
def test_a_second_submit_of_one_form_answers_with_the_first_record(client, app, csrf, world, name):
    form = FORMS[name]
    url = form.url(world)
    before = _count(app, form.model)
    key = _key(client, url)
    first = client.post(url, data={**form.data(world, app, "PREMIER"), "idempotency_key": key,
                                   "csrf_token": csrf["token"]}, headers=HX)
    assert first.status_code in (200, 302), strip_tags(first.text)[:500]
    assert form.named("PREMIER") in _said(client, first)
    # The repeat (a double click, a retry after a network error) carries the same key; even if what it carries
    # differed, it is the first submit's record that answers.
    again = client.post(url, data={**form.data(world, app, "SECOND"), "idempotency_key": key,
                                   "csrf_token": csrf["token"]}, headers=HX)
    assert again.status_code == first.status_code
    assert form.named("PREMIER") in _said(client, again)
    assert _count(app, form.model) == before + 1
    assert "SECOND" not in _titles(app, form.model)
    if name != "deal":  # a proposal has one deal: its form is not offered again
        assert _key(client, url) != key  # each rendered form has its own


@pytest.mark.parametrize("name", ["client", "task"])
def test_without_javascript_the_repeat_opens_the_same_record(client, app, csrf, world, name):
    form = FORMS[name]
    url = form.url(world)
    key = _key(client, url)
    data = {**form.data(world, app, "PREMIER"), "idempotency_key": key, "csrf_token": csrf["token"]}
    first, again = client.post(url, data=data), client.post(url, data=data)
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"]
    assert _titles(app, form.model).count("PREMIER") == 1


def test_a_refused_submit_leaves_its_key_free(client, app, csrf, world):
    form = FORMS["opportunity"]
    url = form.url(world)
    key = _key(client, url)
    refused = client.post(url, data={**form.data(world, app, ""), "idempotency_key": key,
                                     "csrf_token": csrf["token"]}, headers=HX)
    assert refused.status_code == 422 and "Saisissez l" in refused.text
    assert f'value="{key}"' in refused.text  # the form shown again keeps its key
    fixed = client.post(url, data={**form.data(world, app, "CORRIGÉ"), "idempotency_key": key,
                                   "csrf_token": csrf["token"]}, headers=HX)
    assert fixed.status_code == 200 and _titles(app, Opportunity).count("CORRIGÉ") == 1


def test_a_record_deleted_since_is_not_made_again(client, app, csrf, world):
    form = FORMS["contact"]
    key = _key(client, "/contacts/new")
    data = {**form.data(world, app, "EPHEMERE"), "idempotency_key": key, "csrf_token": csrf["token"]}
    assert client.post("/contacts/new", data=data, headers=HX).status_code == 200
    with app.app_context():
        contact_id = db.session.scalar(select(Contact.id).where(Contact.last_name == "EPHEMERE"))
    assert client.post(f"/contacts/{contact_id}/delete", data={"csrf_token": csrf["token"]}).status_code == 302
    assert client.post("/contacts/new", data=data, headers=HX).status_code == 409
    assert "EPHEMERE" not in _titles(app, Contact)


def test_a_key_is_the_users_own(client, app, csrf, world, make, login_as):
    """Another user sending the same key creates their own record: keys are counted per user."""
    form = FORMS["task"]
    url = form.url(world)
    key = _key(client, url)
    data = {**form.data(world, app, "À MOI"), "idempotency_key": key, "csrf_token": csrf["token"]}
    assert client.post(url, data=data, headers=HX).status_code == 200
    login_as(make.user("AUTRE Admin", role="Administrateur", entities=[world.east]))
    assert client.post(url, data=data, headers=HX).status_code == 200
    assert _titles(app, Task).count("À MOI") == 2


@pytest.fixture
def server(app, tmp_path):
    with live_server.gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path) as port:
        yield port


def test_two_simultaneous_submits_of_each_form_make_one_record(app, world, server):
    """Two copies of each form's submit, released together against gunicorn's two workers: one record each."""
    cookie, token = _logged_in(server, world.seller)
    for name, form in FORMS.items():
        url = form.url(world)
        before = _count(app, form.model)
        key = KEY_INPUT.search(request(server, "GET", url, cookie=cookie)[2]).group(1)
        body = urlencode({**form.data(world, app, f"DOUBLE {name}"), "csrf_token": token, "idempotency_key": key})
        barrier, answers = threading.Barrier(2), []

        def submit():
            barrier.wait(timeout=30)
            answers.append(request(server, "POST", url, body, cookie))

        threads = [threading.Thread(target=submit) for _n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert [status for status, _cookie, _html in answers] == [302, 302], (name, answers)
        assert _count(app, form.model) == before + 1, name


def test_two_simultaneous_confirmations_of_one_import_import_once(app, client, csrf, world, server):
    """The preview's "Importer" clicked twice at once (two tabs, a retry), on gunicorn's two workers: one import."""
    url, _html, _form = open_preview(client, csrf, ("a.vcf", vcf(card("N:Double;Dan", "ORG:APROOL"))))
    cookie, _token = _logged_in(server, world.seller)  # the same user, in a browser of the real server
    fields = read_form(request(server, "GET", url, cookie=cookie)[2]).fields
    body = urlencode({**fields, "action": "commit"})
    barrier, answers = threading.Barrier(2), []

    def confirm():
        barrier.wait(timeout=30)
        answers.append(request(server, "POST", url, body, cookie))

    threads = [threading.Thread(target=confirm) for _n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [status for status, _cookie, _html in answers] == [303, 303], answers
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Contact).where(Contact.last_name == "Double")) == 1

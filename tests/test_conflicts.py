"""Lost updates: a save from an older version is merged three ways, a field both sides changed is a conflict to
resolve, and a hostile `version` answers 409 or 422, never 500."""
import re
import threading
from urllib.parse import urlencode

import pytest

from webapp import rights
from webapp.extensions import db
from webapp.models import Contact, MailingList, Role, RoleRight, Skill

from . import live_server
from .conftest import HX, PASSWORD, strip_tags
from .live_server import request
from .test_sessions import CSRF_INPUT
from .test_vcard_import import card, commit, flash_of, open_preview, vcf

BEFORE_INPUT = re.compile(r'name="before" type="hidden" value="([^"]*)"')

HOSTILE_VERSIONS = [" ", "   ", "abc", "\x00", "=cmd|' /C calc'!A0", "²", "-1", "1e308", "9" * 30, "１"]


@pytest.fixture
def desk(make, login_as, app):
    """A salesperson who may edit contacts of one account, with the contact the two colleagues edit."""
    with app.app_context():
        db.session.add(Role(name="Commercial senior", rights=[RoleRight(right=code) for code in (
            rights.CONTACTS_LIST, rights.CONTACTS_EDIT, rights.CONTACTS_IMPORT, rights.MAILING_LISTS)]))
        db.session.commit()
    east = make.entity("Est")
    user = login_as(make.user("COTILLON Marion", role="Commercial senior", entities=[east]))
    aprool = make.client_account("APROOL", entities=[east])
    return {"user": user, "aprool": aprool, "east": east}


def _form(desk, **overrides):
    """Every field of the edit form as a browser posts it."""
    data = {"client_id": str(desk["aprool"].id), "gender": "F", "last_name": "Blou", "first_name": "Hélène",
            "function": "Chef de projet", "email": "helene.blou@aprool.com", "phone": "01 20 35 99 65",
            "mobile": "", "fax": "", "street": "1 rue de la Paix", "street2": "", "postal_code": "75002",
            "city": "Paris", "country": "FR", "owner_id": "", "department_id": "", "notes": "",
            "links-0-kind": "linkedin", "links-0-url": "", "links-1-kind": "website", "links-1-url": "",
            "links-2-kind": "x", "links-2-url": ""}
    data.update(overrides)
    return data


def _post(client, csrf, url, data):
    return client.post(url, data=data, headers={"X-CSRFToken": csrf["token"], **HX},
                       content_type="multipart/form-data")


def _cell(client, csrf, contact_id, field, value, version):
    return client.post(f"/contacts/{contact_id}/cells/{field}", data={"value": value, "version": str(version)},
                       headers={**HX, "X-CSRFToken": csrf["token"]})


@pytest.fixture
def opened(client, csrf, desk, app):
    """A contact created through the form, as B's edit form was opened: (id, version read, the form's values)."""
    assert _post(client, csrf, "/contacts/new", _form(desk)).status_code == 200
    with app.app_context():
        contact = db.session.scalars(db.select(Contact)).one()
        return contact.id, contact.version, _form(desk, version=str(contact.version))


def _contact(app, contact_id):
    with app.app_context():
        return db.session.get(Contact, contact_id)


def test_a_form_saved_after_an_inline_save_keeps_both_changes(client, csrf, app, opened):
    contact_id, version, form = opened
    assert _cell(client, csrf, contact_id, "phone", "01 99 99 99 99", version).status_code == 200  # A
    saved = _post(client, csrf, f"/contacts/{contact_id}/edit", {**form, "email": "hb@aprool.com"})  # B, stale
    assert saved.status_code == 200
    contact = _contact(app, contact_id)
    assert (contact.phone, contact.email) == ("01 99 99 99 99", "hb@aprool.com")


def test_an_inline_save_after_a_form_save_keeps_both_changes(client, csrf, app, opened):
    contact_id, version, form = opened
    assert _post(client, csrf, f"/contacts/{contact_id}/edit", {**form, "email": "hb@aprool.com"}).status_code == 200
    assert _cell(client, csrf, contact_id, "function", "DSI", version).status_code == 200  # a row read before
    contact = _contact(app, contact_id)
    assert (contact.function, contact.email) == ("DSI", "hb@aprool.com")


def test_an_inline_save_of_a_field_changed_since_is_a_conflict(client, csrf, app, opened):
    contact_id, version, form = opened
    assert _post(client, csrf, f"/contacts/{contact_id}/edit", {**form, "function": "DAF"}).status_code == 200
    refused = _cell(client, csrf, contact_id, "function", "DSI", version)
    assert refused.status_code == 409 and "« DAF »" in refused.text
    assert _contact(app, contact_id).function == "DAF"


def test_two_forms_changing_the_same_field_show_both_values_and_the_user_chooses(client, csrf, app, opened):
    contact_id, version, form = opened
    assert _post(client, csrf, f"/contacts/{contact_id}/edit",
                 {**form, "function": "DAF", "city": "Lyon"}).status_code == 200  # A
    refused = _post(client, csrf, f"/contacts/{contact_id}/edit", {**form, "function": "DSI"})  # B
    assert refused.status_code == 409
    text = strip_tags(refused.text)
    assert "Modifié entre-temps : « DAF »" in text and 'value="DSI"' in refused.text  # both values
    assert 'value="Lyon"' in refused.text  # A's other change is taken into B's form
    contact = _contact(app, contact_id)
    assert (contact.function, contact.city) == ("DAF", "Lyon")
    assert f'value="{contact.version}"' in refused.text
    chosen = _post(client, csrf, f"/contacts/{contact_id}/edit",
                   {**form, "function": "DSI", "city": "Lyon", "version": str(contact.version)})
    assert chosen.status_code == 200
    contact = _contact(app, contact_id)
    assert (contact.function, contact.city) == ("DSI", "Lyon")


def test_a_conflict_names_accounts_people_and_labels_never_ids(client, csrf, app, desk, make, opened):
    contact_id, version, form = opened
    beta = make.client_account("BÊTA", entities=[desk["east"]])
    gamma = make.client_account("GAMMA", entities=[desk["east"]])
    vidal, roux = make.user("VIDAL Paul", entities=[desk["east"]]), make.user("ROUX Anne", entities=[desk["east"]])
    assert _post(client, csrf, f"/contacts/{contact_id}/edit",  # A
                 {**form, "client_id": str(beta.id), "owner_id": str(vidal.id), "gender": "M",
                  "country": "BE"}).status_code == 200
    refused = _post(client, csrf, f"/contacts/{contact_id}/edit",  # B, from the version before A's save
                    {**form, "client_id": str(gamma.id), "owner_id": str(roux.id), "gender": "", "country": "DE"})
    assert refused.status_code == 409
    text = strip_tags(refused.text)
    for line in ("Société : « APROOL » → « BÊTA »", "Affecté à : « » → « VIDAL Paul »", "Genre : « Femme » → « Homme »",
                 "Pays : « France » → « Belgique »", "Modifié entre-temps : « BÊTA »",
                 "Modifié entre-temps : « VIDAL Paul »", "Modifié entre-temps : « Homme »",
                 "Modifié entre-temps : « Belgique »"):
        assert line in text, line
    for code in (beta.id, vidal.id):
        assert f"« {code} »" not in text
    assert "« M »" not in text and "« BE »" not in text


def test_an_inline_conflict_on_the_owner_names_the_salesperson(client, csrf, app, desk, make, opened):
    contact_id, version, form = opened
    vidal = make.user("VIDAL Paul", entities=[desk["east"]])
    assert _post(client, csrf, f"/contacts/{contact_id}/edit", {**form, "owner_id": str(vidal.id)}).status_code == 200
    refused = _cell(client, csrf, contact_id, "owner_id", str(desk["user"].id), version)
    assert refused.status_code == 409 and "Valeur actuelle : « VIDAL Paul »" in strip_tags(refused.text)


def _links(app, contact_id) -> list[tuple[str, str]]:
    with app.app_context():
        return [(link.kind, link.url) for link in db.session.get(Contact, contact_id).links]


def test_links_added_on_both_sides_are_both_kept(client, csrf, app, opened):
    contact_id, version, form = opened
    assert _post(client, csrf, f"/contacts/{contact_id}/edit",  # A adds a LinkedIn profile
                 {**form, "links-0-url": "https://www.linkedin.com/in/hblou"}).status_code == 200
    saved = _post(client, csrf, f"/contacts/{contact_id}/edit",  # B, from before A's save, adds a web site
                  {**form, "links-1-url": "https://aprool.com"})
    assert saved.status_code == 200
    assert _links(app, contact_id) == [("linkedin", "https://www.linkedin.com/in/hblou"),
                                       ("website", "https://aprool.com")]


def test_a_link_removed_from_a_stale_form_goes_and_the_others_stay(client, csrf, app, opened):
    contact_id, version, form = opened
    both = {**form, "links-1-url": "https://aprool.com", "links-2-url": "https://x.com/hblou"}
    assert _post(client, csrf, f"/contacts/{contact_id}/edit", both).status_code == 200
    read = _contact(app, contact_id).version  # B opens the form here
    assert _post(client, csrf, f"/contacts/{contact_id}/edit",  # A adds a LinkedIn profile
                 {**both, "version": str(read), "links-0-url": "https://www.linkedin.com/in/hblou"}).status_code == 200
    saved = _post(client, csrf, f"/contacts/{contact_id}/edit",  # B removes the web site
                  {**both, "version": str(read), "links-1-url": ""})
    assert saved.status_code == 200
    assert sorted(_links(app, contact_id)) == [("linkedin", "https://www.linkedin.com/in/hblou"),
                                               ("x", "https://x.com/hblou")]


def _skills(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(db.select(Skill.id).where(Skill.active.is_(True)).order_by(Skill.id).limit(3)))


def _dialog(client, csrf, url, data):
    return client.post(url, data={**data, "csrf_token": csrf["token"]}, headers=HX)


def test_a_stale_skills_dialog_applies_only_what_its_user_changed(client, csrf, app, opened):
    contact_id, _version, _form_values = opened
    x, y, z = _skills(app)
    url = f"/contacts/{contact_id}/skills"
    assert _dialog(client, csrf, url, {"skill_ids": [z]}).status_code == 200
    before = BEFORE_INPUT.search(client.get(url).text).group(1)  # B opens the dialog: z is ticked
    assert before == str(z)
    assert _dialog(client, csrf, url, {"skill_ids": [z, x], "before": before}).status_code == 200  # A adds x
    assert _dialog(client, csrf, url, {"skill_ids": [y], "before": before}).status_code == 200  # B: +y, -z
    with app.app_context():
        assert {skill.id for skill in db.session.get(Contact, contact_id).skills} == {x, y}


def test_a_stale_subscriptions_dialog_applies_only_what_its_user_changed(client, csrf, app, opened):
    contact_id, _version, _form_values = opened
    with app.app_context():
        lists = [MailingList(provider="Mailjet", label=label, position=i) for i, label in enumerate("ABC")]
        db.session.add_all(lists)
        db.session.commit()
        a, b, c = (item.id for item in lists)
    url = f"/contacts/{contact_id}/subscriptions"
    day = {"since": "2026-12-01"}
    assert _dialog(client, csrf, url, {**day, "list_ids": [c]}).status_code == 200
    before = BEFORE_INPUT.search(client.get(url).text).group(1)  # B opens the dialog: C is ticked
    assert before == str(c)
    assert _dialog(client, csrf, url, {**day, "list_ids": [c, a], "before": before}).status_code == 200  # A: +A
    assert _dialog(client, csrf, url, {**day, "list_ids": [b], "before": before}).status_code == 200  # B: +B, -C
    with app.app_context():
        states = {item.mailing_list_id: item.status for item in db.session.get(Contact, contact_id).subscriptions}
    assert states == {a: "subscribed", b: "subscribed", c: "unsubscribed"}


def test_a_vcard_update_adds_its_links_to_those_saved_since_the_preview(client, csrf, app, opened):
    contact_id, _version, form = opened
    url, _html, preview = open_preview(client, csrf, ("a.vcf", vcf(card(
        "N:Blou;Hélène", "EMAIL:helene.blou@aprool.com", "URL:https://aprool.com"))))
    assert _post(client, csrf, f"/contacts/{contact_id}/edit",  # someone adds a LinkedIn profile meanwhile
                 {**form, "links-0-url": "https://www.linkedin.com/in/hblou"}).status_code == 200
    assert "1 mis à jour" in flash_of(client, commit(client, url, {**preview.fields, "c0": "update"}))
    assert _links(app, contact_id) == [("linkedin", "https://www.linkedin.com/in/hblou"),
                                       ("website", "https://aprool.com")]


@pytest.mark.parametrize("version", HOSTILE_VERSIONS)
def test_a_hostile_version_is_refused_on_the_form(client, csrf, app, opened, version):
    contact_id, _version, form = opened
    response = _post(client, csrf, f"/contacts/{contact_id}/edit", {**form, "function": "DSI", "version": version})
    assert response.status_code in (409, 422)
    assert _contact(app, contact_id).function == "Chef de projet"


@pytest.mark.parametrize("version", HOSTILE_VERSIONS)
def test_a_hostile_version_is_refused_in_the_cell(client, csrf, app, opened, version):
    contact_id, _version, _form_values = opened
    response = _cell(client, csrf, contact_id, "function", "DSI", version)
    assert response.status_code in (409, 422)
    assert _contact(app, contact_id).function == "Chef de projet"


# Each worker waits after the duplicate check, so two creates both pass it before either writes: the race the
# check alone lost.
SLOW_CHECK_CONFIG = '''
def post_fork(server, worker):
    """Widen the window between the e-mail check and the insert."""
    import time

    import webapp.services.contacts as contacts

    real = contacts.email_taken_by

    def slow(*args, **kwargs):
        found = real(*args, **kwargs)
        time.sleep(0.5)
        return found

    contacts.email_taken_by = slow
'''


@pytest.fixture
def server(app, tmp_path):
    """The app under gunicorn (2 workers) on the test database, the e-mail check slowed down; yields its port."""
    with live_server.gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path, config=SLOW_CHECK_CONFIG) as port:
        yield port


def _logged_in(port, user) -> tuple[str, str]:
    """A browser logged in through the login form: its session cookie and the CSRF token of its add form."""
    _status, cookie, html = request(port, "GET", "/login")
    body = urlencode({"email": user.email, "password": PASSWORD, "csrf_token": CSRF_INPUT.search(html).group(1)})
    status, cookie, _html = request(port, "POST", "/login", body, cookie.split(";")[0])
    assert status == 302
    _status, new_cookie, html = request(port, "GET", "/contacts/new", cookie=cookie.split(";")[0])
    return (new_cookie or cookie).split(";")[0], CSRF_INPUT.search(html).group(1)  # the token lives in the session


def test_two_simultaneous_creates_with_one_email_make_one_contact(app, desk, server):
    browsers = [_logged_in(server, desk["user"]) for _n in range(2)]
    barrier, answers = threading.Barrier(2), []

    def create(cookie, token, first_name):
        data = {key: value for key, value in _form(desk, first_name=first_name).items()}
        barrier.wait(timeout=30)
        answers.append(request(server, "POST", "/contacts/new", urlencode({**data, "csrf_token": token}), cookie))

    threads = [threading.Thread(target=create, args=(*browser, name))
               for browser, name in zip(browsers, ("Hélène", "Héloïse"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert sorted(status for status, _cookie, _html in answers) == [302, 422], answers
    refused = next(html for status, _cookie, html in answers if status == 422)
    assert "/contacts/" in refused and "Cette adresse e-mail est déjà celle d&#39;un autre contact." in refused
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Contact)) == 1


KEY_INPUT = re.compile(r'name="idempotency_key" type="hidden" value="([^"]+)"')


def _idempotency_key(client) -> str:
    """The key of a freshly rendered add form."""
    return KEY_INPUT.search(client.get("/contacts/new").text).group(1)


def test_a_double_submit_of_the_add_form_makes_one_contact(client, csrf, desk, app):
    key = _idempotency_key(client)
    data = {**_form(desk), "idempotency_key": key}
    first = client.post("/contacts/new", data=data, headers={"X-CSRFToken": csrf["token"]})
    again = client.post("/contacts/new", data=data, headers={"X-CSRFToken": csrf["token"]})
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"]  # the first one's contact
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Contact)) == 1
    assert _idempotency_key(client) != key  # each rendered form has its own


def test_two_simultaneous_submits_with_one_key_make_one_contact(app, desk, server):
    cookie, token = _logged_in(server, desk["user"])
    key = KEY_INPUT.search(request(server, "GET", "/contacts/new", cookie=cookie)[2]).group(1)
    body = urlencode({**_form(desk), "csrf_token": token, "idempotency_key": key})
    barrier, answers = threading.Barrier(2), []

    def create():
        barrier.wait(timeout=30)
        answers.append(request(server, "POST", "/contacts/new", body, cookie))

    threads = [threading.Thread(target=create) for _n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [status for status, _cookie, _html in answers] == [302, 302], answers
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Contact)) == 1

"""Doublons possibles (issue 18): the keys kept by every contact write, the groups a user may see, "Ce ne sont pas
des doublons", the record's count, the merge (rights, 409, what moves, the trail), its undo and the UID aliases."""
import re
from datetime import date
from html import unescape

import pytest
from sqlalchemy import func, select

from webapp import rights
from webapp.extensions import db
from webapp.models import (AuditEntry, Contact, ContactExtra, ContactMerge, ContactPhoto, ContactUidAlias, Deal, DuplicateKey, MailingList,
                           MailingListSubscription, Skill, Task)
from webapp.services import duplicates
from webapp.services.contacts import LinkValue, delete_contact, write_contact
from webapp.unit_of_work import unit_of_work

from .conftest import HX, image_bytes, strip_tags
from .test_vcard_import import card, commit, open_preview, role_with, vcf


@pytest.fixture
def world(app, make, login_as):
    """Two entities; a manager of the East who may merge, a salesperson of the East (no merge right), a
    manager of the West; accounts in each."""
    east, west = make.entity("Est"), make.entity("Ouest")
    merger = role_with(app, "Fusion", {rights.CONTACTS_LIST, rights.CONTACTS_EDIT, rights.CONTACTS_MERGE})
    aprool = make.client_account("APROOL", entities=[east])
    globex = make.client_account("Globex", entities=[east])
    westco = make.client_account("WestCo", entities=[west])
    return {"east": east, "west": west, "aprool": aprool, "globex": globex, "westco": westco,
            "manager": make.user("CHEF Anne", role=merger, entities=[east]),
            "seller": make.user("COTILLON Marion", role="Commercial", entities=[east]),
            "westerner": make.user("OUEST Paul", role=merger, entities=[west]),
            "login": login_as}


def add(app, client, last, first, **values) -> int:
    """A contact written through the contacts service (the path every channel takes); its id."""
    with app.app_context(), unit_of_work():
        result = write_contact({"client_id": client.id, "last_name": last, "first_name": first,
                                "function": "Acheteur", **values}, None, "form", same_name_confirmed=True)
        assert result.saved, result.problems
        return result.contact.id


def add_same_email(app, client, last, first, email, **values) -> int:
    """A contact holding an e-mail another one holds (stored before the unique index, or an import told to
    create it): written without the e-mail key, as migration 0006 and the vCard import leave it."""
    contact_id = add(app, client, last, first, **values)
    with app.app_context(), unit_of_work():
        db.session.execute(Contact.__table__.update().where(Contact.id == contact_id)
                           .values(email=email, email_key=None))
        duplicates.refresh_keys([contact_id])
    return contact_id


def groups(app, user, contact_id=None) -> dict[frozenset, list[str]]:
    with app.app_context():
        user = db.session.merge(user)
        return {frozenset(group.ids): group.kinds for group in duplicates.all_groups(user, contact_id)}


@pytest.fixture
def seeded(app, world):
    """Known duplicates: e-mail in two cases, one phone in two formats, one name with and without accents and
    capitals, one name with first and last swapped; and two different people of one name at two accounts."""
    w = world
    ids = {
        "blou": add(app, w["aprool"], "BLOU", "Hélène", email="helene.blou@aprool.com"),
        "blou2": add(app, w["aprool"], "Blou", "Helene", mobile="06 12 34 56 78"),
        "dupont": add(app, w["globex"], "DUPONT", "Jean", email="Jean.Dupont@globex.fr"),
        "dupont2": 0,
        "tel": add(app, w["globex"], "NEIGE", "Julia", phone="01 42 68 53 00"),
        "tel2": add(app, w["aprool"], "NEIGE", "J.", phone="+33 (0)1.42.68.53.00"),
        "darcy": add(app, w["globex"], "D'ARCY", "Marie-Hélène"),
        "darcy2": add(app, w["globex"], "Marie Hélène", "Darcy"),
        "martin": add(app, w["aprool"], "MARTIN", "Paul", email="p.martin@aprool.com"),
        "martin2": add(app, w["globex"], "MARTIN", "Paul", email="paul.martin@globex.fr"),
        "west": add(app, w["westco"], "BLOU", "Hélène", email="h.blou@westco.com", mobile="06 12 34 56 78"),
    }
    ids["dupont2"] = add_same_email(app, w["globex"], "DUPOND", "J.", "jean.dupont@GLOBEX.FR")
    return ids


# ------------------------------------------------------------------------------------------------ finding


def test_groups_are_found_by_email_case_phone_format_accents_and_swapped_names(app, world, seeded):
    found = groups(app, world["manager"])
    s = seeded
    assert found[frozenset({s["dupont"], s["dupont2"]})] == ["email"]
    assert found[frozenset({s["tel"], s["tel2"]})] == ["phone"]
    assert found[frozenset({s["blou"], s["blou2"]})] == ["name"]
    assert found[frozenset({s["darcy"], s["darcy2"]})] == ["name"]
    # Different people of one name at two accounts, without a shared e-mail or phone, are no group.
    assert not any({s["martin"], s["martin2"]} <= members for members in found)


def test_strongest_groups_come_first_with_their_reasons_and_score(app, client, world, seeded):
    world["login"](world["manager"])
    html = client.get("/contacts/duplicates").text
    text = unescape(strip_tags(html))
    assert text.index("Même e-mail") < text.index("Même téléphone") < text.index("Même nom au même compte")
    assert "Score 95" in text and "Score 85" in text and "Score 75" in text
    assert "DUPOND J." in text and "D'ARCY Marie-Hélène" in text


def test_the_list_links_to_the_screen_and_the_record_counts_its_duplicates(app, client, world, seeded):
    world["login"](world["manager"])
    assert 'href="/contacts/duplicates"' in client.get("/contacts?q=").text
    record = client.get(f"/contacts/{seeded['blou']}").text
    assert "Doublons possibles (1)" in record
    assert f'href="/contacts/duplicates?contact={seeded["blou"]}"' in record
    page = strip_tags(client.get(f"/contacts/duplicates?contact={seeded['blou']}").text)
    assert "Blou Helene" in page.replace("BLOU Helene", "Blou Helene") and "DUPOND" not in page
    assert "Doublons possibles" not in strip_tags(client.get(f"/contacts/{seeded['martin']}").text)


def test_a_user_of_another_entity_sees_no_group_of_contacts_out_of_sight(app, client, world, seeded):
    # The West contact shares an East contact's mobile: neither manager sees both, so neither sees a group.
    assert groups(app, world["manager"]).get(frozenset({seeded["blou2"], seeded["west"]})) is None
    assert groups(app, world["westerner"]) == {}
    world["login"](world["westerner"])
    html = client.get("/contacts/duplicates").text
    assert "Aucun doublon possible" in html and "BLOU" not in html
    assert client.get(f"/contacts/duplicates?contact={seeded['blou']}").status_code == 404


def test_a_user_who_sees_everything_finds_groups_across_entities(app, world, seeded, make):
    admin = make.user("ADMIN Alice", role="Administrateur", entities=[world["east"]])
    assert groups(app, admin)[frozenset({seeded["blou2"], seeded["west"]})] == ["phone"]


def test_not_duplicates_hides_the_group_and_is_remembered(app, client, world, seeded, csrf):
    world["login"](world["manager"])
    pair = [seeded["darcy"], seeded["darcy2"]]
    response = client.post("/contacts/duplicates/dismiss", data={"ids": pair, "csrf_token": csrf["token"]})
    assert response.status_code == 302
    assert frozenset(pair) not in groups(app, world["manager"])
    assert "D'ARCY" not in unescape(client.get("/contacts/duplicates").text)
    assert "Doublons possibles" not in strip_tags(client.get(f"/contacts/{pair[0]}").text)
    # htmx: the group's box is emptied and a toast says why.
    other = [seeded["tel"], seeded["tel2"]]
    response = client.post("/contacts/duplicates/dismiss", data={"ids": other},
                           headers={**HX, "X-CSRFToken": csrf["token"]})
    assert response.status_code == 200 and response.text == ""
    assert "toast-shown" in response.headers["HX-Trigger"]
    assert frozenset(other) not in groups(app, world["manager"])
    # Without a token nothing is remembered.
    assert client.post("/contacts/duplicates/dismiss",
                       data={"ids": [seeded["blou"], seeded["blou2"]]}).status_code == 400


def _listed(client, query: str) -> set[int]:
    html = client.get(f"/contacts?{query}", headers={**HX, "HX-Target": "results"}).text
    return {int(i) for i in re.findall(r'<tr id="contact-(\d+)"', html)}


def test_the_list_filter_shows_the_contacts_of_the_screens_groups(app, client, world, seeded, csrf):
    world["login"](world["manager"])
    s = seeded
    expected = {member for members in groups(app, world["manager"]) for member in members}
    assert _listed(client, "duplicates=1&active=all") == expected
    assert {s["blou"], s["blou2"], s["darcy"], s["darcy2"]} <= expected
    assert not {s["martin"], s["martin2"], s["west"]} & expected  # namesakes elsewhere; another entity's contact
    page = client.get("/contacts?duplicates=1").text
    assert 'name="duplicates" value="1" checked' in page  # the filter shows checked
    assert '<li class="chip">Doublons possibles <a href="/contacts?q="' in page  # a chip that removes it
    # Said not to be duplicates: the pair leaves the filter as it leaves the screen.
    client.post("/contacts/duplicates/dismiss", data={"ids": [s["darcy"], s["darcy2"]], "csrf_token": csrf["token"]})
    assert not {s["darcy"], s["darcy2"]} & _listed(client, "duplicates=1&active=all")
    # A user of the other entity: no contact of hers shares a key with one she may see.
    world["login"](world["westerner"])
    assert _listed(client, "duplicates=1&active=all") == set()


def test_keys_follow_every_write_update_and_delete(app, world, seeded):
    s = seeded
    with app.app_context(), unit_of_work():
        martin2 = db.session.get(Contact, s["martin2"])
        write_contact({"email": "P.Martin@aprool.com"}, None, "form", contact=martin2,
                      expected_version=martin2.version)
    # The unique e-mail index refuses the same address: the save is refused, so nothing changes.
    assert not any({s["martin"], s["martin2"]} <= members for members in groups(app, world["manager"]))
    with app.app_context(), unit_of_work():
        martin2 = db.session.get(Contact, s["martin2"])
        result = write_contact({"mobile": "06 99 88 77 66"}, None, "inline", contact=martin2,
                               expected_version=martin2.version)
        assert result.saved
        martin = db.session.get(Contact, s["martin"])
        write_contact({"phone": "+33 6 99 88 77 66"}, None, "inline", contact=martin, expected_version=martin.version)
    assert groups(app, world["manager"])[frozenset({s["martin"], s["martin2"]})] == ["phone"]
    with app.app_context(), unit_of_work():
        delete_contact(db.session.get(Contact, s["martin2"]), None, "form")
    assert not any(s["martin"] in members for members in groups(app, world["manager"]))
    with app.app_context():
        sizes = db.session.execute(select(DuplicateKey.group_size).where(DuplicateKey.contact_id == s["martin"])).all()
        assert {size for (size,) in sizes} == {1}


# ------------------------------------------------------------------------------------------------ merging


@pytest.fixture
def three(app, world):
    """Three records of one person at APROOL: tasks, deals, subscriptions, skills, links and extras on each."""
    w = world
    ids = [add(app, w["aprool"], "BLOU", "Hélène", email="helene.blou@aprool.com", function="DSI"),
           add(app, w["aprool"], "Blou", "Helene", mobile="06 12 34 56 78", function="DSI adjointe"),
           add(app, w["aprool"], "blou", "hélène", phone="01 42 68 53 00", city="Paris")]
    with app.app_context(), unit_of_work():
        lists = [MailingList(provider="Mailjet", label=f"Liste {n}", position=n) for n in (1, 2)]
        db.session.add_all(lists)
        skills = db.session.scalars(select(Skill).limit(3)).all()
        db.session.flush()
        first, second, third = (db.session.get(Contact, i) for i in ids)
        first.skills = [skills[0]]
        second.skills = [skills[0], skills[1]]
        third.skills = [skills[2]]
        db.session.add_all([
            MailingListSubscription(contact_id=ids[0], mailing_list_id=lists[0].id, since=date(2020, 5, 1)),
            MailingListSubscription(contact_id=ids[1], mailing_list_id=lists[0].id, status="unsubscribed",
                                    since=date(2019, 1, 15)),
            MailingListSubscription(contact_id=ids[2], mailing_list_id=lists[1].id, since=date(2021, 3, 3)),
            Task(contact_id=ids[1], name="Rappeler", priority=2, status="todo"),
            Task(contact_id=ids[2], name="Envoyer le devis", priority=1, status="todo"),
            Deal(client_id=w["aprool"].id, contact_id=ids[2], title="Renouvellement", amount=1000,
                 signed_date=date(2024, 1, 2)),
            ContactExtra(contact_id=ids[1], kind="email", label="Perso", value="helene@example.org"),
            ContactPhoto(contact_id=ids[2], mime="image/jpeg", data=image_bytes(), thumbnail=image_bytes(),
                         width=64, height=48),
        ])
        db.session.flush()
        second.links = []
        write_contact({"function": "Directrice SI"}, None, "form", contact=second, expected_version=second.version,
                      links=[LinkValue("linkedin", "https://www.linkedin.com/in/hblou")])
    return ids


def merge_screen(client, ids):
    return client.get("/contacts/merge?" + "&".join(f"ids={i}" for i in ids))


def form_of(app, ids, survivor=None, **picks):
    with app.app_context():
        versions = {i: db.session.get(Contact, i).version for i in ids}
    data = {"ids": ids, "survivor": survivor or ids[0], **{f"version-{i}": v for i, v in versions.items()}}
    data.update({f"pick-{name}": value for name, value in picks.items()})
    return data


def state(app, contact_id) -> dict:
    """What the user sees of a contact: every field, its links, skills, subscriptions, extras, tasks, deals."""
    with app.app_context():
        contact = db.session.get(Contact, contact_id)
        if contact is None:
            return {}
        from webapp.services.contacts import FIELDS
        return {**{name: getattr(contact, name) for name in FIELDS},
                "links": [(link.kind, link.url) for link in contact.links],
                "skills": sorted(skill.id for skill in contact.skills),
                "subscriptions": sorted((s.mailing_list_id, s.status, s.since) for s in contact.subscriptions),
                "extras": [(e.kind, e.value) for e in contact.extras],
                "tasks": sorted(db.session.scalars(select(Task.name).where(Task.contact_id == contact_id))),
                "deals": sorted(db.session.scalars(select(Deal.title).where(Deal.contact_id == contact_id))),
                "deal_count": contact.deal_count, "photo": contact.photo is not None}


def test_the_side_by_side_screen_defaults_to_the_most_recent_value_and_the_oldest_record(app, client, world, three,
                                                                                         csrf):
    world["login"](world["manager"])
    html = merge_screen(client, three).text
    assert f'name="survivor" value="{three[0]}" checked' in html
    # Fonction: the second contact's "Directrice SI" was written after the first's "DSI".
    row = html[html.index('data-field="function"'):html.index("</tr>", html.index('data-field="function"'))]
    assert f'value="{three[1]}"\n              checked' in row or f'value="{three[1]}" checked' in " ".join(row.split())
    assert "Directrice SI" in row and "DSI" in row
    assert "1 tâche" in strip_tags(html) and "1 affaire" in strip_tags(html)


def test_a_merge_of_three_moves_everything_to_the_survivor_in_one_go(app, client, world, three, csrf):
    world["login"](world["manager"])
    data = form_of(app, three, city=three[2], function=three[0])
    response = client.post("/contacts/merge", data={**data, "csrf_token": csrf["token"]})
    assert response.status_code == 302, strip_tags(response.text)[:400]
    assert response.headers["Location"].endswith(f"/contacts/{three[0]}")
    survivor = state(app, three[0])
    assert state(app, three[1]) == {} and state(app, three[2]) == {}
    assert survivor["function"] == "DSI" and survivor["city"] == "Paris"
    assert survivor["mobile"] == "06 12 34 56 78" and survivor["phone"] == "01 42 68 53 00"
    assert survivor["email"] == "helene.blou@aprool.com"
    assert survivor["tasks"] == ["Envoyer le devis", "Rappeler"]
    assert survivor["deals"] == ["Renouvellement"] and survivor["deal_count"] == 1
    assert survivor["links"] == [("linkedin", "https://www.linkedin.com/in/hblou")]
    assert len(survivor["skills"]) == 3 and survivor["extras"] == [("email", "helene@example.org")]
    assert survivor["photo"]  # the only photo, the third contact's, is the default choice
    with app.app_context():
        lists = dict(db.session.execute(select(MailingList.label, MailingList.id)).tuples().all())
    # One subscription per list: the earliest "depuis" and the unsubscription kept.
    assert survivor["subscriptions"] == sorted([(lists["Liste 1"], "unsubscribed", date(2019, 1, 15)),
                                                (lists["Liste 2"], "subscribed", date(2021, 3, 3))])
    page = client.get(f"/contacts/{three[0]}").text
    assert "fusionnés dans" in strip_tags(page) and "Annuler la fusion" in page
    assert "Doublons possibles (" not in page
    with app.app_context():
        trail = db.session.scalars(select(AuditEntry).where(AuditEntry.via == "merge")).all()
        merge_row = next(entry for entry in trail if entry.action == "merge")
        assert merge_row.record_id == three[0]
        assert f"#{three[1]}" in merge_row.new_value and "2 tâche(s)" in merge_row.new_value
        assert "1 affaire(s)" in merge_row.new_value and '"city"' in merge_row.new_value
        assert {entry.record_id for entry in trail if entry.action == "delete"} == {three[1], three[2]}
        assert db.session.scalar(select(func.count()).select_from(ContactUidAlias)) == 2
    history = strip_tags(page)
    assert "Fusion" in history and "Contacts fusionnés" in history


def test_undo_puts_every_field_and_relation_back(app, client, world, three, csrf):
    world["login"](world["manager"])
    before = {contact_id: state(app, contact_id) for contact_id in three}
    data = form_of(app, three, survivor=three[1], city=three[2], function=three[0], mobile=three[1])
    assert client.post("/contacts/merge", data={**data, "csrf_token": csrf["token"]}).status_code == 302
    with app.app_context():
        merge_id = db.session.scalar(select(ContactMerge.id))
    response = client.post(f"/contacts/merges/{merge_id}/undo", data={"csrf_token": csrf["token"]})
    assert response.status_code == 302
    after = {contact_id: state(app, contact_id) for contact_id in three}
    for contact_id in three:
        for name, value in before[contact_id].items():
            assert after[contact_id][name] == value, (contact_id, name)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ContactUidAlias)) == 0
    assert frozenset(three) in groups(app, world["manager"])
    # A second undo is refused.
    assert client.post(f"/contacts/merges/{merge_id}/undo", data={"csrf_token": csrf["token"]}).status_code == 409


def test_a_contact_saved_since_the_screen_opened_makes_the_merge_answer_409_with_what_changed(app, client, world,
                                                                                              three, csrf):
    world["login"](world["manager"])
    data = form_of(app, three)
    with app.app_context(), unit_of_work():
        third = db.session.get(Contact, three[2])
        write_contact({"function": "DAF"}, None, "form", contact=third, expected_version=third.version)
    response = client.post("/contacts/merge", data={**data, "csrf_token": csrf["token"]})
    assert response.status_code == 409
    text = strip_tags(response.text)
    assert "modifiés depuis" in text and "Fonction" in text and "DAF" in text
    assert all(state(app, contact_id) for contact_id in three)  # nothing merged
    # The page came back with fresh versions: sending it again merges.
    with app.app_context():
        assert f'name="version-{three[2]}" value="{db.session.get(Contact, three[2]).version}"' in response.text


def test_rights_and_scope_of_the_merge(app, client, world, three, csrf, make):
    world["login"](world["seller"])  # sees them, lacks "Fusionner des contacts"
    assert merge_screen(client, three).status_code == 403
    assert client.post("/contacts/merge", data={**form_of(app, three), "csrf_token": csrf["token"]}).status_code == 403
    assert "Comparer et fusionner" not in client.get("/contacts/duplicates").text
    world["login"](world["westerner"])  # may merge, but not these contacts
    assert merge_screen(client, three).status_code == 404
    assert client.post("/contacts/merge", data={**form_of(app, three), "csrf_token": csrf["token"]}).status_code == 404
    assert all(state(app, contact_id) for contact_id in three)
    world["login"](world["manager"])
    assert merge_screen(client, three[:1]).status_code == 422
    assert client.post("/contacts/merge", data=form_of(app, three)).status_code == 400  # no CSRF token


def test_a_merged_contacts_uid_finds_the_survivor_on_a_vcard_import(app, client, world, three, csrf, make):
    with app.app_context():
        gone_uid = db.session.get(Contact, three[2]).vcard_uid
    world["login"](world["manager"])
    assert client.post("/contacts/merge", data={**form_of(app, three), "csrf_token": csrf["token"]}).status_code == 302
    admin = world["login"](make.user("ADMIN Alice", role="Administrateur", entities=[world["east"]]))
    assert admin
    url, html, fields = open_preview(client, csrf, ("blou.vcf", vcf(card(
        "N:Blou;Hélène;;;", "FN:Hélène Blou", "ORG:APROOL", f"UID:{gone_uid}", "TITLE:CTO"))))
    assert "même UID" in html and f"/contacts/{three[0]}" in html
    assert commit(client, url, fields.fields).status_code in (302, 303)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Contact)) == 1
        assert db.session.get(Contact, three[0]).function == "CTO"


def test_the_lists_selection_bar_opens_the_merge_screen_for_two_to_five_contacts(app, client, world, three, csrf):
    world["login"](world["manager"])
    assert "Fusionner…" in client.get("/contacts?q=").text
    response = client.post("/contacts/bulk/merge", data={"ids": three[:2], "csrf_token": csrf["token"]})
    assert response.status_code == 303
    assert merge_screen(client, three[:2]).status_code == 200
    assert response.headers["Location"] == f"/contacts/merge?ids={three[0]}&ids={three[1]}"
    response = client.post("/contacts/bulk/merge", data={"ids": three}, headers={**HX, "X-CSRFToken": csrf["token"]})
    assert response.headers["HX-Redirect"].endswith(f"ids={three[2]}")
    one = client.post("/contacts/bulk/merge", data={"ids": three[:1], "csrf_token": csrf["token"]})
    assert one.status_code == 422 and "de 2 à 5 contacts" in strip_tags(one.text)
    world["login"](world["seller"])
    assert "Fusionner…" not in client.get("/contacts?q=").text
    assert client.post("/contacts/bulk/merge", data={"ids": three[:2], "csrf_token": csrf["token"]}).status_code == 403


def test_an_imports_keys_are_those_a_full_recount_would_write(app, client, world, seeded, csrf, make):
    """The import writes its contacts' keys from the rows it inserts, counted against the keys held already
    (duplicates.add_keys): the same table as refresh_keys over every contact, shared keys and counts included."""
    world["login"](make.user("ADMIN Alice", role="Administrateur", entities=[world["east"]]))
    data = vcf(card("N:Martin;Pierre", "ORG:APROOL", "EMAIL:p.martin@aprool.com"),  # an e-mail held already
               card("N:Neuf;Nina", "ORG:APROOL", "TEL:+33 6 11 22 33 44"),
               card("N:Nina;Neuf", "ORG:APROOL", "TEL:06 11 22 33 44"),  # the same person twice in the file
               card("N:Seul;Sam", "ORG:Globex", "EMAIL:sam@globex.fr"))
    url, _html, form = open_preview(client, csrf, ("a.vcf", data))
    assert commit(client, url, {**form.fields, **{f"c{i}": "create" for i in range(4)}}).status_code == 303

    def table():
        with app.app_context():
            return sorted(db.session.execute(select(DuplicateKey.contact_id, DuplicateKey.kind, DuplicateKey.key,
                                                    DuplicateKey.group_size, DuplicateKey.client_id)).all())
    written = table()
    with app.app_context(), unit_of_work():
        duplicates.refresh_keys(db.session.scalars(select(Contact.id)).all())
    assert written == table()
    assert max(size for *_rest, size, _client in written) >= 2  # shared keys were counted, not left at 1

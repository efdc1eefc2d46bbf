"""The import preview in pages: 100 cards a page and status filters, the choices kept as they are made (htmx) or
with the page's buttons, and a card's name, e-mail and company corrected in its row before importing."""
from html import unescape

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Client, Contact, ImportBatch

from .conftest import HX, strip_tags
from .test_vcard_import import (admin, card, commit, count, entity, flash_of, open_preview,  # noqa: F401
                                preview_flash, read_form, row_html, tabs_of, vcf)


def many(n: int, start: int = 0, org: str = "Acme") -> bytes:
    return vcf(*(card(f"N:Nom{i:03d};Prénom", f"ORG:{org}", f"EMAIL:p{i}@acme.fr") for i in range(start, start + n)))


def rows_shown(html: str) -> list[int]:
    return [int(part.split('"', 1)[0]) for part in html.split('<tr class="import-row')[1:]
            for part in [part.split('id="import-card-', 1)[1]]]


def test_a_large_upload_is_shown_100_cards_a_page_and_every_page_counts_at_the_commit(client, app, admin, csrf):
    url, html, form = open_preview(client, csrf, ("a.vcf", many(250)))
    assert rows_shown(html) == list(range(100))
    assert "Fiches 1 à 100 sur 250" in unescape(html) and "250 fiches lues : 250 nouvelles" in html
    # A choice made on page 1 goes with the button to page 2 (no JavaScript), another one is saved by htmx.
    moved = commit(client, url, {**form.fields, "c7": "skip"}, action="show:page=2")
    assert moved.status_code == 303 and moved.headers["Location"].endswith("?page=2")
    page2 = client.get(moved.headers["Location"]).text
    assert rows_shown(page2) == list(range(100, 200)) and "Fiches 101 à 200 sur 250" in unescape(page2)
    assert client.post(url + "/choices", data={**read_form(page2).fields, "c150": "skip"},
                       headers=HX).status_code == 204
    assert rows_shown(client.get(url + "?page=3").text) == list(range(200, 250))
    assert rows_shown(client.get(url + "?page=99").text) == list(range(200, 250))  # past the end: the last page
    kept = read_form(client.get(url).text).fields
    assert kept["c7"] == "skip" and kept["c8"] == "create"
    assert read_form(client.get(url + "?page=2").text).fields["c150"] == "skip"
    # "Importer" from page 3: the cards of every page, each as chosen.
    message = flash_of(client, commit(client, url, read_form(client.get(url + "?page=3").text).fields))
    assert message == "Import terminé : 248 créés, 0 mis à jour, 2 ignorés, 0 erreur, 1 compte client créé."
    assert count(app, Contact) == 248


def test_status_filters_show_their_cards_and_one_choice_applies_to_the_whole_filter(client, app, admin, csrf,
                                                                                     make, entity):
    make.contact(make.client_account("Acme", entities=[entity]), "Connu", "Carl", email="p3@acme.fr")
    data = many(150) + vcf(card("ORG:Seule SA", "TEL:01 02 03 04 05", "X-ABShowAs:COMPANY"))
    url, html, form = open_preview(client, csrf, ("a.vcf", data))
    assert tabs_of(html) == "Toutes 151 Nouvelles 149 Doublons possibles 1 Erreurs 1"
    errors = client.get(url + "?status=error").text
    assert rows_shown(errors) == [150] and "Fiche d'une société" in unescape(errors)
    duplicates = client.get(url + "?status=duplicate").text
    assert rows_shown(duplicates) == [3] and "CONNU Carl" in duplicates
    # "Tout ignorer" on the new cards: the 149 of both pages, the duplicate keeps its own choice.
    message, page = preview_flash(client, commit(client, url, {**form.fields, "status": "new"}, action="skip"))
    assert message == "Choix appliqué à 149 fiches." and "Fiches 1 à 100 sur 149" in unescape(page)
    second = read_form(client.get(url + "?status=new&page=2").text).fields
    assert {second[f"c{i}"] for i in range(101, 150)} == {"skip"}
    message = flash_of(client, commit(client, url, {"csrf_token": csrf["token"]}))
    assert message == "Import terminé : 0 créé, 0 mis à jour, 150 ignorés, 1 erreur."
    assert count(app, Contact) == 1


def test_refused_choices_show_the_cards_to_review_and_are_kept(client, app, admin, csrf):
    url, _html, form = open_preview(client, csrf, ("a.vcf", many(120) + vcf(card("N:Sans;Société"))))
    refused = commit(client, url, {**form.fields, "c119": "update", "m119": "1:1"})
    text = unescape(refused.text)
    assert refused.status_code == 422 and "Certains choix sont à revoir" in text
    assert 'aria-current="true">À revoir' in refused.text
    # The card without a company (its account to type) and the refused choice: the rows to review only.
    assert rows_shown(refused.text) == [119, 120]
    assert "Ces fiches n'indiquent pas de société" in text
    # What the user chose survives the refusal.
    assert read_form(client.get(url + "?page=2").text).fields["c115"] == "create"
    assert count(app, Contact) == 0 and count(app, ImportBatch) == 1


def test_a_card_corrected_in_its_row_is_checked_like_the_form_and_imported_as_corrected(client, app, admin, csrf,
                                                                                       make, entity):
    known = make.contact(make.client_account("Globex", entities=[entity]), "Martin", "Marie",
                         email="marie@globex.fr")
    data = vcf(card("N:Dupnt;Jean", "ORG:Acme", "EMAIL:jean@acme"),
               card("FN:", "TEL:01 02 03 04 05"),  # nothing to name it by: refused for want of a name
               card("N:Autre;Anne", "ORG:Acme"))
    url, html, _form = open_preview(client, csrf, ("a.vcf", data))
    assert "Fiche sans nom" in unescape(row_html(html, 1)) and "E-mail « jean@acme » non importé" in unescape(html)
    editor = client.get(f"{url}/cards/0", headers=HX)
    assert editor.status_code == 200 and 'class="import-card-editor"' in editor.text
    assert 'value="Dupnt"' in editor.text and 'value="Acme"' in editor.text
    assert 'value="jean@acme"' in editor.text  # the refused e-mail, to correct
    # Checked like the form: a last name, a well formed e-mail; what was typed stays.
    refused = client.post(f"{url}/cards/0", headers=HX, data={
        "csrf_token": csrf["token"], "last_name": " ", "first_name": "Jean", "email": "jean@", "org": "Acme"})
    assert refused.status_code == 422
    assert "Ce champ est obligatoire." in refused.text and "Adresse e-mail invalide" in unescape(refused.text)
    assert 'value="jean@"' in refused.text
    # The corrected e-mail is a known contact's: the row becomes a possible duplicate; the company moves the card
    # to another account; the counts and the accounts come along out of band.
    saved = client.post(f"{url}/cards/0", headers=HX, data={
        "csrf_token": csrf["token"], "last_name": "Dupont", "first_name": "Jean", "email": "Marie@Globex.fr",
        "org": "Globex"})
    assert saved.status_code == 200
    row = saved.text[:saved.text.index("</tr>")]
    assert "DUPONT Jean" in row and "corrigée" in row and "doublon possible" in row and "MARTIN Marie" in row
    assert "non importé" not in unescape(row)  # the refused e-mail's remark went with it
    assert 'id="import-summary" hx-swap-oob="true"' in saved.text and "1 doublon possible" in saved.text
    assert "Compte existant : Globex" in saved.text
    # The card without a name, named: importable.
    assert client.post(f"{url}/cards/1", headers=HX, data={
        "csrf_token": csrf["token"], "last_name": "Inconnu", "first_name": "", "email": "", "org": "Acme"}
    ).status_code == 200
    page = client.get(url).text
    assert "Fiche sans nom" not in unescape(row_html(page, 1)) and "INCONNU" in row_html(page, 1)
    fields = read_form(page).fields
    assert fields["c0"] == "skip" and fields["c1"] == "create"
    message = flash_of(client, commit(client, url, {**fields, "c0": "create"}))
    assert message.startswith("Import terminé : 3 créés")
    with app.app_context():
        created = {c.last_name: c for c in db.session.scalars(select(Contact).where(Contact.id != known.id))}
        assert set(created) == {"Dupont", "Inconnu", "Autre"}
        assert created["Dupont"].email == "Marie@Globex.fr" and created["Dupont"].client.name == "Globex"
        assert created["Inconnu"].phone and created["Inconnu"].client.name == "Acme"


def test_a_card_is_corrected_without_javascript_too(client, app, admin, csrf):
    url, _html, form = open_preview(client, csrf, ("a.vcf", many(130)))
    # "Corriger" is a button of the page's form: the page's choices are saved on the way.
    opened = commit(client, url, {**form.fields, "c3": "skip"}, action="edit-120")
    assert opened.status_code == 303 and opened.headers["Location"].endswith("/cards/120")
    page = client.get(opened.headers["Location"])
    assert page.status_code == 200 and "<html" in page.text and 'value="Nom120"' in page.text
    back = client.post(opened.headers["Location"], data={
        "csrf_token": csrf["token"], "last_name": "Cent-Vingt", "first_name": "Paul", "email": "p120@acme.fr",
        "org": "Acme"})
    assert back.status_code == 303 and back.headers["Location"].endswith("?page=2#import-card-120")
    again = client.get(back.headers["Location"]).text
    assert "Fiche corrigée : CENT-VINGT." in unescape(again) and "CENT-VINGT Paul" in row_html(again, 120)
    assert read_form(client.get(url).text).fields["c3"] == "skip"


def test_only_the_users_own_cards_that_can_be_imported_can_be_corrected(client, app, admin, csrf, make, entity,
                                                                       login_as):
    url, _html, _form = open_preview(client, csrf, ("a.vcf", vcf(card("N:Un;Ugo", "ORG:Acme"),
                                                                 card("ORG:Seule SA", "X-ABShowAs:COMPANY"))))
    assert client.get(f"{url}/cards/2", headers=HX).status_code == 404
    assert client.get(f"{url}/cards/1", headers=HX).status_code == 404  # a company's card
    assert client.post(f"{url}/cards/99", data={"csrf_token": csrf["token"], "last_name": "X"}).status_code == 404
    login_as(make.user("AUTRE Olga", role="Administrateur", entities=[entity]))
    gone = client.post(f"{url}/cards/0", data={"csrf_token": csrf["token"], "last_name": "Pirate"})
    assert gone.status_code == 303 and gone.headers["Location"].endswith("/contacts")
    assert client.post(f"{url}/choices", data={"csrf_token": csrf["token"], "c0": "skip"}).status_code == 303
    with app.app_context():
        assert db.session.scalars(select(ImportBatch.choices)).one() is None


def test_the_company_typed_in_a_correction_is_offered_among_the_visible_accounts_only(client, make, entity,
                                                                                      login_as):
    make.client_account("Boulangeries Paul", entities=[entity])
    make.client_account("Boulangerie Cachée", entities=[make.entity("Ailleurs")])
    login_as(make.user("VENTE Victor", role="Commercial", entities=[entity]))
    options = client.get("/contacts/import/clients?org=boulang", headers=HX).text
    assert "Boulangeries Paul" in options and "Cachée" not in unescape(options)


def test_companies_come_20_a_page_those_to_review_first_and_their_account_is_kept_across_pages(client, app, admin,
                                                                                                 csrf, make, entity):
    make.client_account("Boulangeries Paul", entities=[entity])
    data = vcf(*(card(f"N:Nom{i:02d};Paul", f"ORG:Société {i:02d}") for i in range(30)), card("N:Sans;Société"))
    url, html, form = open_preview(client, csrf, ("a.vcf", data))
    assert "Comptes 1 à 20 sur 31" in unescape(html)
    assert 'name="client-key-19"' in html and 'name="client-key-20"' not in html
    # "Importer" refused: the cards without a company need an account; their line comes first.
    refused = client.post(url, data={**form.fields, "action": "commit"})
    assert refused.status_code == 422
    first = refused.text.index('<tr id="import-group-')
    assert refused.text[first:].startswith('<tr id="import-group-30" class="has-error"')
    # The second page of companies, and an account typed there: kept, then used by "Importer".
    moved = commit(client, url, form.fields, action="show:accounts_page=2")
    page2 = client.get(moved.headers["Location"]).text
    assert "Comptes 21 à 31 sur 31" in unescape(page2) and 'name="client-key-29"' in page2
    fields = read_form(page2).fields
    other = next(name for name, value in fields.items() if name.startswith("client-key-") and value == "")
    fields[other.replace("client-key-", "client-other-")] = "Boulangeries Paul"
    assert commit(client, url, fields, action="show:").status_code == 303
    message = flash_of(client, commit(client, url, {"csrf_token": csrf["token"]}))
    assert message.startswith("Import terminé : 31 créés")
    with app.app_context():
        sans = db.session.scalars(select(Contact).where(Contact.last_name == "Sans")).one()
        assert sans.client.name == "Boulangeries Paul"

"""Forms around the list (issue 13): a salesperson's new contact is theirs by default, dialogs carry the live region
that announces errors, and every page of a logged-in user carries the in-page "discard your changes?" dialog."""
import re

from webapp.extensions import db
from webapp.models import Contact

from .conftest import HX


def _selected_owner(html: str) -> str:
    select = re.search(r'<select[^>]*id="owner_id"[^>]*>(.*?)</select>', html, re.S).group(1)
    chosen = [value for value, attrs in re.findall(r'<option value="([^"]*)"([^>]*)>', select) if "selected" in attrs]
    chosen += re.findall(r'<option selected value="([^"]*)"', select)
    return chosen[0] if chosen else "none selected"


def test_a_salespersons_new_contact_is_theirs_by_default(client, make, login_as):
    east = make.entity("Est")
    seller = login_as(make.user("COTILLON Marion", role="Commercial", entities=[east]))
    for headers in (HX, {}):
        response = client.get("/contacts/new", headers=headers)
        assert response.status_code == 200
        assert _selected_owner(response.text) == str(seller.id)


def test_a_manager_or_an_administrator_starts_from_non_affecte(client, make, login_as):
    for role in ("Responsable commercial", "Administrateur"):
        login_as(make.user("BERTRAND Nicolas", role=role))
        response = client.get("/contacts/new", headers=HX)
        assert _selected_owner(response.text) in ("", "none selected"), role


def test_the_default_owner_is_a_choice_the_user_can_undo(client, csrf, make, login_as, app):
    east = make.entity("Est")
    login_as(make.user("COTILLON Marion", role="Commercial", entities=[east]))
    aprool = make.client_account("APROOL", entities=[east])
    response = client.post("/contacts/new", headers={**HX, "X-CSRFToken": csrf["token"]}, data={
        "client_id": str(aprool.id), "last_name": "Blou", "first_name": "Hélène", "function": "DSI", "owner_id": "",
        "country": "FR", "idempotency_key": "k1"})
    assert response.status_code == 200
    with app.app_context():
        assert db.session.scalars(db.select(Contact.owner_id)).one() is None


def test_the_duplicate_keeps_the_source_owner(client, make, login_as):
    east = make.entity("Est")
    login_as(make.user("COTILLON Marion", role="Commercial", entities=[east]))
    other = make.user("PERRIN Nicolas", role="Commercial", entities=[east], password=None)
    source = make.contact(make.client_account("APROOL", entities=[east]), "BRIE", "Alexandre", function="DSI",
                          owner_id=other.id)
    response = client.get(f"/contacts/{source.id}/duplicate", headers=HX)
    assert _selected_owner(response.text) == str(other.id)


def test_dialogs_carry_the_live_region_for_the_error_count(client, make, login_as):
    east = make.entity("Est")
    login_as(make.user("COTILLON Marion", role="Commercial", entities=[east]))
    contact = make.contact(make.client_account("APROOL", entities=[east]), "BRIE", "Alexandre", function="DSI")
    for url in ("/contacts/new", f"/contacts/{contact.id}/edit", f"/contacts/{contact.id}/skills",
                f"/contacts/{contact.id}/tasks/new"):
        response = client.get(url, headers={**HX, "HX-Target": "dialog-slot"})
        assert response.status_code == 200, url
        assert 'aria-live="assertive"' in response.text and "data-form-status" in response.text, url
        assert "1 champ à corriger." in response.text and "{n} champs à corriger." in response.text, url


def test_every_page_of_a_logged_in_user_has_the_discard_dialog_and_its_scripts(client, make, login_as):
    login_as(make.user("COTILLON Marion", role="Commercial"))
    page = client.get("/contacts").text
    assert page.count('id="discard-dialog"') == 1 and '<template id="discard-dialog-template">' in page
    assert "Abandonner vos saisies ?" in page and "Continuer la saisie" in page
    assert "js/dialog-guard.js" in page and "js/form-errors.js" in page
    assert "confirm(" not in page


def test_the_english_interface_translates_the_new_words(client, make, login_as, app):
    user = login_as(make.user("COTILLON Marion", role="Commercial"))
    with app.app_context():
        db.session.get(type(user), user.id).language = "en"
        db.session.commit()
    page = client.get("/contacts").text
    assert "Discard your changes?" in page and "Keep editing" in page
    dialog = client.get("/contacts/new", headers={**HX, "HX-Target": "dialog-slot"}).text
    assert "1 field to correct." in dialog


def test_the_lists_mark_their_shortcut_targets_and_carry_the_list_of_shortcuts(client, make, login_as):
    login_as(make.user("COTILLON Marion", role="Commercial"))
    for url, search in (("/contacts", 'id="q" name="q" data-shortcut="/"'),
                        ("/clients", 'id="client-q" name="q" data-shortcut="/"')):
        page = client.get(url).text
        assert search in page, url
        assert page.count('data-shortcut="n"') == 1, url
        assert '<template id="shortcuts-dialog-template">' in page and "Raccourcis clavier" in page
        assert "js/shortcuts.js" in page

"""Parameter screens and user administration in a real browser: what only a browser shows (in-place editing,
focus after a swap, dialogs, toasts), with no console error, no CSP violation and no serious axe violation."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Sector

pytestmark = pytest.mark.browser


@pytest.fixture
def admin_page(page, make, browser_login):
    """A page logged in as an administrator (every right)."""
    browser_login(page, make.user("ADMIN Alice", role="Administrateur"))
    return page


def test_add_a_skill_then_find_it_in_the_contact_skills_dialog_and_the_list_filter(admin_page, make,
                                                                                   axe_violations):
    page = admin_page
    contact = make.contact(make.client_account("APROOL"), last_name="Blou", first_name="Hélène")
    page.get_by_role("link", name="Ecrans de paramètres").click()
    page.get_by_role("link", name="Environnement / Compétences").click()
    assert axe_violations(page) == []
    add_form = page.locator("#add-form")
    add_form.get_by_label("Compétence").fill("Elixir")
    add_form.get_by_label("Catégorie").select_option(label="Langages")
    add_form.get_by_role("button", name="Ajouter").click()
    expect(page.locator(".toast")).to_contain_text("« Elixir » a été ajoutée.")
    row = page.locator(".param-row", has_text="Elixir")
    expect(row).to_contain_text("Langages")
    expect(row).to_contain_text("Non utilisé")
    # the add form comes back empty with the focus, ready for the next value
    expect(page.locator("#add-form").get_by_label("Compétence")).to_be_focused()
    expect(page.locator("#add-form").get_by_label("Compétence")).to_have_value("")

    # the contact's skills dialog offers it, under its category
    page.goto(f"/contacts/{contact.id}")
    page.get_by_text("Plus d'actions").click()
    page.get_by_role("link", name="Environnement / compétences").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Rechercher une compétence").fill("elix")
    languages = dialog.locator("fieldset", has=page.locator("legend", has_text="Langages"))
    expect(languages.get_by_label("Elixir")).to_be_visible()
    languages.get_by_label("Elixir").check()
    dialog.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("dialog")).to_have_count(0)

    # the list's skill filter finds it too
    page.goto("/contacts")
    page.locator("summary", has_text="Environnement / Compétences").click()
    page.get_by_role("searchbox", name="Rechercher une compétence").fill("elix")
    expect(page.locator("#picker-skill").get_by_label("Elixir")).to_be_visible()

    # and the parameter screen now says it is used
    page.goto("/parameters/skills?q=elixir")
    expect(page.locator(".param-row", has_text="Elixir")).to_contain_text("Utilisé par 1 contact")


def test_rename_reorder_deactivate_and_refused_delete_in_place(admin_page, app, make, axe_violations):
    page = admin_page
    with app.app_context():
        bank = db.session.scalars(select(Sector).where(Sector.label == "Banque")).one()
        bank_id = bank.id
    make.client_account(sector_id=bank_id)
    page.goto("/parameters/sectors")

    page.locator(f"#item-{bank_id}-edit").click()
    editor = page.locator(f"form#item-{bank_id}")
    label = editor.get_by_label("Libellé")
    expect(label).to_be_focused()
    assert axe_violations(page) == []
    label.fill("Banque & Finance")
    label.press("Enter")
    expect(page.locator(f"#item-{bank_id} .param-label")).to_have_text("Banque & Finance")
    expect(page.locator(f"#item-{bank_id}-edit")).to_be_focused()

    # an empty label is refused beside the field, the editor stays open with the focus on it
    page.locator(f"#item-{bank_id}-edit").click()
    page.locator(f"form#item-{bank_id}").get_by_label("Libellé").fill("")
    page.locator(f"form#item-{bank_id}").get_by_role("button", name="Enregistrer").click()
    expect(page.locator(f"form#item-{bank_id} .field-error")).to_have_text("Saisissez un libellé.")
    expect(page.locator(f"form#item-{bank_id}").get_by_label("Libellé")).to_be_focused()
    page.locator(f"form#item-{bank_id}").get_by_role("link", name="Annuler").click()
    expect(page.locator(f"#item-{bank_id}-edit")).to_be_focused()

    labels = page.locator("#items > .param-list > li > .param-row .param-label")
    before = labels.all_inner_texts()
    page.locator(f"#item-{bank_id}-up").click()
    position = before.index("Banque & Finance")
    expected = before[:position - 1] + ["Banque & Finance", before[position - 1]] + before[position + 1:]
    expect(labels).to_have_text(expected)
    expect(page.locator(f"#item-{bank_id}-up")).to_be_focused()

    page.locator(f"#item-{bank_id}-active").click()
    expect(page.locator(f"#item-{bank_id}")).to_contain_text("Inactif")
    expect(page.locator(f"#item-{bank_id}-active")).to_have_text(re.compile("Réactiver"))

    page.locator(f"#item-{bank_id}-delete").click()
    dialog = page.get_by_role("dialog", name="Supprimer « Banque & Finance »")
    expect(dialog.get_by_role("alert")).to_have_text(
        "Impossible de supprimer « Banque & Finance » : utilisé par 1 compte client. Désactivez-le plutôt.")
    assert axe_violations(page) == []
    dialog.locator(".form-actions").get_by_role("button", name="Fermer").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.locator(f"#item-{bank_id}-delete")).to_be_focused()


def test_delete_confirmed_in_an_in_page_dialog_not_the_browsers(admin_page, app, axe_violations):
    page = admin_page
    browser_dialogs = []
    page.on("dialog", lambda dialog: (browser_dialogs.append(dialog.message), dialog.dismiss()))
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto("/parameters/sectors")
    row = page.locator(".param-row", has_text="Agroalimentaire")
    item_id = row.get_attribute("id").removeprefix("item-")

    page.locator(f"#item-{item_id}-delete").click()
    dialog = page.get_by_role("dialog", name="Supprimer « Agroalimentaire »")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Supprimer définitivement « Agroalimentaire »")
    assert axe_violations(page) == []
    page.screenshot(path="/tmp/details-param-dialog-1440.png")
    dialog.get_by_role("button", name="Annuler").click()  # nothing deleted
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.locator(f"#item-{item_id}")).to_be_visible()
    expect(page.locator(f"#item-{item_id}-delete")).to_be_focused()

    page.locator(f"#item-{item_id}-delete").click()
    page.get_by_role("dialog").get_by_role("button", name="Supprimer", exact=True).click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.locator(".toast")).to_contain_text("« Agroalimentaire » a été supprimé.")
    expect(page.locator(f"#item-{item_id}")).to_have_count(0)
    with app.app_context():
        assert db.session.scalars(select(Sector).where(Sector.label == "Agroalimentaire")).first() is None
    assert browser_dialogs == [] and errors == []


def test_user_dialog_create_with_an_error_then_saved(admin_page, axe_violations):
    page = admin_page
    page.get_by_role("link", name="Utilisateurs").click()
    page.wait_for_load_state()  # htmx has read the page: before that, the link opens the page without a script
    opener = page.get_by_role("link", name="Nouvel utilisateur")
    opener.click()
    dialog = page.get_by_role("dialog", name="Nouvel utilisateur")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Nom", exact=True)).to_be_focused()
    assert axe_violations(page) == []
    dialog.get_by_label("Nom", exact=True).fill("Durand")
    dialog.get_by_label("Prénom").fill("Paul")
    dialog.get_by_label("Adresse e-mail").fill("pas-une-adresse")
    dialog.get_by_label("Commercial", exact=True).check()
    dialog.get_by_role("button", name="Enregistrer").click()
    expect(dialog.locator("#email-error")).to_have_text("Cette adresse e-mail n'est pas valide.")
    expect(dialog.get_by_label("Adresse e-mail")).to_be_focused()
    expect(dialog.get_by_label("Prénom")).to_have_value("Paul")
    dialog.get_by_label("Adresse e-mail").fill("paul.durand@example.com")
    dialog.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.locator(".toast")).to_contain_text("DURAND Paul")
    expect(page.locator("#users-results")).to_contain_text("paul.durand@example.com")
    expect(opener).to_be_focused()

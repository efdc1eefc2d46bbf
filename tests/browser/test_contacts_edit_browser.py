"""Adding through the dialog, fixing a validation error, editing in place, and a conflict between two users."""
import re

from playwright.sync_api import expect


def _desk(make):
    east = make.entity("Est")
    user = make.user("COTILLON Marion", entities=[east])
    aprool = make.client_account("APROOL", entities=[east])
    make.contact(aprool, "BRIE", "Alexandre", function="Consultant")
    return user


def test_add_a_contact_through_the_dialog_after_fixing_an_error(page, make, browser_login, axe_violations):
    browser_login(page, _desk(make))
    opener = page.get_by_role("link", name=re.compile("Ajouter"))
    opener.click()
    dialog = page.get_by_role("dialog", name="Ajout d'un contact")
    expect(dialog).to_be_visible()
    assert axe_violations(page) == []
    dialog.get_by_label("Rechercher un client").fill("apr")
    expect(dialog.locator("#client_id option", has_text="APROOL")).to_have_count(1)
    dialog.locator("#client_id").select_option(label="APROOL")
    dialog.get_by_role("textbox", name="Nom", exact=True).fill("Blou")
    dialog.get_by_label("Prénom").fill("Hélène")
    dialog.get_by_label("Email").fill("helene.blou@")
    dialog.get_by_role("button", name="Enregistrer").click()
    expect(dialog.get_by_text("Saisissez la fonction.")).to_be_visible()
    expect(dialog.get_by_text("Adresse e-mail invalide")).to_be_visible()
    assert dialog.get_by_label("Prénom").input_value() == "Hélène"  # nothing typed is lost
    dialog.get_by_label("Fonction").fill("Chef de projet")
    dialog.get_by_label("Email").fill("helene.blou@aprool.com")
    dialog.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.locator("#toasts")).to_contain_text("Contact BLOU Hélène créé.")
    expect(page.locator("#contacts-rows tr")).to_have_count(2)
    expect(page.locator("#contacts-count")).to_have_text("2")
    expect(opener).to_be_focused()


def test_escape_closes_the_dialog_and_focus_returns(page, make, browser_login):
    browser_login(page, _desk(make))
    opener = page.get_by_role("link", name=re.compile("Ajouter"))
    opener.click()
    expect(page.get_by_role("dialog")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(opener).to_be_focused()


def test_edit_function_in_place_then_cancel_with_escape(page, make, browser_login):
    browser_login(page, _desk(make))
    cell = page.locator("#contacts-rows tr").first.locator("td[data-field=function]")
    cell.click()
    editor = page.get_by_label(re.compile("^Fonction — BRIE"))
    expect(editor).to_be_focused()
    editor.fill("Directeur conseil")
    editor.press("Enter")
    expect(page.locator("#contacts-rows tr").first.locator("td[data-field=function]")).to_have_text("Directeur conseil")
    expect(page.locator("#contacts-rows tr").first.locator("td[data-field=function]")).to_be_focused()
    page.keyboard.press("Enter")  # Enter on the focused cell opens it again
    editor = page.get_by_label(re.compile("^Fonction — BRIE"))
    editor.fill("Something else")
    editor.press("Escape")
    expect(page.locator("#contacts-rows tr").first.locator("td[data-field=function]")).to_have_text("Directeur conseil")


def test_conflict_between_two_users(browser, live_server, make, browser_login):
    user = _desk(make)
    other = make.user("BERTRAND Nicolas", entities=user_entities(make, user))
    first_context, second_context = (browser.new_context(base_url=live_server, locale="fr-FR") for _ in range(2))
    try:
        first, second = first_context.new_page(), second_context.new_page()
        browser_login(first, user)
        browser_login(second, other)
        for page in (first, second):
            page.locator("#contacts-rows tr").first.locator("td[data-field=function]").click()
        first.get_by_label(re.compile("^Fonction — BRIE")).fill("DSI")
        first.get_by_label(re.compile("^Fonction — BRIE")).press("Enter")
        expect(first.locator("td[data-field=function]").first).to_have_text("DSI")
        second.get_by_label(re.compile("^Fonction — BRIE")).fill("DAF")
        second.get_by_label(re.compile("^Fonction — BRIE")).press("Enter")
        expect(second.get_by_role("alert")).to_contain_text("Modifié entre-temps par COTILLON Marion")
        expect(second.get_by_role("alert")).to_contain_text("« DSI »")
        second.get_by_label(re.compile("^Fonction — BRIE")).press("Enter")  # saving again applies it knowingly
        expect(second.locator("td[data-field=function]").first).to_have_text("DAF")
    finally:
        first_context.close()
        second_context.close()


def user_entities(make, user):
    from webapp.extensions import db
    from webapp.models import User

    with make.app.app_context():
        return list(db.session.get(User, user.id).entities)

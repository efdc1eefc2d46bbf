"""The record in a real browser: from a filtered list to the record and back to the same filters, a task added
from the row menu, the record's sections refreshed after a dialog's save, the skills search, and axe."""
import re

from playwright.sync_api import expect
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Task
from webapp.phones import to_e164


def _world(make):
    east = make.entity("Est")
    user = make.user("COTILLON Marion", entities=[east])
    aprool = make.client_account("APROOL", entities=[east])
    blou = make.contact(aprool, "BLOU", "Hélène", function="Chef de projet", email="helene.blou@aprool.com",
                        phone="01.20.35.99.65", phone_e164=to_e164("01.20.35.99.65"))
    make.contact(aprool, "BRIE", "Alexandre", function="Consultant")
    make.contact(aprool, "DAROIN", "Elise", function="Chef de projet")
    return user, blou


def test_from_a_filtered_list_to_the_record_and_back(page, make, browser_login, axe_violations):
    user, blou = _world(make)
    browser_login(page, user)
    search = page.get_by_label("Rechercher", exact=True)
    search.click()
    search.press_sequentially("chef", delay=30)
    page.wait_for_url(re.compile(r"q=chef"))
    expect(page.locator("#contacts-rows tr")).to_have_count(2)
    page.locator("#contacts-rows").get_by_role("link", name="BLOU", exact=True).click()
    page.wait_for_url(re.compile(rf"/contacts/{blou.id}"))
    assert page.get_by_role("heading", level=1).inner_text().split() == ["Fiche", "Contact", "Client", "BLOU", "Hélène"]
    assert "Actif | APROOL | Contact non affecté" in page.locator("#record-status").inner_text()
    assert axe_violations(page) == []

    page.get_by_role("link", name="Liste des contacts clients").click()
    page.wait_for_url(re.compile(r"/contacts\?q=chef$"))
    assert page.locator("#contacts-rows tr").count() == 2
    assert page.get_by_label("Rechercher", exact=True).input_value() == "chef"


def test_add_a_task_from_the_row_menu(page, app, make, browser_login):
    user, blou = _world(make)
    browser_login(page, user)
    page.get_by_label("Plus d'actions pour BLOU Hélène").click()
    entry = page.locator(f"#contact-{blou.id}").get_by_role("link", name="Ajouter une tâche")
    entry.click()
    dialog = page.locator("dialog[open]")
    dialog.wait_for()
    assert dialog.get_by_role("heading").inner_text() == "Ajouter une tâche · BLOU Hélène"
    dialog.get_by_role("button", name="Enregistrer").click()  # empty: errors come back in the dialog
    dialog.get_by_text("Saisissez le nom de la tâche.").wait_for()
    expect(page.locator("#name")).to_be_focused()  # the first field in error
    dialog.get_by_label("Nom de la tâche").fill("Rendez-vous physique")
    dialog.get_by_label("Date et heure").fill("2025-03-10T11:15")
    dialog.get_by_label("Type").select_option(label="Rendez-vous")
    dialog.get_by_role("button", name="Enregistrer").click()
    page.locator("dialog").wait_for(state="detached")
    page.get_by_text("La tâche « Rendez-vous physique » a été ajoutée.").wait_for()
    with app.app_context():
        task = db.session.scalars(select(Task)).one()
        assert (task.name, task.contact_id, task.assignee_id) == ("Rendez-vous physique", blou.id, user.id)


def test_the_record_refreshes_after_a_dialog_and_the_skills_search_filters(page, make, browser_login,
                                                                           axe_violations):
    user, blou = _world(make)
    browser_login(page, user)
    page.goto(f"/contacts/{blou.id}")
    page.evaluate("window.__marker = 'same page'")
    page.locator("#record-add-task").click()
    dialog = page.locator("dialog[open]")
    dialog.wait_for()
    assert axe_violations(page) == []
    dialog.get_by_label("Nom de la tâche").fill("Appel de suivi")
    dialog.get_by_label("Date et heure").fill("2025-03-10T11:15")
    dialog.get_by_role("button", name="Enregistrer").click()
    page.locator("dialog").wait_for(state="detached")
    page.locator("#record-tasks").get_by_text("Appel de suivi").wait_for()
    assert "1 élément - 1/1 - 200" in page.locator("#task-pager").inner_text()
    assert "10/03/2025 à 11:15" in page.locator("#record-tasks").inner_text()
    assert page.evaluate("window.__marker") == "same page"

    page.get_by_role("link", name="Nom de la tâche").click()  # sorting stays on the page
    page.wait_for_url(re.compile(r"tsort=name"))
    assert page.evaluate("window.__marker") == "same page"

    page.locator("#record-more-actions").click()
    page.get_by_role("link", name="Environnement / compétences").click()
    dialog = page.locator("dialog[open]")
    dialog.wait_for()
    search = dialog.get_by_label("Rechercher une compétence")
    search.fill("pyth")
    assert dialog.get_by_label("Python").is_visible() and not dialog.get_by_label("Java", exact=True).is_visible()
    dialog.get_by_label("Python").check()
    search.fill("sap")
    dialog.get_by_label("SAP").check()
    dialog.get_by_role("button", name="Enregistrer").click()
    page.locator("dialog").wait_for(state="detached")
    page.locator("#record-sections .skill-tags").get_by_text("SAP").wait_for()
    assert page.locator("#record-sections .skill-tags li").all_inner_texts() == ["Python", "SAP"]
    assert axe_violations(page) == []


def test_the_pencil_opens_the_edit_dialog_and_the_list_has_no_inline_svg(page, make, browser_login):
    user, blou = _world(make)
    browser_login(page, user)
    page.set_viewport_size({"width": 1440, "height": 900})
    assert page.locator("#contacts-rows svg").count() == 0
    icon = page.get_by_label("Visualiser BLOU Hélène")
    assert "icons/eye.svg" in icon.evaluate("el => getComputedStyle(el).backgroundImage")
    page.screenshot(path="/tmp/weight-list-1440.png")
    page.get_by_label("Mettre à jour BLOU Hélène").click()
    dialog = page.locator("dialog[open]")
    dialog.wait_for()
    expect(dialog.locator("input[name=last_name]")).to_have_value("BLOU")
    assert page.url.endswith("/contacts")  # the dialog does not change the address

"""Live filtering in a real browser: typing updates the rows and the URL without a reload; Back restores."""
import re

from playwright.sync_api import expect

from webapp.phones import to_e164


def _world(make, more_accounts=()):
    east = make.entity("Est")
    user = make.user("COTILLON Marion", entities=[east])
    for name, last_name in more_accounts:
        make.contact(make.client_account(name, entities=[east]), last_name, "Emile")
    aprool = make.client_account("APROOL", entities=[east])
    make.contact(aprool, "BLOU", "Hélène", function="Chef de projet", phone="01.20.35.99.65",
                 phone_e164=to_e164("01.20.35.99.65"))
    make.contact(aprool, "BRIE", "Alexandre", function="Consultant")
    make.contact(aprool, "DAROIN", "Elise", function="Chef de projet")
    return user


def test_typing_filters_live_and_back_restores(page, make, browser_login, axe_violations):
    browser_login(page, _world(make))
    rows = page.locator("#contacts-rows tr")
    assert rows.count() == 3
    page.evaluate("window.__marker = 'same page'")  # disappears if the page reloads
    search = page.get_by_label("Rechercher", exact=True)
    search.click()
    search.press_sequentially("helene", delay=30)
    page.wait_for_url(re.compile(r"q=helene"))
    assert rows.count() == 1 and "BLOU" in rows.first.inner_text()
    assert page.locator("#contacts-count").inner_text().strip() == "1"
    assert page.evaluate("window.__marker") == "same page"
    assert page.evaluate("document.activeElement.id") == "q"  # the caret stays in the search box
    assert axe_violations(page) == []

    page.go_back()
    page.wait_for_url(re.compile(r"/contacts$"))
    page.locator("#contacts-rows tr").nth(2).wait_for()
    assert page.locator("#contacts-rows tr").count() == 3
    assert page.get_by_label("Rechercher", exact=True).input_value() == ""
    # Back reloaded the page (no history kept in localStorage); htmx hears Forward once that page is ready.
    page.wait_for_load_state("load")

    page.go_forward()
    page.wait_for_url(re.compile(r"q=helene"))
    expect(page.locator("#contacts-rows tr")).to_have_count(1)
    assert page.get_by_label("Rechercher", exact=True).input_value() == "helene"


def test_sorting_by_a_header_and_a_filter_checkbox(page, make, browser_login):
    browser_login(page, _world(make))
    page.get_by_role("link", name="Nom", exact=True).click()
    page.wait_for_url(re.compile(r"sort=last_name"))
    page.get_by_role("link", name=re.compile(r"^Nom")).click()
    page.wait_for_url(re.compile(r"sort=-last_name"))
    expect(page.locator("#contacts-rows tr").first).to_contain_text("DAROIN")
    page.get_by_label("Rechercher", exact=True).fill("chef")
    page.wait_for_url(re.compile(r"q=chef.*sort=-last_name|sort=-last_name.*q=chef"))
    assert page.locator("#contacts-rows tr").count() == 2


def test_a_filter_loads_its_choices_when_it_opens(page, make, browser_login):
    browser_login(page, _world(make, more_accounts=[("BOULANGERIES PAUL", "ZOLA")]))
    rows = page.locator("#contacts-rows tr")
    expect(rows).to_have_count(4)
    assert page.locator("#picker-entity input").count() == 0
    page.locator("summary", has_text="Entités").click()
    expect(page.locator("#picker-entity").get_by_label("Est", exact=True)).to_be_visible()
    picker = page.locator("#picker-client")
    assert "BOULANGERIES PAUL" not in picker.inner_text()  # nothing read before it opens
    page.locator("summary", has_text="Client").first.click()
    picker.get_by_label("BOULANGERIES PAUL").check()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("ZOLA")
    page.wait_for_url(re.compile(r"client=\d+"))
    # The page opened on that URL shows the checked account in its filter, open.
    page.reload()
    expect(page.locator("#picker-client").get_by_label("BOULANGERIES PAUL")).to_be_checked()
    expect(rows).to_have_count(1)


def test_deleting_a_saved_view_asks_in_a_dialog(page, make, browser_login):
    browser_login(page, _world(make))
    page.get_by_label("Rechercher", exact=True).fill("chef")
    page.wait_for_url(re.compile(r"q=chef"))
    page.locator("#view-switcher summary").click()
    page.get_by_role("link", name="Enregistrer la vue actuelle…").click()
    page.locator("dialog[open]").get_by_label("Nom de la vue").fill("Chefs de projet")
    page.locator("dialog[open]").get_by_role("button", name="Enregistrer").click()
    page.locator("dialog[open]").wait_for(state="detached")
    page.goto("/contacts/views")
    page.get_by_role("link", name="Supprimer la vue Chefs de projet").click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_contain_text("Supprimer la vue « Chefs de projet » ?")
    dialog.get_by_role("button", name="Annuler").click()
    expect(page.locator("dialog[open]")).to_have_count(0)
    expect(page.get_by_role("link", name="Chefs de projet", exact=True)).to_be_visible()  # nothing deleted
    page.get_by_role("link", name="Supprimer la vue Chefs de projet").click()
    page.locator("dialog[open]").get_by_role("button", name="Supprimer la vue").click()
    expect(page.locator("main")).to_contain_text("Vue « Chefs de projet » supprimée.")
    expect(page.get_by_role("link", name="Chefs de projet", exact=True)).to_have_count(0)

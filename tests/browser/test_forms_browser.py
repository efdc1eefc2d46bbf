"""Forms, shortcuts and views in the browser (issue 13): the first field in error focused and counted aloud, the
buttons in view, the discard question before losing typed changes, the keyboard shortcuts, the view switcher."""
import os
import re

import pytest
from playwright.sync_api import expect


@pytest.fixture
def desk(make):
    east = make.entity("Est")
    user = make.user("COTILLON Marion", entities=[east])
    aprool = make.client_account("APROOL", entities=[east])
    make.contact(aprool, "BRIE", "Alexandre", function="Consultant", owner_id=user.id)
    make.contact(aprool, "BLOU", "Hélène", function="DSI")
    return user


def _shot(page, name: str) -> None:
    """A screenshot to look at, when SCREENSHOT_DIR says where (caret left alone: hiding it injects a style)."""
    if os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=os.path.join(os.environ["SCREENSHOT_DIR"], f"{name}.png"), caret="initial")


def _inside_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= size["height"] and box["x"] >= 0 \
        and box["x"] + box["width"] <= size["width"]


@pytest.mark.parametrize("size", [(1440, 900), (390, 844)])
def test_an_empty_add_form_focuses_the_first_field_in_error_and_counts_them(page, desk, browser_login, size):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    browser_login(page, desk)
    page.get_by_role("link", name=re.compile("Ajouter")).click()
    dialog = page.get_by_role("dialog", name="Ajout d'un contact")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Affecté à")).to_have_value(str(desk.id))  # a salesperson's contact is theirs
    save = dialog.get_by_role("button", name="Enregistrer")
    assert _inside_viewport(page, save)  # the footer stays in view before any scrolling
    save.click()
    expect(dialog.get_by_text("Saisissez le nom.")).to_be_visible()
    expect(dialog.locator("#client_id")).to_be_focused()
    assert _inside_viewport(page, dialog.locator("#client_id"))
    expect(dialog.locator("[data-form-status]")).to_have_text(
        "Le formulaire n’a pas été enregistré : 4 champs à corriger.")
    assert _inside_viewport(page, save)
    _shot(page, f"views-add-errors-{size[0]}")
    # Fixing the first leaves the next one in error to the focus on the next try.
    dialog.get_by_label("Rechercher un client").fill("apr")
    expect(dialog.locator("#client_id option", has_text="APROOL")).to_have_count(1)
    dialog.locator("#client_id").select_option(label="APROOL")
    dialog.get_by_role("textbox", name="Nom", exact=True).fill("Durand")
    save.click()
    expect(dialog.get_by_label("Prénom")).to_be_focused()
    expect(dialog.locator("[data-form-status]")).to_have_text(
        "Le formulaire n’a pas été enregistré : 2 champs à corriger.")
    expect(dialog.get_by_role("textbox", name="Nom", exact=True)).to_have_value("Durand")


def test_closing_a_dialog_with_typed_changes_asks_first(page, desk, browser_login, axe_violations):
    browser_login(page, desk)
    opener = page.get_by_role("link", name=re.compile("Ajouter"))
    opener.click()
    dialog = page.get_by_role("dialog", name="Ajout d'un contact")
    dialog.get_by_role("textbox", name="Nom", exact=True).fill("Durand")
    page.keyboard.press("Escape")
    guard = page.get_by_role("dialog", name="Abandonner vos saisies ?")
    expect(guard).to_be_visible()
    expect(guard.get_by_role("button", name="Continuer la saisie")).to_be_focused()
    assert axe_violations(page) == []
    _shot(page, "views-discard-1440")
    guard.get_by_role("button", name="Continuer la saisie").click()
    expect(guard).to_be_hidden()
    expect(dialog.get_by_role("textbox", name="Nom", exact=True)).to_have_value("Durand")
    for closer in (dialog.get_by_role("button", name="Fermer"), dialog.get_by_role("button", name="Annuler")):
        closer.click()
        expect(guard).to_be_visible()
        page.keyboard.press("Escape")  # Esc on the question keeps the typing
        expect(guard).to_be_hidden()
        expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Annuler").click()
    guard.get_by_role("button", name="Abandonner").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(opener).to_be_focused()
    # An untouched dialog closes at once.
    opener.click()
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(guard).to_be_hidden()


def test_keyboard_shortcuts_search_add_and_list_never_while_typing(page, desk, browser_login, axe_violations):
    browser_login(page, desk)
    search = page.get_by_role("searchbox", name="Rechercher")
    page.locator("h1").click()
    page.keyboard.press("/")
    expect(search).to_be_focused()
    expect(search).to_have_value("")  # the "/" itself is not typed
    page.keyboard.type("n/?")  # typing in a field: the keys are text, no shortcut
    expect(search).to_have_value("n/?")
    expect(page.get_by_role("dialog")).to_have_count(0)
    page.locator("h1").click()
    page.keyboard.down("Alt")
    page.keyboard.press("n")
    page.keyboard.up("Alt")
    expect(page.get_by_role("dialog")).to_have_count(0)  # with a modifier: nothing
    page.keyboard.press("n")
    dialog = page.get_by_role("dialog", name="Ajout d'un contact")
    expect(dialog).to_be_visible()
    page.keyboard.press("?")  # under an open dialog: nothing
    expect(page.get_by_role("dialog", name="Raccourcis clavier")).to_have_count(0)
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    page.keyboard.press("?")
    shortcuts = page.get_by_role("dialog", name="Raccourcis clavier")
    expect(shortcuts).to_be_visible()
    expect(shortcuts).to_contain_text("Aller à la recherche")
    assert axe_violations(page) == []
    _shot(page, "views-shortcuts-1440")
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)


@pytest.mark.parametrize("size", [(1440, 900), (390, 844)])
def test_the_view_switcher_counts_saves_and_follows_the_filters(page, desk, browser_login, axe_violations, size):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    browser_login(page, desk)
    switcher = page.locator("#view-switcher")
    expect(switcher.locator("#view-name")).to_have_text("Tous les contacts")
    switcher.locator("summary").click()
    menu = switcher.locator(".view-menu")
    expect(menu.locator("a", has_text="Mes contacts").locator(".view-count")).to_have_text("1")
    expect(menu.locator("a", has_text="Tous les contacts").locator(".view-count")).to_have_text("2")
    expect(menu.locator("a[aria-current=true]")).to_have_text(re.compile("Tous les contacts"))
    assert _inside_viewport(page, menu)
    assert axe_violations(page) == []
    _shot(page, f"views-switcher-{size[0]}")
    page.keyboard.press("Escape")
    expect(switcher).not_to_have_attribute("open", "")
    search = page.get_by_role("searchbox", name="Rechercher")
    if search.is_visible():
        search.fill("dsi")
    else:  # on a phone the filters are in a drawer: open the URL a filter would give
        page.goto("/contacts?q=dsi")
    expect(page.locator("#contacts-count")).to_have_text("1")
    expect(switcher.locator("#view-name")).to_have_text("Vue non enregistrée")
    switcher.locator("summary").click()
    menu.get_by_role("link", name="Enregistrer la vue actuelle…").click()
    dialog = page.get_by_role("dialog", name="Enregistrer la vue")
    dialog.get_by_label("Nom de la vue").fill("Les DSI")
    dialog.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(re.compile(r"/contacts\?q=dsi$"))
    expect(page.locator(".flash")).to_contain_text("Vue « Les DSI » enregistrée.")
    expect(switcher.locator("#view-name")).to_have_text("Les DSI")
    switcher.locator("summary").click()
    expect(menu.locator("a", has_text="Les DSI").locator(".view-count")).to_have_text("1")
    menu.get_by_role("link", name=re.compile("Mes contacts")).click()
    page.wait_for_url(re.compile(r"assigned="))
    expect(switcher.locator("#view-name")).to_have_text("Mes contacts")
    expect(page.locator("#contacts-count")).to_have_text("1")
    page.go_back()
    expect(switcher.locator("#view-name")).to_have_text("Les DSI")
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth") or size[0] < 1000

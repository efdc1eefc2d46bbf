"""The contacts list on a phone (390×844 and 360×740): no sideways scroll, the header behind a menu button, the
results first as cards with call and mail links, the filters in a drawer with their count, menus in view."""
import re

import pytest
from playwright.sync_api import expect

from webapp.phones import to_e164

from ..conftest import PASSWORD

PHONES = [(390, 844), (360, 740)]


def _world(make, contacts=12):
    east = make.entity("Est")
    user = make.user("COTILLON Marion", entities=[east])
    aprool = make.client_account("APROOL", entities=[east], owner=user)
    make.contact(aprool, "BLOU", "Hélène", function="Chef de projet", email="helene.blou@aprool.com",
                 phone="01.20.35.99.65", phone_e164=to_e164("01.20.35.99.65"), mobile="06 25 34 12 57",
                 mobile_e164=to_e164("06 25 34 12 57"), owner_id=user.id)
    for n in range(contacts - 1):
        make.contact(aprool, f"CONTACT{n:02d}", "Jean", function="Consultant", email=f"jean{n}@aprool.com",
                     phone="01 42 68 53 00", phone_e164=to_e164("01 42 68 53 00"))
    return user


def _at(page, size):
    page.set_viewport_size({"width": size[0], "height": size[1]})


def _no_sideways_scroll(page):
    width, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert width <= inner, f"the page is {width} px wide in a {inner} px window"


def _inside_viewport(page, locator):
    box = locator.bounding_box()
    width, height = page.evaluate("[innerWidth, innerHeight]")
    assert box is not None
    assert box["x"] >= 0 and box["y"] >= 0, box
    assert box["x"] + box["width"] <= width + 0.5 and box["y"] + box["height"] <= height + 0.5, (box, width, height)


@pytest.mark.parametrize("size", PHONES, ids=["390x844", "360x740"])
def test_the_list_on_a_phone_is_cards_first_with_call_links(page, make, browser_login, axe_violations, size):
    _at(page, size)
    browser_login(page, _world(make))
    _no_sideways_scroll(page)
    # The title on its own line, the view switcher, the filters button and Ajouter side by side under it.
    title = page.locator(".page-head h1").bounding_box()
    controls = [page.locator(selector).bounding_box() for selector in
                ("#view-switcher summary", "#filters-fold button", "#page-actions a")]
    assert all(box["y"] >= title["y"] + title["height"] - 0.5 for box in controls), (title, controls)
    assert max(box["y"] for box in controls) - min(box["y"] for box in controls) < 4, controls
    assert all(a["x"] + a["width"] <= b["x"] for a, b in zip(controls, controls[1:])), controls

    first = page.locator("#contacts-rows tr").first
    box = first.bounding_box()
    assert box["y"] + box["height"] <= size[1], "the first card is not on the first screen"
    expect(first).to_contain_text("BLOU")
    expect(first).to_contain_text("APROOL")
    expect(first).to_contain_text("Chef de projet")
    expect(first).to_contain_text("COTILLON Marion")
    # One tap calls the mobile (else the phone) or writes an e-mail.
    assert first.locator('a[href="tel:+33625341257"]').is_visible()
    assert first.locator('a[href="mailto:helene.blou@aprool.com"]').is_visible()
    assert page.locator("#contacts-rows tr").nth(1).locator('a[href="tel:+33142685300"]').is_visible()
    # A thumb can hit every link and button of the card.
    for target in first.locator("a:visible, button:visible, summary:visible, input:visible").all():
        target_box = target.bounding_box()
        assert target_box["height"] >= 44 or target.evaluate("e => e.matches('td > a')"), \
            (target.evaluate("e => e.outerHTML.slice(0, 80)"), target_box)
    # The filters sit after the results, out of the way until the drawer opens.
    assert not page.locator("#filters").is_visible()
    assert axe_violations(page) == []

    # The row menu of the last card opens fully in view.
    last = page.locator("#contacts-rows tr").last
    last.scroll_into_view_if_needed()
    last.get_by_label(re.compile("Plus d'actions")).click()
    menu = last.locator(".row-menu .menu")
    expect(menu).to_contain_text("Ajouter une tâche")
    _inside_viewport(page, menu)
    _no_sideways_scroll(page)


@pytest.mark.parametrize("size", PHONES, ids=["390x844", "360x740"])
def test_the_header_folds_into_a_menu(page, make, browser_login, size):
    _at(page, size)
    browser_login(page, _world(make, contacts=2))
    logout = page.get_by_role("button", name="Se déconnecter")
    toggle = page.get_by_role("button", name="Menu")
    expect(logout).to_be_hidden()
    _inside_viewport(page, toggle)
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(logout).to_be_visible()
    _inside_viewport(page, page.locator("#site-menu"))
    _inside_viewport(page, page.get_by_role("button", name="English"))
    page.keyboard.press("Escape")
    expect(logout).to_be_hidden()
    expect(toggle).to_be_focused()
    _no_sideways_scroll(page)


def test_the_filters_open_in_a_drawer_with_their_count(page, make, browser_login, axe_violations):
    _at(page, PHONES[0])
    browser_login(page, _world(make))
    page.goto("/contacts?q=e&active=all")
    button = page.locator(".filters-toggle")
    expect(page.locator("#filters-count")).to_have_text(re.compile(r"^2\b"))
    expect(button).to_have_attribute("aria-expanded", "false")
    button.click()
    drawer = page.locator("#filters")
    expect(drawer).to_be_visible()
    _inside_viewport(page, page.get_by_role("button", name="Voir les résultats"))
    expect(page.get_by_label("Rechercher", exact=True)).to_be_focused()
    assert axe_violations(page) == []

    page.get_by_label("Contacts", exact=True).select_option("active")
    expect(page.locator("#filters-count")).to_have_text(re.compile(r"^1\b"))  # the results answered behind
    page.get_by_role("button", name="Voir les résultats").click()
    expect(drawer).to_be_hidden()
    expect(button).to_be_focused()
    _no_sideways_scroll(page)


def test_the_cards_are_sorted_from_the_drawer(page, make, browser_login, axe_violations):
    """The cards have no column header: "Trier par" in the drawer orders them, and says the order the URL holds."""
    _at(page, PHONES[1])
    browser_login(page, _world(make, contacts=4))
    names = page.locator("#contacts-rows tr td[data-field=last_name]")
    page.locator(".filters-toggle").click()
    sort = page.get_by_label("Trier par")
    expect(sort).to_have_value("company")
    sort.select_option(label="Nom, décroissant")
    expect(names.first).to_have_text("CONTACT02")
    page.get_by_role("button", name="Voir les résultats").click()
    assert "sort=-last_name" in page.url
    assert axe_violations(page) == []
    page.reload()
    expect(names.first).to_have_text("CONTACT02")
    expect(names.last).to_have_text("BLOU")
    page.locator(".filters-toggle").click()
    expect(page.get_by_label("Trier par")).to_have_value("-last_name")


def test_without_javascript_the_phone_list_still_works(browser, live_server, make):
    """The menu is a link to #site-menu, the filters follow the results; nothing needs a script."""
    user = _world(make, contacts=3)
    context = browser.new_context(base_url=live_server, locale="fr-FR", java_script_enabled=False,
                                  viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto("/login")
        page.get_by_label("Adresse e-mail").fill(user.email)
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(re.compile(r"/contacts"))
        _no_sideways_scroll(page)
        assert page.locator("#contacts-rows tr").first.bounding_box()["y"] < page.locator("#filters").bounding_box()["y"]
        expect(page.get_by_role("button", name="Se déconnecter")).to_be_hidden()
        page.get_by_role("link", name="Menu").click()
        expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    finally:
        context.close()


def test_on_a_wide_screen_the_filters_fold_away_and_stay_folded(page, make, browser_login, axe_violations):
    page.set_viewport_size({"width": 1440, "height": 900})
    browser_login(page, _world(make, contacts=3))
    panel, button = page.locator("#filters"), page.locator(".filters-toggle")
    expect(panel).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "true")
    first_left = page.locator("#contacts-rows tr").first.bounding_box()["x"]
    with page.expect_response(lambda r: "/account/preferences/contacts.filters_folded" in r.url) as answer:
        button.click()
    assert answer.value.status == 204
    expect(panel).to_be_hidden()
    expect(button).to_have_attribute("aria-expanded", "false")
    assert page.locator("#contacts-rows tr").first.bounding_box()["x"] < first_left  # the list takes the room
    assert axe_violations(page) == []

    page.reload()
    expect(panel).to_be_hidden()
    button.click()
    expect(panel).to_be_visible()
    page.wait_for_load_state("networkidle")
    page.reload()
    expect(panel).to_be_visible()
    # On a wide screen the card's call links and the drawer's buttons stay out of the way.
    expect(page.locator("#contacts-rows td.row-actions > p").first).to_be_hidden()
    expect(page.get_by_role("button", name="Voir les résultats")).to_be_hidden()


def _thumb_sized(locator):
    box = locator.bounding_box()
    assert box["height"] >= 44, (locator, box)


@pytest.mark.parametrize("size", PHONES, ids=["390x844", "360x740"])
def test_the_record_and_the_add_dialog_on_a_phone(page, make, browser_login, axe_violations, size):
    _at(page, size)
    browser_login(page, _world(make, contacts=2))
    page.locator("#contacts-rows").get_by_role("link", name="BLOU", exact=True).click()
    page.wait_for_url(re.compile(r"/contacts/\d+$"))
    _no_sideways_scroll(page)
    expect(page.locator('.facts a[href="tel:+33625341257"]')).to_be_visible()
    assert axe_violations(page) == []  # among them scrollable-region-focusable, once seen on the history

    page.goto("/contacts")
    page.get_by_role("link", name=re.compile("Ajouter")).click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_be_visible()
    box = dialog.bounding_box()
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, size[0], size[1])  # the whole screen
    _no_sideways_scroll(page)
    save = dialog.get_by_role("button", name="Enregistrer")
    _inside_viewport(page, save)  # the buttons stay at the bottom of the screen, before and after errors
    _thumb_sized(save)
    save.click()
    expect(dialog.locator(".field-error").first).to_be_visible()
    _inside_viewport(page, dialog.get_by_role("button", name="Enregistrer"))
    assert axe_violations(page) == []


def test_the_import_preview_on_a_phone(page, make, browser_login, axe_violations):
    from .test_vcf_import_browser import DROP, FIRST, SECOND

    _at(page, PHONES[0])
    entity = make.entity("Est")
    user = make.user("COTILLON Marion", role="Administrateur", entities=[entity])
    make.client_account("Boulangeries Paul", entities=[entity])
    browser_login(page, user)
    page.evaluate(DROP, ["#vcf-dropzone .vcf-target", [["premier.vcf", FIRST], ["second.vcf", SECOND]]])
    page.wait_for_url(re.compile(r"/contacts/import/[\w-]+$"))
    _no_sideways_scroll(page)
    for select in page.locator(".import-cards select, .import-groups select").all():
        select.scroll_into_view_if_needed()
        _inside_viewport(page, select)
        _thumb_sized(select)
    importer = page.get_by_role("button", name="Importer", exact=True)
    importer.scroll_into_view_if_needed()
    _thumb_sized(importer)
    assert axe_violations(page) == []


def test_the_other_screens_do_not_scroll_sideways_on_a_phone(page, make, browser_login):
    entity = make.entity("Est")
    admin = make.user("COTILLON Marion", role="Administrateur", entities=[entity])
    make.user("BERTHELOT-DELACROIX Jean-Christophe", email="jean-christophe.berthelot-delacroix@example.com",
              entities=[entity])
    account = make.client_account("APROOL", entities=[entity], owner=admin)
    make.contact(account, "BLOU", "Hélène", email="helene.blou@aprool.com")
    _at(page, PHONES[1])
    browser_login(page, admin)
    for url in ("/clients", "/admin/users", "/parameters", f"/clients/{account.id}"):
        page.goto(url)
        _no_sideways_scroll(page)
    # The account's contacts are cards too, without the list's selection boxes.
    expect(page.locator("#contacts-rows tr").first).to_contain_text("BLOU")
    expect(page.locator("#contacts-rows .select-cell").first).to_be_hidden()

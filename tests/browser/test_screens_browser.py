"""Every screen, not only the list: at a desktop size and on a phone, no sideways scroll, no console error (the
page fixture), and axe finds nothing serious or critical. Full pages only (the pages a link or a no-JS form
opens); the dialogs the list opens are checked in test_layout_browser and test_forms_browser."""
import pytest
from playwright.sync_api import expect

from ..record_support import add_task

SIZES = [pytest.param((1440, 900), id="1440x900"), pytest.param((390, 844), id="390x844")]


@pytest.mark.parametrize("size", SIZES)
def test_every_screen_is_accessible_and_fits(page, make, browser_login, axe_violations, app, size):
    entity = make.entity("Est")
    admin = make.user("COTILLON Marion", role="Administrateur", entities=[entity])
    account = make.client_account("APROOL", entities=[entity], owner=admin)
    contact = make.contact(account, "BLOU", "Hélène", email="helene.blou@aprool.com", function="Chef de projet")
    task_id = add_task(app, contact.id, assignee_id=admin.id)
    page.set_viewport_size({"width": size[0], "height": size[1]})
    browser_login(page, admin)
    screens = [
        "/contacts", f"/contacts/{contact.id}", "/contacts/new", f"/contacts/{contact.id}/edit",
        f"/contacts/{contact.id}/duplicate", f"/contacts/{contact.id}/skills", f"/contacts/{contact.id}/subscriptions",
        f"/contacts/{contact.id}/deals", f"/contacts/{contact.id}/tasks/new", f"/tasks/{task_id}/edit",
        f"/contacts/{contact.id}/opportunities/new", "/contacts/views", "/contacts/import",
        "/contacts/export?q=",
        "/clients", f"/clients/{account.id}", "/clients/new", f"/clients/{account.id}/edit",
        "/parameters", "/parameters/sectors", "/admin/users", "/admin/users/new", f"/admin/users/{admin.id}/edit",
        "/admin/roles",
    ]
    problems = []
    for url in screens:
        response = page.goto(url)
        if response.status != 200:
            problems.append(f"{url}: {response.status}")
            continue
        width, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        if width > inner:
            problems.append(f"{url}: {width} px wide in a {inner} px window")
        problems += [f"{url}: {violation}" for violation in axe_violations(page)]
    assert problems == []


@pytest.mark.parametrize("size", [(768, 1024), (1024, 768)], ids=["768x1024", "1024x768"])
def test_on_a_tablet_the_header_wraps_instead_of_leaving_the_screen(page, make, browser_login, size):
    entity = make.entity("Est")
    admin = make.user("COTILLON Marion", role="Administrateur", entities=[entity])
    contact = make.contact(make.client_account("APROOL", entities=[entity]), "BLOU", "Hélène")
    page.set_viewport_size({"width": size[0], "height": size[1]})
    browser_login(page, admin)
    for url in ("/contacts", f"/contacts/{contact.id}"):
        page.goto(url)
        width, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        assert width <= inner, f"{url}: {width} px wide in a {inner} px window"
        logout = page.get_by_role("button", name="Se déconnecter").bounding_box()
        assert logout["x"] + logout["width"] <= inner, (url, logout)


@pytest.mark.parametrize("size", [(768, 1024), (1024, 768)], ids=["768x1024", "1024x768"])
def test_on_a_tablet_the_list_comes_first_and_the_filters_open_over_it(page, make, browser_login, size):
    entity = make.entity("Est")
    user = make.user("COTILLON Marion", entities=[entity])
    account = make.client_account("APROOL", entities=[entity])
    for last_name in ("BLOU", "BRIE", "DAROIN"):
        make.contact(account, last_name, "Hélène", function="Chef de projet")
    page.set_viewport_size({"width": size[0], "height": size[1]})
    browser_login(page, user)
    rows = page.locator("#contacts-rows tr")
    last = rows.nth(2).bounding_box()
    assert last["y"] + last["height"] <= size[1]  # every row in view, no filter panel above them
    name = page.get_by_role("link", name="BLOU", exact=True).bounding_box()
    assert name["width"] >= 30  # the name column is not squeezed to a letter by a panel beside it
    search = page.get_by_label("Rechercher", exact=True)
    expect(search).to_be_hidden()
    page.locator("#filters-fold button").click()
    expect(search).to_be_focused()
    search.fill("daroin")
    expect(rows).to_have_count(1)
    page.mouse.click(size[0] - 20, size[1] - 20)  # beside the drawer
    expect(search).to_be_hidden()
    expect(rows).to_have_count(1)

"""Doublons possibles and the side-by-side merge screen in a browser: reached from the list, accessible, no sideways
scroll on a phone, a field's value chosen by its radio, the merge and its undo."""
import os
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from webapp import rights
from webapp.extensions import db
from webapp.models import Contact

from ..test_duplicates import add
from ..test_vcard_import import role_with

SIZES = [pytest.param((1440, 900), id="1440x900"), pytest.param((390, 844), id="390x844")]
# SCREENSHOTS=docs/screenshots saves the screens (desktop-1440-*.png, phone-390-*.png) while the test runs.
SHOTS = os.environ.get("SCREENSHOTS")


def _shot(page, size, name):
    if SHOTS:
        prefix = "desktop-1440" if size[0] == 1440 else "phone-390"
        page.screenshot(path=os.path.join(SHOTS, f"{prefix}-{name}.png"), full_page=False)


@pytest.mark.parametrize("size", SIZES)
def test_duplicates_screen_and_side_by_side_merge(page, app, make, browser_login, axe_violations, size):
    entity = make.entity("Est")
    role = role_with(app, "Fusion", {rights.CONTACTS_LIST, rights.CONTACTS_EDIT, rights.CONTACTS_MERGE})
    user = make.user("CHEF Anne", role=role, entities=[entity])
    aprool = make.client_account("APROOL", entities=[entity])
    globex = make.client_account("Globex", entities=[entity])
    first = add(app, aprool, "BLOU", "Hélène", email="helene.blou@aprool.com", city="Lyon")
    second = add(app, aprool, "Blou", "Helene", mobile="06 12 34 56 78", city="Paris", function="Directrice SI")
    add(app, globex, "NEIGE", "Julia", phone="01 42 68 53 00")
    add(app, aprool, "NEIGE", "J.", phone="+33 1 42 68 53 00")
    page.set_viewport_size({"width": size[0], "height": size[1]})
    browser_login(page, user)

    page.get_by_role("link", name="Doublons possibles").click()
    page.wait_for_url(re.compile(r"/contacts/duplicates$"))
    groups = page.locator(".dup-group")
    expect(groups).to_have_count(2)
    expect(groups.first).to_contain_text("Même téléphone")
    expect(groups.nth(1)).to_contain_text("Même nom au même compte")
    _check_screen(page, axe_violations)
    _shot(page, size, "duplicates")

    groups.nth(1).get_by_role("button", name="Comparer et fusionner…").click()
    page.wait_for_url(re.compile(r"/contacts/merge\?"))
    expect(page.get_by_role("heading", name="Fusionner 2 contacts")).to_be_visible()
    # The oldest record is kept; Ville defaults to the most recently written value, Paris.
    expect(page.locator(f'input[name="survivor"][value="{first}"]')).to_be_checked()
    city = page.locator('tr[data-field="city"]')
    expect(city.locator(f'input[value="{second}"]')).to_be_checked()
    _check_screen(page, axe_violations)
    _shot(page, size, "merge")
    city.get_by_text("Lyon").click()
    expect(city.locator(f'input[value="{first}"]')).to_be_checked()
    page.get_by_role("button", name="Fusionner", exact=True).click()
    page.wait_for_url(re.compile(rf"/contacts/{first}$"))
    expect(page.get_by_text("2 contacts fusionnés dans BLOU Helene.")).to_be_visible()  # the newest name
    with app.app_context():
        kept = db.session.get(Contact, first)
        assert (kept.city, kept.function, kept.mobile) == ("Lyon", "Directrice SI", "06 12 34 56 78")
        assert db.session.get(Contact, second) is None

    page.get_by_role("button", name="Annuler la fusion").click()
    expect(page.get_by_text("Fusion annulée : les contacts sont rétablis.")).to_be_visible()
    with app.app_context():
        assert set(db.session.scalars(select(Contact.city).where(Contact.id.in_([first, second])))) == {"Lyon",
                                                                                                        "Paris"}


def _check_screen(page, axe_violations):
    width, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert width <= inner, f"{page.url}: {width} px wide in a {inner} px window"
    assert axe_violations(page) == []

"""Mon compte in a real browser: an app password created with htmx shows its secret and QR code once, and is revoked
through the confirmation dialog; on a laptop and on a phone (where the link sits in the folded menu)."""
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from webapp.services import app_passwords

pytestmark = pytest.mark.browser



def _shot(page, name: str, full_page: bool = False) -> None:
    """A screenshot to look at, when SCREENSHOT_DIR says where (caret left alone: hiding it injects a style)."""
    if os.environ.get("SCREENSHOT_DIR"):
        Path(os.environ["SCREENSHOT_DIR"]).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=os.path.join(os.environ["SCREENSHOT_DIR"], f"{name}.png"), caret="initial",
                        full_page=full_page)

SECRET_SHAPE = re.compile(r"^[a-z2-7]{4}(-[a-z2-7]{4}){7}$")


@pytest.mark.parametrize("width, height", [(1440, 900), (390, 844)], ids=["laptop", "phone"])
def test_create_a_password_see_it_once_with_its_qr_code_then_revoke_it(page, app, make, browser_login,
                                                                      axe_violations, width, height):
    page.set_viewport_size({"width": width, "height": height})
    user = make.user("COTILLON Marion", email="marion@example.com")
    browser_login(page, user)
    if width < 640:
        page.get_by_role("button", name="Menu").click()
        _shot(page, f"menu-{width}x{height}")
    page.get_by_role("link", name="Mon compte").click()
    page.wait_for_url(re.compile(r"/account$"))
    expect(page.get_by_role("heading", name="Carnet d'adresses sur téléphone (CardDAV)")).to_be_visible()
    expect(page.locator("#carddav-server")).to_have_text(re.compile(r"^http://127\.0\.0\.1:\d+/\.well-known/carddav$"))
    assert axe_violations(page) == []

    label = page.get_by_label("Nom de l'appareil")
    expect(label).to_have_attribute("placeholder", "iPhone de Marion")
    page.get_by_role("button", name="Créer un mot de passe d'application").click()
    expect(page.locator("#label-error")).to_have_text("Saisissez le nom de l'appareil.")
    label = page.get_by_label("Nom de l'appareil")
    expect(label).to_be_focused()
    label.fill("iPhone de Marion")
    page.get_by_role("button", name="Créer un mot de passe d'application").click()

    secret = page.locator("#app-secret")
    expect(secret).to_be_visible()
    assert SECRET_SHAPE.match(secret.inner_text())
    qr = page.locator(".app-password-qr svg.qr-code")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box["width"] >= 150 and box["height"] >= 150  # big enough for a phone camera
    assert box["x"] >= 0 and box["x"] + box["width"] <= width  # within the screen
    expect(page.get_by_text("il ne sera plus jamais affiché")).to_be_visible()
    expect(page.locator("#app-passwords")).to_contain_text("Jamais utilisé")
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scrolling
    assert axe_violations(page) == []
    _shot(page, f"account-created-{width}x{height}", full_page=True)
    with app.app_context():
        assert app_passwords.authenticate("marion@example.com", secret.inner_text()).id == user.id

    # a reload shows the device, not the secret
    page.reload()
    expect(page.locator("#app-secret")).to_have_count(0)
    row = page.locator(".param-row", has_text="iPhone de Marion")
    expect(row).to_be_visible()

    row.get_by_role("link", name=re.compile("Révoquer")).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Révoquer le mot de passe « iPhone de Marion » ?")
    _shot(page, f"account-revoke-{width}x{height}")
    dialog.get_by_role("button", name="Révoquer").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.locator(".toast")).to_contain_text("est révoqué")
    expect(page.locator("#app-passwords")).to_contain_text("Aucun appareil")
    _shot(page, f"account-revoked-{width}x{height}", full_page=True)

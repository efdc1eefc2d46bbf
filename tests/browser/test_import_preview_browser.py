"""The import preview in a real browser: 100 cards a page, a choice kept from one page to another, a card corrected
in its row (errors in place, Esc to give the row back, the focus back on "Corriger"), at desktop and phone sizes."""
import re
from pathlib import Path

from playwright.sync_api import expect

from .test_vcf_import_browser import DROP

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def cards(n: int) -> str:
    return "".join(f"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Salon{i:03d};Invité\r\nORG:Boulangeries Paul\r\n"
                   f"EMAIL:invite{i}@paul.fr\r\nEND:VCARD\r\n" for i in range(n)) + (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Dupnt;Jean\r\nORG:Boulangeries Paul\r\nEMAIL:jean@paul\r\nEND:VCARD\r\n")


def test_pages_of_cards_a_choice_kept_across_pages_and_a_card_corrected_in_its_row(page, make, browser_login,
                                                                                  axe_violations):
    entity = make.entity("Est")
    user = make.user("COTILLON Marion", role="Administrateur", entities=[entity])
    make.client_account("Boulangeries Paul", entities=[entity])
    page.set_viewport_size({"width": 1440, "height": 900})
    browser_login(page, user)
    page.evaluate(DROP, ["#vcf-dropzone .vcf-target", [["salon.vcf", cards(150)]]])
    page.wait_for_url(re.compile(r"/contacts/import/[\w-]+$"))
    rows = page.locator(".import-cards tbody tr")
    expect(rows).to_have_count(100)
    assert "Fiches 1 à 100 sur 151" in page.locator(".import-cards + nav, nav.pager").last.inner_text()
    assert axe_violations(page) == []

    # A choice on page 1, then page 2 and back: kept.
    with page.expect_response(lambda response: response.url.endswith("/choices")):
        page.locator("select[name=c5]").select_option("skip")
    page.get_by_role("button", name="Suivante").click()
    page.wait_for_url(re.compile(r"\?page=2$"))
    expect(rows).to_have_count(51)
    expect(page.locator("#import-card-150")).to_contain_text("E-mail « jean@paul » non importé")
    page.get_by_role("button", name="Précédente").click()
    expect(page.locator("select[name=c5]")).to_have_value("skip")

    # The last card, on page 2: corrected in its row.
    page.get_by_role("button", name="Suivante").click()
    row = page.locator("#import-card-150")
    row.get_by_role("button", name=re.compile("Corriger")).click()
    last_name = row.get_by_role("textbox", name="Nom", exact=True)
    expect(last_name).to_be_focused()
    expect(last_name).to_have_value("Dupnt")
    page.screenshot(path=str(SHOTS / "desktop-1440-import-correct.png"))
    # Esc gives the row back unchanged.
    page.keyboard.press("Escape")
    expect(row.locator("form")).to_have_count(0, timeout=20_000)  # a GET of the row, slow on a loaded machine
    expect(row.get_by_role("button", name=re.compile("Corriger"))).to_be_focused()
    # A wrong e-mail is refused in the row, what was typed stays; then corrected.
    row.get_by_role("button", name=re.compile("Corriger")).click()
    editor = row.locator("form.import-card-editor")
    editor.get_by_role("textbox", name="Nom", exact=True).fill("Dupont")
    editor.get_by_label("E-mail").fill("jean@")
    editor.get_by_label("E-mail").press("Enter")
    expect(editor.locator(".field-error")).to_contain_text("Adresse e-mail invalide")
    expect(editor.get_by_role("textbox", name="Nom", exact=True)).to_have_value("Dupont")
    assert axe_violations(page) == []
    editor.get_by_label("E-mail").fill("jean.dupont@paul.fr")
    editor.get_by_role("button", name="Enregistrer").click()
    expect(row).to_contain_text("DUPONT Jean")
    expect(row).to_contain_text("corrigée")
    expect(row).to_contain_text("jean.dupont@paul.fr")
    expect(row.get_by_role("button", name=re.compile("Corriger"))).to_be_focused()
    expect(page.locator("#import-summary")).to_contain_text("151 fiches lues : 151 nouvelles")
    page.screenshot(path=str(SHOTS / "desktop-1440-import-preview.png"))

    page.get_by_role("button", name="Importer", exact=True).click()
    page.wait_for_url(re.compile(r"/contacts$"))
    assert "Import terminé : 150 créés, 0 mis à jour, 1 ignoré, 0 erreur." in page.locator(".flash").inner_text()
    page.goto("/contacts?q=dupont")
    expect(page.locator("#contacts-rows a[href='mailto:jean.dupont@paul.fr']")).to_have_count(1)


def test_the_paged_preview_and_its_editor_on_a_phone(page, make, browser_login, axe_violations):
    entity = make.entity("Est")
    user = make.user("COTILLON Marion", role="Administrateur", entities=[entity])
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, user)
    page.evaluate(DROP, ["#vcf-dropzone .vcf-target", [["salon.vcf", cards(120)]]])
    page.wait_for_url(re.compile(r"/contacts/import/[\w-]+$"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SHOTS / "phone-390-import-preview.png"))
    row = page.locator("#import-card-3")
    row.scroll_into_view_if_needed()
    row.get_by_role("button", name=re.compile("Corriger")).click()
    editor = row.locator("form.import-card-editor")
    expect(editor.get_by_role("textbox", name="Nom", exact=True)).to_be_focused()
    box = editor.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    page.screenshot(path=str(SHOTS / "phone-390-import-correct.png"))
    assert axe_violations(page) == []

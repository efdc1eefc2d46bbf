"""Documents in a real browser: two files dropped on a contact's documents zone are filed on it with the upload's
progress, listed in the record, found by a word of their text on the documents screen with the passage marked;
on a laptop and on a phone, without console errors or accessibility violations."""
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

DROP = """([zone, files]) => {
    const transfer = new DataTransfer();
    for (const [name, text] of files) {
        transfer.items.add(new File([text], name, {type: "text/plain"}));
    }
    const target = document.querySelector(zone);
    for (const type of ["dragenter", "dragover", "drop"]) {
        target.dispatchEvent(new DragEvent(type, {dataTransfer: transfer, bubbles: true, cancelable: true}));
    }
}"""


def _shot(page, name: str) -> None:
    if os.environ.get("SCREENSHOT_DIR"):
        Path(os.environ["SCREENSHOT_DIR"]).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=os.path.join(os.environ["SCREENSHOT_DIR"], f"{name}.png"), caret="initial",
                        full_page=True)


@pytest.mark.parametrize("width, height", [(1440, 900), (390, 844)], ids=["laptop", "phone"])
def test_drop_two_files_on_a_contact_then_find_one_by_its_text(page, make, browser_login, axe_violations, width,
                                                               height):
    page.set_viewport_size({"width": width, "height": height})
    entity = make.entity("Est")
    user = make.user("COTILLON Marion", entities=[entity])
    aprool = make.client_account("APROOL", entities=[entity])
    helene = make.contact(aprool, "Blou", "Hélène", function="Acheteuse")
    browser_login(page, user)
    page.goto(f"/contacts/{helene.id}")
    section = page.locator("#record-documents")
    expect(section.get_by_role("heading", name="Documents")).to_be_visible()
    expect(section).to_contain_text("Aucun document.")
    zone = section.locator("form.document-drop")
    expect(zone).to_contain_text("Classez ici vos fichiers")

    page.evaluate(DROP, [f"#document-drop-{helene.id}", [
        ["compte-rendu salon.txt", "Rencontre au salon Vivatech : intérêt pour la maintenance évolutive."],
        ["notes appel.txt", "Rappeler Hélène en janvier pour le budget."]]])
    expect(page.locator("#toasts .toast")).to_have_text("2 fichiers classés")
    expect(section.locator(".document-row")).to_have_count(2)  # the section reloaded itself, in the record
    assert page.url.endswith(f"/contacts/{helene.id}")
    expect(page.get_by_role("heading", name="Tâches commerciales")).to_be_visible()  # the rest of the record stays
    expect(section.get_by_role("link", name="compte-rendu salon.txt", exact=True)).to_be_visible()
    _shot(page, f"documents-record-{width}x{height}")
    assert axe_violations(page) == []

    page.goto("/documents")
    page.get_by_role("searchbox", name="Recherchez dans vos fichiers").fill("evolutive")
    results = page.locator("#document-results .document-row")
    expect(results).to_have_count(1)
    expect(results.first.locator("mark")).to_have_text("évolutive")
    expect(results.first).to_contain_text("BLOU Hélène")
    _shot(page, f"documents-search-{width}x{height}")
    assert axe_violations(page) == []


def test_a_file_dropped_on_the_contacts_list_zone_waits_to_be_classified(page, make, browser_login, axe_violations):
    entity = make.entity("Est")
    user = make.user("COTILLON Marion", entities=[entity])
    aprool = make.client_account("APROOL", entities=[entity])
    make.contact(aprool, "Blou", "Hélène", function="Acheteuse", email="helene.blou@aprool.fr")
    browser_login(page, user)
    zone = page.locator(".documents-zone form.document-drop")
    expect(zone).to_contain_text("Classez ici vos fichiers")
    page.evaluate(DROP, [".documents-zone form.document-drop",
                         [["carte.txt", "Hélène Blou, acheteuse - helene.blou@aprool.fr"]]])
    answer = zone.locator(".document-filed")
    expect(answer).to_contain_text("carte.txt")
    expect(answer.get_by_role("link", name=re.compile("à classer"))).to_contain_text("1 contact proposé")
    assert page.url.endswith("/contacts")  # a document, not a vCard import
    _shot(page, "documents-list-zone-1440x900")
    assert axe_violations(page) == []


@pytest.mark.parametrize("width, height", [(1440, 900), (390, 844)], ids=["laptop", "phone"])
def test_an_account_files_its_documents_and_one_is_classified(page, make, browser_login, axe_violations, width,
                                                              height):
    page.set_viewport_size({"width": width, "height": height})
    entity = make.entity("Est")
    user = make.user("COTILLON Marion", entities=[entity])
    aprool = make.client_account("APROOL", entities=[entity])
    make.contact(aprool, "Blou", "Hélène", function="Acheteuse", email="helene.blou@aprool.fr")
    browser_login(page, user)
    page.goto(f"/clients/{aprool.id}")
    section = page.locator("#record-documents")
    expect(section).to_contain_text("Aucun document.")
    page.evaluate(DROP, [f"#document-drop-c{aprool.id}", [["contrat cadre.txt", "Contrat cadre signé avec Hélène Blou."]]])
    expect(section.locator(".document-row")).to_have_count(1)
    expect(section.locator(".document-row")).to_contain_text("APROOL")
    _shot(page, f"documents-account-{width}x{height}")
    assert axe_violations(page) == []
    section.get_by_role("link", name="Classer", exact=True).click()
    expect(page.get_by_role("heading", name="Classer « contrat cadre.txt »")).to_be_visible()
    page.get_by_label("BLOU Hélène").check()
    page.get_by_label("Catégorie").select_option(label="Contrat")
    _shot(page, f"documents-classify-{width}x{height}")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Classer").click()
    expect(page.locator(".flash")).to_contain_text("« contrat cadre.txt » est classé.")
    expect(page.locator("#document-results .document-row")).to_contain_text("Contrat")

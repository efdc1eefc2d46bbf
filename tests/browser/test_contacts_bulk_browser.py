"""Mass actions in a real browser: reassign three rows in place; select across pages and export a zip."""
import io
import re
import zipfile

from playwright.sync_api import expect


def _team(make, contacts=25):
    east = make.entity("Est")
    manager = make.user("ROYER Sébastien", role="Responsable commercial", entities=[east])
    make.user("BERTRAND Nicolas", entities=[east])
    aprool = make.client_account("APROOL", entities=[east])
    for n in range(contacts):
        make.contact(aprool, f"Nom{n:02d}", "Test", function="Consultant")
    return manager


def test_select_three_rows_and_reassign_them(page, make, browser_login, axe_violations):
    browser_login(page, _team(make, contacts=5))
    rows = page.locator("#contacts-rows tr")
    toolbar = page.get_by_role("form", name="Actions de masse")
    expect(toolbar).to_be_hidden()
    page.evaluate("window.__marker = 'same page'")
    rows.nth(0).get_by_role("checkbox").check()
    expect(page.locator("#bulk-count")).to_have_text("1 sélectionné")  # French plural: 1 is singular
    for n in range(1, 3):
        rows.nth(n).get_by_role("checkbox").check()
    expect(toolbar).to_be_visible()
    expect(page.locator("#bulk-count")).to_have_text("3 sélectionnés")
    assert axe_violations(page) == []
    toolbar.get_by_role("button", name="Modifier l'affectation").click()
    dialog = page.get_by_role("dialog", name="Modifier l'affectation")
    expect(dialog).to_contain_text("3 contacts sélectionnés")
    dialog.get_by_label("Nouveau commercial (Affecté à)").select_option(label="BERTRAND Nicolas")
    dialog.get_by_role("button", name="Modifier l'affectation").click()
    expect(page.locator("#toasts")).to_contain_text("3 contacts réaffectés")
    for n in range(3):
        expect(rows.nth(n).locator("td[data-field=owner_id]")).to_have_text("BERTRAND Nicolas")
    expect(rows.nth(3).locator("td[data-field=owner_id]")).to_have_text("")
    expect(toolbar).to_be_hidden()  # the list changed: the selection is cleared
    assert page.evaluate("window.__marker") == "same page"
    page.locator("#toasts").get_by_role("button", name="Annuler").click()
    expect(page.locator("#toasts")).to_contain_text("Affectation précédente rétablie pour 3 contacts")
    expect(rows.nth(0).locator("td[data-field=owner_id]")).to_have_text("")


def test_select_across_all_pages_and_export_a_zip(page, make, browser_login):
    browser_login(page, _team(make, contacts=25))
    page.goto("/contacts?per_page=20")
    page.locator("#select-page").check()
    offer = page.get_by_role("button", name="Sélectionner les 25 contacts correspondant aux filtres")
    offer.click()
    expect(page.locator("#bulk-count")).to_have_text("Les 25 contacts correspondant aux filtres sont sélectionnés.")
    page.get_by_role("form", name="Actions de masse").get_by_role("button", name="Exporter en VCF").click()
    dialog = page.get_by_role("dialog", name="Exporter en VCF")
    expect(dialog).to_contain_text("25 contacts sélectionnés")
    dialog.get_by_label("Une archive Zip contenant une VCF par contact").check()
    with page.expect_download() as download_info:
        dialog.get_by_role("button", name="Exporter en VCF").click()
    download = download_info.value
    assert re.match(r"contacts-\d{4}-\d{2}-\d{2}\.zip", download.suggested_filename)
    with open(download.path(), "rb") as handle, zipfile.ZipFile(io.BytesIO(handle.read())) as archive:
        names = archive.namelist()
    assert len(names) == 25 and len(set(names)) == 25
    assert "NOM00 Test.vcf" in names

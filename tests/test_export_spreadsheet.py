"""Exporter: the contacts list (or a selection) as CSV or Excel, re-read with csv and openpyxl and compared cell by
cell with what the list shows; scope, the right, formula injection, the CSV's bytes, select-across, the audit."""
import csv
import io
import json
import re
from datetime import date, datetime
from html import unescape
from urllib.parse import urlencode

import openpyxl
import pytest
from alembic import command
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from webapp.extensions import db
from webapp.form_fields import local_today
from webapp.models import (AuditEntry, Contact, ContactExtra, ContactLink, MailingList, MailingListSubscription,
                           Opportunity, Role, RoleRight, Skill, User)
from webapp.services import spreadsheet_export

from .conftest import HX

LIST = "/contacts"
EXPORT = "/contacts/export"


@pytest.fixture
def world(make, login_as):
    """A salesperson of entity Est (role Commercial), contacts of two Est accounts, one of an Ouest account."""
    east, west = make.entity("Est"), make.entity("Ouest")
    seller = make.user("COTILLON Marion", entities=[east])
    boss = make.user("ROYER Sébastien", role="Responsable commercial", entities=[east])
    aprool = make.client_account("APROOL", entities=[east], owner=boss)
    blou = make.client_account("BLOU SA", entities=[east])
    helene = make.contact(aprool, "Blou", "Hélène", function="Directrice", phone="01.20.35.99.65",
                          phone_e164="+33120359965", mobile="+44 20 7946 0958", mobile_e164="+442079460958",
                          owner_id=seller.id, email="helene@aprool.com", street="2 rue de la Paix",
                          postal_code="06000", city="Nice", country="FR", birthday=date(1980, 5, 17),
                          notes="=cmd|' /C calc'!A0", is_dpo=True)
    formula = make.contact(aprool, '=HYPERLINK("http://evil.example")', "@Fred", function="+33 1 42 68 53 00",
                           fax="-12")
    minus = make.contact(blou, "-Moins", "Paul", function="Acheteur", owner_id=boss.id)
    gone = make.contact(blou, "Zed", "Zoé", function="Ancienne", left_company=True)
    hidden = make.contact(make.client_account("Secret", entities=[west]), "Cache", "Carl", function="Espion")
    with make.app.app_context():
        db.session.add_all([
            ContactLink(contact_id=helene.id, kind="linkedin", url="https://www.linkedin.com/in/helene", position=0),
            ContactExtra(contact_id=helene.id, kind="tel", label="Domicile", value="04 93 00 00 00", position=0),
            Opportunity(title="Renouvellement", client_id=aprool.id, contact_id=helene.id),
        ])
        skill = db.session.scalars(select(Skill).order_by(Skill.id)).first()
        stored = db.session.get(Contact, helene.id)
        stored.skills.append(skill)
        mailing = MailingList(provider="Mailjet", label="Clients")
        db.session.add(mailing)
        db.session.flush()
        db.session.add(MailingListSubscription(contact_id=helene.id, mailing_list_id=mailing.id, status="subscribed",
                                               since=date(2019, 4, 11)))
        db.session.commit()
        skill_label = skill.label
    login_as(seller)
    return {"seller": seller, "boss": boss, "aprool": aprool, "blou": blou, "helene": helene, "formula": formula,
            "minus": minus, "gone": gone, "hidden": hidden, "skill": skill_label}


def _export(client, csrf, data, htmx=False):
    headers = {"X-CSRFToken": csrf["token"], **(HX if htmx else {})}
    response = client.post(EXPORT, data=MultiDict(data), headers=headers)
    response.get_data()  # read to the end, as a browser does: the streamed CSV ends its request then
    response.close()
    return response


def _csv_rows(response, delimiter=";"):
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=delimiter))


def _xlsx_rows(response):
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    return sheet, [["" if cell.value is None else cell.value for cell in row] for row in sheet.iter_rows()]


def _list_table(client, params):
    """The list as the user sees it: its header labels and each row's cells as text (tags such as « inactif »
    left out, as the export leaves them)."""
    html = client.get(LIST + "?" + urlencode(params)).get_data(as_text=True)
    head = re.search(r"<thead>(.*?)</thead>", html, re.S).group(1)
    headers = [_text(cell) for cell in re.findall(r'<th scope="col"(?![^>]*(?:select-cell|actions-head))[^>]*>(.*?)</th>',
                                                   head, re.S)]
    rows = []
    for row in re.findall(r'<tr id="contact-\d+"[^>]*>(.*?)</tr>', html, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[1:-1]  # the checkbox and the actions are no data
        rows.append([_text(cell) for cell in cells])
    return headers, rows


def _text(cell_html: str) -> str:
    cell_html = re.sub(r'<span class="tag">.*?</span>', "", cell_html)
    cell_html = re.sub(r'<span class="visually-hidden">.*?</span>', "", cell_html)
    text = unescape(re.sub(r"<[^>]+>", "", cell_html))
    return " ".join(text.replace("▲", "").replace("▼", "").split())


LIST_PARAMS = [{"q": ""}, {"sort": "-last_name", "active": "all"}, {"sort": "owner", "active": "all"},
               {"q": "blou", "active": "all"}, {"client": None, "sort": "phone"}]


def _params(world, params):
    params = dict(params)
    if "client" in params:
        params["client"] = world["aprool"].id
    return {**params, "per_page": 200}


@pytest.mark.parametrize("params", LIST_PARAMS)
def test_csv_export_is_the_list_cell_by_cell(client, csrf, world, params):
    params = _params(world, params)
    headers, shown = _list_table(client, params)
    assert shown, "the list shows rows"
    response = _export(client, csrf, {"query": urlencode(params), "format": "csv", "columns": "visible"})
    assert response.status_code == 200
    exported = _csv_rows(response)
    assert exported[0] == headers
    assert exported[1:] == [[spreadsheet_export.neutralised(cell) for cell in row] for row in shown]


@pytest.mark.parametrize("params", LIST_PARAMS)
def test_xlsx_export_is_the_list_cell_by_cell(client, csrf, world, params):
    params = _params(world, params)
    headers, shown = _list_table(client, params)
    response = _export(client, csrf, {"query": urlencode(params), "format": "xlsx", "columns": "visible"})
    assert response.status_code == 200
    assert response.mimetype == spreadsheet_export.XLSX_MIME
    sheet, exported = _xlsx_rows(response)
    assert exported[0] == headers
    assert exported[1:] == shown  # formulas stay text: the same characters as the list


def test_hidden_columns_are_not_exported_unless_every_field_is_asked(client, csrf, world):
    client.post("/account/preferences/contacts.hidden_columns", headers={"X-CSRFToken": csrf["token"]},
                data={"value": json.dumps(["client_owner", "fax", "deals"])})
    headers, shown = _list_table(client, {"per_page": 200})
    assert "Fax" not in headers and "Société" in headers
    response = _export(client, csrf, {"query": "", "format": "csv"})
    assert _csv_rows(response)[0] == headers
    every = _csv_rows(_export(client, csrf, {"query": "", "format": "csv", "columns": "all"}))
    assert every[0][:10] == ["Société", "Client affecté à", "Nom", "Prénom", "Fonction", "Téléphone", "Mobile", "Fax",
                             "Affecté à", "Affaires"]


def test_every_field_holds_addresses_links_extras_skills_subscriptions_entity_and_dates(client, csrf, world):
    response = _export(client, csrf, {"query": "q=helene", "format": "csv", "columns": "all"})
    header, *rows = _csv_rows(response)
    assert len(rows) == 1
    helene = dict(zip(header, rows[0], strict=True))
    assert helene["Nom"] == "BLOU" and helene["Société"] == "APROOL"
    assert helene["Client affecté à"] == "ROYER Sébastien" and helene["Affecté à"] == "COTILLON Marion"
    assert helene["Affaires"] == "1 opportunité 0 proposition 0 affaire"
    assert helene["Téléphone"] == "01 20 35 99 65"
    assert helene["Mobile"] == "'+44 20 7946 0958"  # a leading + is neutralised too (in .xlsx it is plain text)
    assert helene["Email"] == "helene@aprool.com"
    assert (helene["Adresse"], helene["Code postal"], helene["Ville"], helene["Pays"]) == (
        "2 rue de la Paix", "06000", "Nice", "France")
    assert helene["Réseaux sociaux"] == "https://www.linkedin.com/in/helene"
    assert helene["Autres informations"] == "Domicile: 04 93 00 00 00"
    assert helene["Environnement / Compétences"] == world["skill"]
    assert helene["Listes de diffusion"] == "Mailjet - Clients (abonné depuis le 11/04/2019)"
    assert helene["Entités"] == "Est"
    assert helene["DPO"] == "Oui" and helene["RSSI"] == "Non"
    assert helene["Anniversaire"] == "17/05/1980"
    assert helene["Notes"] == "'=cmd|' /C calc'!A0"
    assert re.fullmatch(r"\d\d/\d\d/20\d\d \d\d:\d\d", helene["Créé le"])
    assert re.fullmatch(r"\d\d/\d\d/20\d\d \d\d:\d\d", helene["Modifié le"])


def test_xlsx_cells_are_typed_and_the_header_is_frozen_filtered_and_sized(client, csrf, world):
    response = _export(client, csrf, {"query": "q=helene", "format": "xlsx", "columns": "all"})
    sheet, rows = _xlsx_rows(response)
    header = rows[0]
    cells = dict(zip(header, sheet[2], strict=True))
    assert cells["Anniversaire"].is_date and cells["Anniversaire"].value == datetime(1980, 5, 17)
    assert cells["Créé le"].is_date and cells["Créé le"].number_format == "dd/mm/yyyy hh:mm"
    assert cells["Téléphone"].data_type == "s" and cells["Téléphone"].value == "01 20 35 99 65"
    assert cells["Code postal"].value == "06000"  # a text: its leading zero stays
    assert cells["Notes"].data_type == "s" and cells["Notes"].value == "=cmd|' /C calc'!A0"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(header))}2"
    widths = [sheet.column_dimensions[openpyxl.utils.get_column_letter(i + 1)].width for i in range(len(header))]
    assert all(8 <= width <= 62 for width in widths)
    assert widths[header.index("Réseaux sociaux")] > widths[header.index("DPO")]
    assert all(cell.font.b for cell in sheet[1])


def test_formulas_are_neutralised_in_csv_and_kept_as_text_in_xlsx(client, csrf, world, make):
    for value in ("=1+1", "+1", "-1", "@SUM(A1)", "\tTab", "\rRetour"):
        make.contact(world["blou"], "Formule", "F", function=value)
    rows = _csv_rows(_export(client, csrf, {"query": "q=formule&sort=function", "format": "csv"}))
    functions = sorted(row[4] for row in rows[1:])
    assert functions == sorted(["'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tTab", "'\rRetour"])
    formula_row = _csv_rows(_export(client, csrf, {"query": "q=fred", "format": "csv"}))[1]
    assert formula_row[2] == "'=HYPERLINK(\"HTTP://EVIL.EXAMPLE\")" and formula_row[3] == "'@Fred"
    assert formula_row[4] == "'+33 1 42 68 53 00" and formula_row[7] == "'-12"
    sheet, rows = _xlsx_rows(_export(client, csrf, {"query": "q=formule", "format": "xlsx"}))
    # XlsxWriter escapes a carriage return as _x000D_, which Excel reads back as one (openpyxl leaves it).
    assert sorted(row[4].replace("_x000D_", "\r") for row in rows[1:]) == sorted(
        ["=1+1", "+1", "-1", "@SUM(A1)", "\tTab", "\rRetour"])
    assert all(row[4].data_type == "s" for row in sheet.iter_rows(min_row=2))


def test_csv_bytes_bom_semicolon_crlf_and_rfc4180_quoting(client, csrf, world, make):
    make.contact(world["blou"], "Quote", "Q", function='Chef; "grand"\nRégion')
    body = _export(client, csrf, {"query": "q=quote", "format": "csv"}).get_data()
    assert body.startswith("\ufeffSociété;Client affecté à;Nom;".encode())
    assert body.count(b"\r\n") == 2 and body.endswith(b"\r\n")  # the header and the row; the quoted \n stays
    assert b';"Chef; ""grand""\nR\xc3\xa9gion";' in body
    comma = _export(client, csrf, {"query": "q=quote", "format": "csv-comma"})
    assert comma.get_data().startswith("\ufeffSociété,Client affecté à,Nom,".encode())
    assert _csv_rows(comma, ",")[1][4] == 'Chef; "grand"\nRégion'


def test_download_headers_name_the_file_with_the_date(app, client, csrf, world):
    response = _export(client, csrf, {"query": "", "format": "csv"})
    with app.app_context():
        today = local_today().isoformat()  # the users' day (Europe/Paris), not the test machine's
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith(f'attachment; filename="contacts-{today}.csv"')
    response = _export(client, csrf, {"query": "", "format": "xlsx"})
    assert response.headers["Content-Disposition"].startswith(f'attachment; filename="contacts-{today}.xlsx"')


def test_a_contact_of_another_entity_never_appears(client, csrf, world):
    hidden = world["hidden"]
    every = {row[2] for row in _csv_rows(_export(client, csrf, {"query": "active=all&archived=include",
                                                                "format": "csv", "columns": "all"}))[1:]}
    assert "CACHE" not in every and "BLOU" in every
    for data in ({"query": f"client={hidden.client_id}"}, {"query": "q=cache"},
                 {"ids": str(hidden.id), "back": "/contacts?q="},
                 {"select_across": "1", "query": "q=carl"}):
        for file_format in ("csv", "xlsx"):
            response = _export(client, csrf, {**data, "format": file_format})
            if response.status_code == 200:
                rows = _csv_rows(response) if file_format == "csv" else _xlsx_rows(response)[1]
                assert all("CACHE" not in row for row in rows)
            else:
                assert response.status_code == 422


def test_the_right_gates_the_routes_and_hides_the_buttons(client, csrf, world, make, login_as, app):
    page = client.get(LIST + "?q=").get_data(as_text=True)
    assert 'id="export-list"' in page and "/contacts/bulk/spreadsheet/confirm" in page
    with app.app_context():
        role = Role(name="Sans export", rights=[RoleRight(right="contacts.list")])
        db.session.add(role)
        db.session.commit()
    reader = make.user("LECTEUR Luc", role="Sans export", entities=[])
    login_as(reader)
    page = client.get(LIST + "?q=").get_data(as_text=True)
    assert 'id="export-list"' not in page and "/contacts/bulk/spreadsheet/confirm" not in page
    assert client.get(EXPORT + "?q=").status_code == 403
    assert _export(client, csrf, {"query": "", "format": "csv"}).status_code == 403
    assert _export(client, csrf, {"query": "", "format": "csv"}, htmx=True).status_code == 403
    assert client.post("/contacts/bulk/spreadsheet/confirm", data={"ids": "1"},
                       headers={"X-CSRFToken": csrf["token"]}).status_code == 403
    with app.app_context():
        assert db.session.scalars(select(AuditEntry).where(AuditEntry.via == "export")).all() == []


def test_the_default_roles_have_the_right(app):
    with app.app_context():
        holders = set(db.session.scalars(select(Role.name).join(RoleRight).where(
            RoleRight.right == "contacts.export_list")))
    assert holders == {"Commercial", "Responsable commercial", "Administrateur"}


def test_checked_rows_are_exported_in_the_list_order(client, csrf, world):
    data = [("ids", str(world["helene"].id)), ("ids", str(world["gone"].id)), ("back", "/contacts?sort=-last_name"),
            ("format", "csv")]
    rows = _csv_rows(_export(client, csrf, data))
    assert [row[2] for row in rows[1:]] == ["ZED", "BLOU"]  # Nom descending, as the list showed them


def test_select_across_exports_every_contact_matching_the_filters(client, csrf, world, make):
    for number in range(60):  # more than a page
        make.contact(world["blou"], f"Masse{number:02d}", "M")
    data = {"select_across": "1", "query": "q=masse&sort=-last_name", "format": "csv",
            "back": "/contacts?q=masse&sort=-last_name"}
    rows = _csv_rows(_export(client, csrf, data))
    assert [row[2] for row in rows[1:]] == [f"MASSE{n:02d}" for n in range(59, -1, -1)]


def test_the_dialog_from_the_list_and_from_the_bulk_bar(client, csrf, world):
    page = client.get(EXPORT + "?q=blou&sort=-last_name")
    assert page.status_code == 200 and "<html" in page.get_data(as_text=True)
    text = page.get_data(as_text=True)
    assert 'name="format" value="xlsx"' in text and 'name="columns" value="all"' in text
    assert 'name="query" value="q=blou&amp;sort=-last_name"' in text and "2 contacts à exporter" in text
    fragment = client.get(EXPORT + "?q=blou", headers=HX)
    assert "<dialog" in fragment.get_data(as_text=True) and "<html" not in fragment.get_data(as_text=True)
    bulk = client.post("/contacts/bulk/spreadsheet/confirm", headers={**HX, "X-CSRFToken": csrf["token"]},
                       data=MultiDict([("ids", str(world["helene"].id)), ("back", "/contacts?q=")]))
    assert bulk.status_code == 200 and 'action="/contacts/export"' in bulk.get_data(as_text=True)
    with client.application.app_context():
        assert db.session.scalars(select(AuditEntry).where(AuditEntry.via == "export")).all() == []


def test_each_export_is_audited_with_who_filter_rows_and_format(client, csrf, world, app):
    _export(client, csrf, {"query": "q=blou&active=all", "format": "xlsx", "columns": "all"})
    _export(client, csrf, [("ids", str(world["helene"].id)), ("ids", str(world["hidden"].id)), ("format", "csv")])
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.via == "export")
                                     .order_by(AuditEntry.id)).all()
        assert [(e.user_id, e.action, e.field) for e in entries] == [(world["seller"].id, "export", "xlsx"),
                                                                   (world["seller"].id, "export", "csv")]
        first, second = (json.loads(e.new_value) for e in entries)
    assert first == {"format": "xlsx", "columns": "all", "rows": 3, "filter": "q=blou&active=all"}
    assert second["rows"] == 1 and second["filter"] == f"ids={world['helene'].id},{world['hidden'].id}"


def test_hostile_choices_fall_back_and_an_empty_selection_is_refused(client, csrf, world, monkeypatch):
    response = _export(client, csrf, {"query": "sort=%00&q=\x00", "format": "=1+1", "columns": "<x>"})
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
    response = _export(client, csrf, {"ids": "abc", "format": "csv"}, htmx=True)
    assert response.status_code == 422 and "Aucun contact à exporter." in response.get_data(as_text=True)
    monkeypatch.setattr(spreadsheet_export, "XLSX_MAX_ROWS", 2)
    response = _export(client, csrf, {"query": "active=all", "format": "xlsx"}, htmx=True)
    assert response.status_code == 422 and "exportez en CSV" in response.get_data(as_text=True)


def test_the_migration_gives_the_right_to_the_roles_that_export_vcards(app, make):
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        db.session.add(Role(name="Export VCF seul", rights=[RoleRight(right="contacts.list"),
                                                            RoleRight(right="contacts.export")]))
        db.session.add(Role(name="Liste seule", rights=[RoleRight(right="contacts.list")]))
        db.session.commit()
        command.downgrade(config, "0010")
        assert db.session.scalars(select(RoleRight).where(RoleRight.right == "contacts.export_list")).all() == []
        command.upgrade(config, "head")
        holders = set(db.session.scalars(select(Role.name).join(RoleRight).where(
            RoleRight.right == "contacts.export_list")))
    assert holders == {"Commercial", "Responsable commercial", "Administrateur", "Export VCF seul"}


def test_rows_are_read_a_batch_at_a_time(app, world):
    """The service reads the statement in batches: with a batch of 2, four contacts come in order all the same."""
    from zoneinfo import ZoneInfo

    from webapp.queries import ContactQuery

    with app.test_request_context():
        user = db.session.get(User, world["seller"].id)
        query = ContactQuery.from_args(MultiDict({"active": "all"}))
        plan = spreadsheet_export.plan("all", [], ZoneInfo("Europe/Paris"))
        statement = query.export_statement(user, extra_columns=plan.extra_columns)
        names = [row[2] for row in spreadsheet_export.rows(statement, plan, batch_size=2)]
        entities = [row[plan.headers.index("Entités")] for row in spreadsheet_export.rows(statement, plan, 2)]
    assert names == ['=HYPERLINK("HTTP://EVIL.EXAMPLE")', "BLOU", "-MOINS", "ZED"]  # Société, then Nom
    assert entities == ["Est"] * 4

"""`crm import-csv`: what a 1,000-contact file (written by tests/contacts_csv.py) creates, a second run, field values,
bad files and rows."""
import csv
import json
import random
from pathlib import Path

import pytest
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import AuditEntry, Client, Contact, User
from webapp.services.csv_rows import COLUMNS
from webapp.phones import e164, to_e164
from webapp.text import fold

HEADER = ",".join(COLUMNS)


def read_rows(path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def expected_counts(rows: list[dict]) -> dict:
    """What the file should create, by the format's rules: a contact is its e-mail, else its company and names."""
    emails, names, contacts = set(), set(), 0
    for row in rows:
        name = (fold(row["company"]), fold(row["last_name"]), fold(row["first_name"]))
        email = fold(row["email"])
        if (email and email in emails) or (not email and name in names):
            continue
        contacts += 1
        emails.add(email)
        names.add(name)
    return {
        "clients": len({fold(row["company"]) for row in rows}),
        "contacts": contacts,
        "users": len({fold(n) for row in rows for n in (row["company_assigned_to"], row["assigned_to"]) if n}),
    }


def fr(number: int) -> str:
    """A count as the command prints it: thousands split by a narrow no-break space."""
    return f"{number:,}".replace(",", "\u202f")


def run_import(app, path):
    return app.test_cli_runner().invoke(args=["crm", "import-csv", str(path)])


def counts(app) -> dict:
    with app.app_context():
        return {
            "clients": db.session.scalar(select(func.count()).select_from(Client)),
            "contacts": db.session.scalar(select(func.count()).select_from(Contact)),
            "users": db.session.scalar(select(func.count()).select_from(User)),
            "audit": db.session.scalar(select(func.count()).select_from(AuditEntry)),
        }


def contact_by_email(email: str) -> Contact:
    return db.session.scalars(select(Contact).where(Contact.email_key == fold(email))).one()


def write_csv(tmp_path, *lines, name="contacts.csv", encoding="utf-8") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def test_import_creates_the_clients_contacts_and_salespeople_of_the_file(app, contacts_csv):
    expected = expected_counts(read_rows(contacts_csv))
    result = run_import(app, contacts_csv)
    assert result.exit_code == 0, result.output
    found = counts(app)
    assert {key: found[key] for key in expected} == expected
    assert found["audit"] == sum(expected.values())  # one "create" row per contact, client and salesperson
    assert f"Contacts : {fr(expected['contacts'])} créés, 0 déjà présents" in result.stdout
    assert f"Sociétés : {expected['clients']} créées" in result.stdout
    assert "Import des contacts" in result.stderr and "Import des contacts" not in result.stdout
    with app.app_context():
        salespeople = db.session.scalars(select(User)).all()
        assert all(user.password_hash is None and user.email is None for user in salespeople)
        audit = db.session.scalars(select(AuditEntry).where(AuditEntry.record_type == "contact")).first()
        assert (audit.via, audit.action) == ("csv", "create")
        assert json.loads(audit.new_value)["last_name"]


def test_a_second_run_changes_nothing(app, contacts_csv):
    assert run_import(app, contacts_csv).exit_code == 0
    before = counts(app)
    result = run_import(app, contacts_csv)
    assert result.exit_code == 0, result.output
    assert counts(app) == before
    assert f"Contacts : 0 créés, {fr(len(read_rows(contacts_csv)))} déjà présents" in result.stdout
    assert "Valeurs de référence créées : aucune" in result.stdout


def test_field_values_are_kept_as_typed(app, contacts_csv):
    rows = [row for row in read_rows(contacts_csv) if row["email"]]
    accented = next(row for row in rows if not row["last_name"][0].isascii())
    leading_zero = next(row for row in rows if row["postal_code"].startswith("0"))
    inactive = next(row for row in rows if row["active"] == "false" and row["skills"] and row["linkedin"])
    archived = next(row for row in rows if row["archived_company"] == "true" and row["company_assigned_to"])
    foreign = next((row for row in rows if row["country"] != "France" and row["phone"]), None)
    assert run_import(app, contacts_csv).exit_code == 0
    with app.app_context():
        contact = contact_by_email(accented["email"])
        assert (contact.last_name, contact.first_name) == (accented["last_name"], accented["first_name"])
        assert contact.last_name_key == fold(accented["last_name"])

        contact = contact_by_email(leading_zero["email"])
        assert (contact.postal_code, contact.city, contact.country) == (leading_zero["postal_code"],
                                                                       leading_zero["city"], "FR")
        assert contact.phone == (leading_zero["phone"] or None)
        assert contact.phone_e164 == to_e164(leading_zero["phone"])
        assert contact.mobile_e164 == to_e164(leading_zero["mobile"])

        contact = contact_by_email(inactive["email"])
        assert contact.left_company is True
        assert sorted(skill.label for skill in contact.skills) == sorted(inactive["skills"].split(";"))
        assert [(link.kind, link.url) for link in contact.links] == [("linkedin", inactive["linkedin"])]
        if inactive["assigned_to"]:
            assert contact.owner.name_key == fold(inactive["assigned_to"])

        account = contact_by_email(archived["email"]).client
        assert account.archived is True
        assert account.owner.display_name == archived["company_assigned_to"]
        assert [entity.label for entity in account.entities] == [archived["entity"]]
        assert account.sector.label == archived["sector"]

        if foreign:
            contact = contact_by_email(foreign["email"])
            assert contact.country != "FR"
            assert contact.phone_e164 == to_e164(foreign["phone"], contact.country)


def test_sort_and_search_columns_agree_with_refresh_keys(app, contacts_csv):
    assert run_import(app, contacts_csv).exit_code == 0
    with app.app_context():
        for contact in db.session.scalars(select(Contact)):
            stored = (contact.company_key, contact.last_name_key, contact.first_name_key, contact.function_key,
                      contact.email_key, contact.search_text)
            contact.refresh_keys()
            assert (contact.company_key, contact.last_name_key, contact.first_name_key, contact.function_key,
                    contact.email_key, contact.search_text) == stored
        db.session.rollback()


def test_duplicate_keys_of_the_import_equal_a_full_recount(app, contacts_csv):
    """The import writes each batch's keys from its inserted rows (duplicates.add_keys), counted against the earlier
    batches': the same table as refresh_keys over every contact, with the file's shared keys counted."""
    from webapp.models import DuplicateKey
    from webapp.services import duplicates

    assert run_import(app, contacts_csv).exit_code == 0
    with app.app_context():
        def table():
            return sorted(db.session.execute(select(DuplicateKey.contact_id, DuplicateKey.kind, DuplicateKey.key,
                                                    DuplicateKey.group_size, DuplicateKey.client_id)).all())
        written = table()
        duplicates.refresh_keys(db.session.scalars(select(Contact.id)).all())
        assert table() == written and len(written) > 1000
        assert any(size > 1 for *_key, size, _client in written)  # the file shares some keys
        db.session.rollback()


def test_fast_french_phone_form_matches_phonenumbers(contacts_csv):
    numbers = [row[column] for row in read_rows(contacts_csv) for column in ("phone", "mobile", "fax") if row[column]]
    draw = random.Random(3)
    numbers += ["0%d%s" % (draw.randint(1, 9), "".join(draw.choice(" .-") + "%02d" % draw.randint(0, 99)
                                                      for _ in range(4))) for _ in range(500)]
    numbers += ["0800 12 34 56", "00 33 1 20 35 99 65", "+33 1 20 35 99 65", "01.20.35.99.65", "12"]
    assert [e164(number, "FR") for number in numbers] == [to_e164(number, "FR") for number in numbers]


def test_existing_clients_and_users_are_reused(app, make, contacts_csv):
    rows = read_rows(contacts_csv)
    expected = expected_counts(rows)
    row = rows[0]
    existing = make.client_account(name=row["company"].upper())
    make.user(name=row["company_assigned_to"] or "COTILLON Marion", email="owner@example.com")
    result = run_import(app, contacts_csv)
    assert result.exit_code == 0, result.output
    assert f"Sociétés : {expected['clients'] - 1} créées, 1 déjà présentes" in result.stdout
    assert f"Commerciaux : {expected['users'] - 1} créés, 1 déjà présents" in result.stdout
    with app.app_context():
        assert contact_by_email(row["email"]).client_id == existing.id


def test_a_wrong_header_refuses_the_whole_file(app, tmp_path):
    path = write_csv(tmp_path, HEADER.replace("email", "courriel"),
                     "ACME,,,,,,,false,M,Dupont,Jean,,,,,,,,,,France,,,true,false,false,")
    result = run_import(app, path)
    assert result.exit_code == 1
    assert "en-tête incorrect" in result.stderr
    assert "colonnes manquantes : email" in result.stderr and "colonnes inconnues : courriel" in result.stderr
    assert "--as EMAIL" in result.stderr  # how to import it column by column instead
    assert "Traceback" not in result.output
    assert counts(app)["contacts"] == 0


ACCENTED_ROW = "Société Générale,,,,,,,false,F,Dürer,Éloïse,,,eloise@sg.fr,,,,,,Créteil,France,,Java;SAP,true,false,false,"


@pytest.mark.parametrize("encoding, label", [("cp1252", "Windows-1252"), ("utf-8-sig", None), ("utf-16", "UTF-16"),
                                             ("latin-1", "Windows-1252")])
def test_the_fixed_format_is_read_in_the_encodings_the_web_import_reads(app, tmp_path, encoding, label):
    result = run_import(app, write_csv(tmp_path, HEADER, ACCENTED_ROW, encoding=encoding))
    assert result.exit_code == 0, result.output
    assert "Contacts : 1 créés" in result.stdout
    assert (f"Lu en {label}, séparateur « , »" in result.stdout) == (label is not None)
    with app.app_context():
        contact = contact_by_email("eloise@sg.fr")
        assert (contact.client.name, contact.last_name, contact.first_name, contact.city) == (
            "Société Générale", "Dürer", "Éloïse", "Créteil")
        assert sorted(skill.label for skill in contact.skills) == ["Java", "SAP"]


def test_the_fixed_format_with_semicolons_as_french_excel_writes_it(app, tmp_path):
    rows = [COLUMNS, ACCENTED_ROW.replace("Java;SAP", "Java,SAP").split(",")[:22] + ["Java;SAP"] +
            ["true", "false", "false", ""]]
    path = tmp_path / "excel.csv"
    with open(path, "w", encoding="cp1252", newline="") as file:
        csv.writer(file, delimiter=";", lineterminator="\r\n").writerows(rows)
    result = run_import(app, path)
    assert result.exit_code == 0, result.output
    assert "Lu en Windows-1252, séparateur « ; »" in result.stdout
    with app.app_context():
        contact = contact_by_email("eloise@sg.fr")
        assert (contact.last_name, sorted(skill.label for skill in contact.skills)) == ("Dürer", ["Java", "SAP"])


def test_a_file_plain_ascii_for_its_first_megabyte_then_cp1252_is_read_as_cp1252(app, tmp_path):
    plain = [",".join({"company": "ACME", "last_name": f"Martin{i}", "first_name": "Paul",
                       "email": f"paul{i}@acme.fr"}.get(name, "") for name in COLUMNS) for i in range(25_000)]
    path = write_csv(tmp_path, HEADER, *plain, ACCENTED_ROW, encoding="cp1252")
    assert path.stat().st_size > 1 << 20 and path.read_bytes()[:1 << 20].isascii()
    result = run_import(app, path)
    assert result.exit_code == 0, result.output
    assert f"Contacts : {fr(25_001)} créés" in result.stdout
    with app.app_context():
        assert contact_by_email("eloise@sg.fr").first_name == "Éloïse"


def test_a_file_that_breaks_its_own_encoding_is_refused_with_its_line(app, tmp_path):
    # UTF-8 with accents for its first megabyte (what the encoding is found on), then a row saved in cp1252.
    path = tmp_path / "broken.csv"
    path.write_bytes(("\n".join([HEADER] + [ACCENTED_ROW] * 12_000) + "\n").encode("utf-8") +
                     ACCENTED_ROW.replace("eloise@", "e2@").encode("cp1252") + b"\n")
    assert path.stat().st_size > 1 << 20
    result = run_import(app, path)
    assert result.exit_code == 1
    assert "ligne 12002 : caractères illisibles en UTF-8" in result.stderr
    assert counts(app)["clients"] == 0


def test_bad_rows_are_reported_with_their_line_number_and_skipped(app, tmp_path):
    good = ("ACME,,,,,,,false,F,Blou,Hélène,,,helene.blou@acme.fr,,,,\"12 rue X,\nbâtiment B\",06000,Nice,France,,,"
            "true,false,false,")
    path = write_csv(
        tmp_path, HEADER,
        good,                                                                      # lines 2-3
        "ACME,,,,,,,false,M,,Jean,,,,,,,,,,France,,,true,false,false,",            # line 4: no last name
        ",,,,,,,false,M,Dupont,Jean,,,,,,,,,,France,,,true,false,false,",          # line 5: no company
        "ACME,,,,,,,false,M,Durand",                                               # line 6: too few columns
        "ACME,,,,,,,false,X,Martin,Paul,,,,,,,,,,France,,,true,false,false,",      # line 7: unknown gender
        "ACME,,,,,,,false,M,Petit,Luc,,,,,,,,,,Atlantide,,,true,false,false,",     # line 8: unknown country
        "ACME,,,,,,,false,M,Roux,Léa,,,lea@@acme,,,,,,,France,,,true,false,false,",  # line 9: the form's e-mail rule
        "ACME,,,,,,,false,M,Roy,Max,,,,,,,,,,France,,,true,false,false,javascript:x",  # line 10: http(s) links only
    )
    result = run_import(app, path)
    assert result.exit_code == 0, result.output
    assert "Lignes ignorées : 7" in result.stderr
    for expected in ("ligne 4 : nom (last_name) manquant", "ligne 5 : société (company) manquante",
                     "ligne 6 : 10 colonnes au lieu de 27", "ligne 7 : gender vaut « X »",
                     "ligne 8 : pays « Atlantide » inconnu", "ligne 9 : e-mail « lea@@acme » invalide",
                     "ligne 10 : lien LinkedIn « javascript:x » invalide"):
        assert expected in result.stderr
    with app.app_context():
        contact = db.session.scalars(select(Contact)).one()
        assert (contact.last_name, contact.street, contact.postal_code) == ("Blou", "12 rue X,\nbâtiment B", "06000")


def test_empty_cells_take_the_defaults(app, tmp_path):
    line = ",".join({"company": "ACME", "last_name": "Petit", "first_name": "Luc"}.get(name, "") for name in COLUMNS)
    result = run_import(app, write_csv(tmp_path, HEADER, line))
    assert result.exit_code == 0, result.output
    with app.app_context():
        contact = db.session.scalars(select(Contact)).one()
        assert (contact.left_company, contact.is_dpo, contact.gender, contact.country, contact.email) == (
            False, False, None, None, None)
        assert (contact.client.archived, contact.client.owner, contact.owner) == (False, None, None)


@pytest.mark.parametrize("content", ["", "\n"])
def test_an_empty_file_is_refused(app, tmp_path, content):
    path = tmp_path / "empty.csv"
    path.write_text(content, encoding="utf-8")
    result = run_import(app, path)
    assert result.exit_code == 1
    assert "le fichier est vide" in result.stderr

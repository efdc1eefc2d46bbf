"""`crm import-csv` for any file but the fixed format: an .xlsx, a French Excel CSV, a .vcf imported with `--as`
through the web import's services (mapping, preview, all-or-nothing commit), the dry run, rights and entity scope,
the bounds, errors with their line, the duplicates option and `--mapping`."""

import openpyxl
import pytest
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import AuditEntry, Client, Contact, ContactExtra, ImportBatch
from webapp.rights import CONTACTS_EDIT, CONTACTS_IMPORT, CONTACTS_LIST
from webapp.services.sheet_import import save_targets

from .test_sheet_import import csv_bytes
from .test_vcard_import import count, role_with

HEADER = ["Société", "Nom", "Prénom", "E-mail", "Portable", "Code postal", "Ville", "Stand visité"]
ROWS = [
    ["Boulangeries Paul", "Zébulon", "Anaïs", "anais@paul.fr", "06 12 34 56 78", "59000", "Lille", "B12"],
    ["Boulangeries Paul", "Lefèvre", "Noël", "noel@paul.fr", "", "75011", "Paris", ""],
    ["Œuvres Çà et Là", "Dürer", "Éloïse", "eloise@oeuvres.fr", "", "69001", "Lyon", "C3"],
]


def write_xlsx(tmp_path, rows, name="salon.xlsx"):
    workbook = openpyxl.Workbook()
    workbook.active.title = "Contacts"
    for row in rows:
        workbook.active.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def run(app, path, *options):
    return app.test_cli_runner().invoke(args=["crm", "import-csv", str(path), *options])


def contact(app, email) -> Contact:
    with app.app_context():
        found = db.session.scalars(select(Contact).where(Contact.email == email)).one()
        db.session.expunge(found)
        return found


@pytest.fixture
def paris(make):
    return make.entity("Paris")


@pytest.fixture
def seller(make, paris):
    return make.user("VENDEUR Victor", role="Commercial", entities=[paris], email="victor@example.com")


def test_an_xlsx_with_french_headers_is_imported_as_the_user(app, tmp_path, seller, paris):
    result = run(app, write_xlsx(tmp_path, [HEADER, *ROWS]), "--as", "Victor@Example.com")
    assert result.exit_code == 0, result.output
    assert "salon.xlsx (Feuille « Contacts »)" in result.stdout
    assert "Société → Société" in result.stdout and "Portable → Mobile" in result.stdout
    assert "Stand visité → Informations complémentaires" in result.stdout
    assert "Aperçu : 3 lignes lues : 3 nouvelles, 0 doublon possible, 0 erreur" in result.stdout
    assert "Import terminé : 3 créés, 0 mis à jour, 0 ignoré, 0 erreur, 2 comptes clients créés." in result.stdout
    anais = contact(app, "anais@paul.fr")
    assert (anais.last_name, anais.first_name, anais.mobile, anais.postal_code) == (
        "Zébulon", "Anaïs", "06 12 34 56 78", "59000")
    assert anais.owner_id == seller.id
    with app.app_context():
        account = db.session.get(Client, anais.client_id)
        assert [e.label for e in account.entities] == ["Paris"]  # the user's entities, as on the web
        assert db.session.scalars(select(ContactExtra.value).where(ContactExtra.contact_id == anais.id)).all() == ["B12"]
        assert set(db.session.scalars(select(AuditEntry.via).where(AuditEntry.record_type == "contact"))) == {"import"}
    assert count(app, ImportBatch) == 0


def test_the_visible_account_of_that_name_is_used(app, tmp_path, make, seller, paris):
    existing = make.client_account(name="BOULANGERIES PAUL", entities=[paris])
    result = run(app, write_xlsx(tmp_path, [HEADER, *ROWS]), "--as", "victor@example.com")
    assert result.exit_code == 0, result.output
    assert "1 compte client créé" in result.stdout
    assert contact(app, "anais@paul.fr").client_id == existing.id


def test_a_french_excel_csv_that_is_not_the_fixed_format(app, tmp_path, seller):
    path = tmp_path / "export.csv"
    path.write_bytes(csv_bytes([HEADER, *ROWS], encoding="cp1252", separator=";"))
    refused = run(app, path)
    assert refused.exit_code == 1
    assert "en-tête incorrect" in refused.stderr and "--as EMAIL" in refused.stderr
    result = run(app, path, "--as", "victor@example.com")
    assert result.exit_code == 0, result.output
    assert "export.csv (Lu en Windows-1252, séparateur « ; »)" in result.stdout
    assert "3 créés" in result.stdout
    assert contact(app, "eloise@oeuvres.fr").last_name == "Dürer"


def test_a_dry_run_prints_the_preview_and_writes_nothing(app, tmp_path, make, seller, paris):
    account = make.client_account(name="Boulangeries Paul", entities=[paris])
    make.contact(account, last_name="Lefèvre", first_name="Noël", email="noel@paul.fr")
    rows = [*ROWS, ["Boulangeries Paul", "", "", "", "", "", "", "B7"]]
    result = run(app, write_xlsx(tmp_path, [HEADER, *rows]), "--as", "victor@example.com", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Aperçu : 4 lignes lues : 2 nouvelles, 1 doublon possible, 1 erreur" in result.stdout
    assert "À créer : 2, à mettre à jour : 0, à ignorer : 1, en erreur : 1, comptes à créer : 1" in result.stdout
    assert "Essai (--dry-run) : rien n'a été écrit." in result.stdout
    assert "ligne 5 : Ligne sans nom (ni Nom, ni Prénom) : non importée." in result.stderr
    assert "Import terminé" not in result.stdout
    assert (count(app, Contact), count(app, Client), count(app, ImportBatch)) == (1, 1, 0)


def test_errors_are_listed_with_their_line_and_the_other_rows_imported(app, tmp_path, seller):
    rows = [["Contacts du salon"], [], HEADER, ROWS[0], ["Boulangeries Paul", "", "", "", "", "", "", "B7"],
            ROWS[2]]
    result = run(app, write_xlsx(tmp_path, rows), "--as", "victor@example.com")
    assert result.exit_code == 0, result.output
    assert "Import terminé : 2 créés, 0 mis à jour, 0 ignoré, 1 erreur" in result.stdout
    assert "1 ligne non importée :" in result.stderr
    assert "ligne 5 : Ligne sans nom (ni Nom, ni Prénom) : non importée." in result.stderr
    assert count(app, Contact) == 2


def test_a_user_without_the_import_right_is_refused(app, tmp_path, make, paris):
    make.user("LECTEUR Luc", role=role_with(app, "Lecteur", {CONTACTS_LIST}), entities=[paris],
              email="luc@example.com")
    result = run(app, write_xlsx(tmp_path, [HEADER, *ROWS]), "--as", "luc@example.com")
    assert result.exit_code == 1
    assert ("luc@example.com n'a pas le droit « Comptes & Contacts - Importer des fichiers vcf » : rien n'a été "
            "importé.") in result.stderr
    assert "Traceback" not in result.output
    assert (count(app, Contact), count(app, Client), count(app, ImportBatch)) == (0, 0, 0)


@pytest.mark.parametrize("email", ["nobody@example.com", "retired@example.com"])
def test_an_unknown_or_inactive_user_is_refused(app, tmp_path, make, email):
    make.user("ANCIEN Paul", role="Administrateur", email="retired@example.com", active=False)
    result = run(app, write_xlsx(tmp_path, [HEADER, *ROWS]), "--as", email)
    assert result.exit_code == 1
    assert f"Aucun utilisateur actif n'a l'e-mail {email}" in result.stderr
    assert count(app, Contact) == 0


def test_a_workbook_without_as_is_refused(app, tmp_path):
    result = run(app, write_xlsx(tmp_path, [HEADER, *ROWS]))
    assert result.exit_code == 1
    assert "salon.xlsx n'est pas au format fixe de crm import-csv : indiquez l'utilisateur" in result.stderr


def test_without_the_right_to_create_accounts_an_unknown_company_is_an_error(app, tmp_path, make, paris):
    make.client_account(name="Boulangeries Paul", entities=[paris])
    make.user("SAISIE Sam", role=role_with(app, "Saisie", {CONTACTS_LIST, CONTACTS_EDIT, CONTACTS_IMPORT}),
              entities=[paris], email="sam@example.com")
    result = run(app, write_xlsx(tmp_path, [HEADER, *ROWS]), "--as", "sam@example.com")
    assert result.exit_code == 0, result.output
    assert "Import terminé : 2 créés, 0 mis à jour, 0 ignoré, 1 erreur." in result.stdout
    assert ("ligne 4 : Aucun compte « Œuvres Çà et Là » ne vous est accessible et vous n'avez pas le droit de créer "
            "des comptes : non importée.") in result.stderr
    assert count(app, Client) == 1


def test_an_account_of_another_entity_is_neither_seen_nor_used(app, tmp_path, make, seller):
    lyon = make.entity("Lyon")
    hidden = make.client_account(name="Boulangeries Paul", entities=[lyon])
    make.contact(hidden, last_name="Zébulon", first_name="Anaïs", email="anais@paul.fr")
    result = run(app, write_xlsx(tmp_path, [HEADER, *ROWS]), "--as", "victor@example.com", "--duplicates", "update")
    assert result.exit_code == 0, result.output
    # Same e-mail: a possible duplicate, but of a contact the user may not see, so it is not updated.
    assert "1 doublon possible ne peut être mis à jour" in result.stdout
    assert "Import terminé : 2 créés, 0 mis à jour, 1 ignoré, 0 erreur, 2 comptes clients créés." in result.stdout
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Client).where(
            Client.name == "Boulangeries Paul")) == 2


@pytest.mark.parametrize("option, expected, contacts, function", [
    ((), "0 créé, 0 mis à jour, 1 ignoré", 1, "Gérant"),
    (("--duplicates", "skip"), "0 créé, 0 mis à jour, 1 ignoré", 1, "Gérant"),
    (("--duplicates", "update"), "0 créé, 1 mis à jour, 0 ignoré", 1, "Directrice"),
    (("--duplicates", "create"), "1 créé, 0 mis à jour, 0 ignoré", 2, "Gérant"),
])
def test_the_duplicates_option(app, tmp_path, make, seller, paris, option, expected, contacts, function):
    account = make.client_account(name="Boulangeries Paul", entities=[paris])
    make.contact(account, last_name="Zébulon", first_name="Anaïs", email="anais@paul.fr", function="Gérant")
    rows = [["Société", "Nom", "Prénom", "E-mail", "Fonction"],
            ["Boulangeries Paul", "Zébulon", "Anaïs", "ANAIS@paul.fr", "Directrice"]]
    result = run(app, write_xlsx(tmp_path, rows), "--as", "victor@example.com", *option)
    assert result.exit_code == 0, result.output
    assert "1 ligne lue : 0 nouvelle, 1 doublon possible" in result.stdout
    assert f"Import terminé : {expected}, 0 erreur." in result.stdout
    assert count(app, Contact) == contacts
    with app.app_context():
        assert db.session.scalars(select(Contact.function).order_by(Contact.id)).first() == function


@pytest.mark.parametrize("setting, value, message", [
    ("SHEET_MAX_ROWS", 2, "salon.xlsx compte plus de 2 lignes : rien n'a été importé. Découpez le fichier."),
    ("SHEET_MAX_BYTES", 1000, "salon.xlsx dépasse la taille maximale"),
])
def test_the_web_import_bounds_refuse_the_whole_file(app, tmp_path, monkeypatch, seller, setting, value, message):
    monkeypatch.setitem(app.config, setting, value)
    result = run(app, write_xlsx(tmp_path, [HEADER, *ROWS]), "--as", "victor@example.com")
    assert result.exit_code == 1
    assert message in result.stderr
    assert (count(app, Contact), count(app, Client), count(app, ImportBatch)) == (0, 0, 0)


def test_the_users_saved_mapping_is_used_then_the_mapping_option(app, tmp_path, seller):
    with app.app_context():
        from webapp.models import User
        save_targets(db.session.get(User, seller.id), HEADER,
                     ["company", "last_name", "first_name", "email", "phone", "", "city", "notes"])
        db.session.commit()
    path = write_xlsx(tmp_path, [HEADER, ROWS[0]])
    result = run(app, path, "--as", "victor@example.com", "--dry-run")
    assert "Colonnes (correspondance enregistrée par l'utilisateur pour ces colonnes) :" in result.stdout
    assert "Portable → Téléphone" in result.stdout and "Code postal → Ne pas importer" in result.stdout
    result = run(app, path, "--as", "victor@example.com", "--mapping", "Portable=mobile, F=Code postal")
    assert result.exit_code == 0, result.output
    assert "Portable → Mobile" in result.stdout and "Code postal → Code postal" in result.stdout
    anais = contact(app, "anais@paul.fr")
    assert (anais.mobile, anais.phone, anais.postal_code, anais.notes) == ("06 12 34 56 78", None, "59000", "B12")


@pytest.mark.parametrize("mapping, message", [
    ("Fax=phone", "--mapping : aucune colonne « Fax »"),
    ("Nom=surnom", "--mapping : champ « surnom » inconnu"),
    ("Nom=ignore,Prénom=ignore", "Indiquez au moins la colonne du nom"),
])
def test_a_wrong_mapping_is_refused(app, tmp_path, seller, mapping, message):
    result = run(app, write_xlsx(tmp_path, [HEADER, *ROWS]), "--as", "victor@example.com", "--mapping", mapping)
    assert result.exit_code == 1
    assert message in result.stderr
    assert count(app, Contact) == 0


def test_a_vcf_file_is_imported_as_the_user(app, tmp_path, seller):
    path = tmp_path / "cartes.vcf"
    path.write_text("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Blou;Hélène;;;\r\nFN:Hélène Blou\r\nORG:APROOL\r\n"
                    "EMAIL:helene@aprool.fr\r\nEND:VCARD\r\n"
                    "BEGIN:VCARD\r\nVERSION:4.0\r\nKIND:org\r\nFN:APROOL\r\nORG:APROOL\r\nEND:VCARD\r\n", encoding="utf-8")
    result = run(app, path, "--as", "victor@example.com")
    assert result.exit_code == 0, result.output
    assert "2 fiches lues : 1 nouvelle, 0 doublon possible, 1 erreur" in result.stdout
    assert "Import terminé : 1 créé" in result.stdout
    assert "fiche 2 : Fiche d'une société ou d'un groupe, pas d'une personne : non importée." in result.stderr
    assert contact(app, "helene@aprool.fr").last_name == "Blou"


def test_options_of_the_other_files_are_refused_with_the_fixed_format(app, contacts_csv, seller):
    result = run(app, contacts_csv, "--dry-run")
    assert result.exit_code == 1
    assert "est au format fixe de crm import-csv (ses 27 colonnes) : il se charge sans --dry-run" in result.stderr
    assert count(app, Contact) == 0

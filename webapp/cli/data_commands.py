"""`crm import-csv` and `crm demo-data`: thin wrappers printing what the services did."""
import sys
import time
from pathlib import Path

import click
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.exc import SQLAlchemyError

from ..services.cli_import import (DUPLICATE_CHOICES, Bounds, CliImport, CliImportRefused, acting_user, csv_reading,
                                   import_file)
from ..services.csv_import import CsvImport
from ..services.csv_rows import CsvFormatError, NotFixedFormat
from ..services.demo_data import DEFAULT_PASSWORD, DemoDataError, contact_count, load_demo_data
from ..unit_of_work import commit, rollback, unit_of_work
from . import crm_cli

OTHER_FILES = (".xlsx", ".xls", ".ods", ".vcf")  # never the fixed format: the web import's path

# How the report names each kind of record.
KINDS = {
    "contacts": ("Contacts", "créés", "déjà présents"),
    "clients": ("Sociétés", "créées", "déjà présentes"),
    "users": ("Commerciaux", "créés", "déjà présents"),
}
DEMO_KINDS = {"users": "utilisateurs", "clients": "sociétés", "contacts": "contacts", "links": "liens",
              "tasks": "tâches", "opportunities": "opportunités", "proposals": "propositions", "deals": "affaires",
              "mailing_lists": "listes de diffusion", "subscriptions": "abonnements"}
REFERENCE_KINDS = {"Entity": "entités", "Sector": "secteurs", "SizeBand": "tailles",
                   "RevenueRange": "fourchettes de CA", "Origin": "origines", "Department": "services",
                   "Skill": "compétences"}


def _number(value: int) -> str:
    """1234567 -> "1 234 567" (narrow no-break spaces, as French typography has it)."""
    return f"{value:,}".replace(",", "\u202f")


def _fail(message: str) -> None:
    """Stop the command with a message on stderr and exit status 1."""
    click.echo(f"Erreur : {message}", err=True)
    raise SystemExit(1)


def _batch_done(bar, lines: int) -> None:
    """Keep each imported batch (a failed run resumes where it stopped), then move the progress bar."""
    commit()
    bar.update(lines)


@crm_cli.command("import-csv")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "acting", metavar="EMAIL",
              help="The user importing any other file (columns mapped, .xlsx, .xls, .ods, .vcf): their rights apply.")
@click.option("--duplicates", type=click.Choice(DUPLICATE_CHOICES), default="skip", show_default=True,
              help="What to do with a possible duplicate of an existing contact.")
@click.option("--dry-run", is_flag=True, help="Print the preview (counts, errors with their line) and write nothing.")
@click.option("--mapping", metavar='"COLUMN=FIELD,..."',
              help="Fields for some columns (header or letter = last_name, email, extra, ignore...), over the guess.")
def import_csv_command(path: Path, acting: str | None, duplicates: str, dry_run: bool, mapping: str | None):
    """Import contacts: the fixed CSV format streamed (clients, salespeople and reference values it names created),
    any other spreadsheet or vCard file in the name of a user (--as), through the web import's preview and commit."""
    options = [name for name, given in (("--as", acting), ("--duplicates", duplicates != "skip"),
                                        ("--dry-run", dry_run), ("--mapping", mapping)) if given]
    if path.suffix.lower() in OTHER_FILES:
        _import_other(path, acting, duplicates, dry_run, mapping)
        return
    try:
        job = CsvImport(path)
    except NotFixedFormat as error:
        if acting:
            _import_other(path, acting, duplicates, dry_run, mapping)
            return
        _fail(f"{path} refusé, rien n'a été importé : {error}. " + _(
            "Pour importer un autre fichier, colonne par colonne comme sur l'écran « Importer un fichier », "
            "indiquez l'utilisateur au nom duquel importer : --as EMAIL."))
    except CsvFormatError as error:
        _fail(f"{path} refusé, rien n'a été importé : {error}")
    if options:
        _fail(_("%(path)s est au format fixe de crm import-csv (ses 27 colonnes) : il se charge sans %(options)s, "
                "qui ne valent que pour les autres fichiers. Rien n'a été importé.",
                path=path, options=", ".join(options)))
    _import_fixed(path, job)


def _import_fixed(path: Path, job: CsvImport) -> None:
    """Stream the fixed format in batches, committing each, then print what was created."""
    started = time.perf_counter()
    try:
        with click.progressbar(length=max(job.lines - 1, 1), label="Import des contacts", file=sys.stderr) as bar:
            report = job.run(on_progress=lambda lines: _batch_done(bar, lines))
    except SQLAlchemyError as error:
        rollback()
        _fail(f"la base a refusé l'écriture ({getattr(error, 'orig', None) or error}). Les lots déjà validés "
              "sont enregistrés : relancer la commande reprend là où elle s'est arrêtée.")
    seconds = time.perf_counter() - started
    click.echo(f"Import terminé en {seconds:.1f} s : {_number(report.rows)} lignes lues.")
    if job.encoding not in ("utf_8", "utf_8_sig") or job.separator != ",":
        click.echo(f"  {csv_reading(job.encoding, job.separator)}")
    for kind, (label, created, existing) in KINDS.items():
        click.echo(f"  {label} : {_number(report.created[kind])} {created}, "
                   f"{_number(report.existing[kind])} {existing}")
    references = [f"{name} {report.created[kind]}" for kind, name in REFERENCE_KINDS.items() if report.created[kind]]
    click.echo("  Valeurs de référence créées : " + (", ".join(references) if references else "aucune"))
    if report.rejected_count:
        click.echo(f"  Lignes ignorées : {_number(report.rejected_count)}", err=True)
        for line, reason in report.rejected:
            click.echo(f"    ligne {line} : {reason}", err=True)
        if report.rejected_count > len(report.rejected):
            click.echo(f"    … et {_number(report.rejected_count - len(report.rejected))} autres", err=True)


def _import_other(path: Path, acting: str | None, duplicates: str, dry_run: bool, mapping: str | None) -> None:
    """Import any other file in a user's name through the web import's services; all or nothing."""
    if not acting:
        _fail(_("%(name)s n'est pas au format fixe de crm import-csv : indiquez l'utilisateur au nom duquel "
                "l'importer (--as EMAIL). Rien n'a été importé.", name=path.name))
    config = current_app.config
    bounds = Bounds(config["SHEET_MAX_BYTES"], config["SHEET_MAX_ROWS"], config["SHEET_MAX_MEMORY"],
                    config["VCF_MAX_BYTES"], config["VCF_MAX_CARDS"], config["PHOTO_MAX_BYTES"],
                    config["PHOTO_MAX_PIXELS"])
    try:
        outcome = import_file(path, acting_user(acting), bounds, duplicates, dry_run, mapping)
    except CliImportRefused as error:
        rollback()
        _fail(error.message)
    except SQLAlchemyError as error:
        rollback()
        _fail(f"la base a refusé l'écriture ({getattr(error, 'orig', None) or error}) : rien n'a été importé.")
    if dry_run:
        rollback()
    else:
        commit()
    _print_other(outcome, dry_run)


def _print_other(outcome: CliImport, dry_run: bool) -> None:
    """What the web shows of an import: how the file was read and mapped, the preview's counts, the report, the
    errors with their line."""
    click.echo(outcome.name + (f" ({outcome.read_as})" if outcome.read_as else ""))
    if outcome.columns:
        click.echo(_("Colonnes (%(source)s) :", source=outcome.mapping_from))
        for header, target in outcome.columns:
            click.echo(f"  {header} → {target}")
    click.echo(_("Aperçu : %(summary)s", summary=outcome.preview))
    click.echo(f"  {outcome.planned}")
    for notice in outcome.notices:
        click.echo(f"  {notice}")
    if dry_run:
        click.echo(_("Essai (--dry-run) : rien n'a été écrit."))
    else:
        click.echo(_("Import terminé : %(summary)s.", summary=outcome.report.summary()))
    if outcome.error_count:
        click.echo(ngettext("%(count)d ligne non importée :", "%(count)d lignes non importées :", outcome.error_count,
                            count=outcome.error_count), err=True)
        for where, reason in outcome.errors:
            click.echo(f"  {where} : {reason}", err=True)
        if outcome.error_count > len(outcome.errors):
            click.echo(f"  … et {_number(outcome.error_count - len(outcome.errors))} autres", err=True)


@crm_cli.command("demo-data")
@click.option("--contacts", default=2000, show_default=True, type=click.IntRange(min=1), help="How many contacts.")
@click.option("--seed", default=1, show_default=True, type=int, help="The same seed gives the same data.")
@click.option("--password", default=DEFAULT_PASSWORD, show_default=True, help="The password of every demo login.")
@click.option("--if-empty", is_flag=True, help="Do nothing, successfully, when the database holds contacts.")
def demo_data_command(contacts: int, seed: int, password: str, if_empty: bool):
    """Load realistic French demo data into a database without contacts, and print the demo logins."""
    if len(password) < 12:
        raise click.BadParameter("12 caractères au moins", param_hint="--password")
    if if_empty and (existing := contact_count()):
        click.echo(f"La base contient déjà {_number(existing)} contacts : données de démonstration non chargées.")
        return
    started = time.perf_counter()
    try:
        with unit_of_work():
            report = load_demo_data(contacts, seed, password)
    except DemoDataError as error:
        _fail(str(error))
    seconds = time.perf_counter() - started
    created = ", ".join(f"{_number(report.counts[kind])} {label}" for kind, label in DEMO_KINDS.items())
    click.echo(f"Données de démonstration chargées en {seconds:.1f} s (graine {seed}) : {created}.")
    click.echo("Connexions de démonstration :")
    width = max(len(login.email) for login in report.logins)
    for login in report.logins:
        password_text = login.password if login.password else "(compte existant, mot de passe inchangé)"
        click.echo(f"  {login.email:<{width}}  {password_text}  {login.name} – {login.role}, "
                   f"entités : {login.entities}")

"""`crm import-csv` and `crm demo-data`: thin wrappers printing what the services did."""
import sys
import time
from pathlib import Path

import click
from sqlalchemy.exc import SQLAlchemyError

from ..services.csv_import import CsvImport
from ..services.csv_rows import CsvFormatError
from ..services.demo_data import DEFAULT_PASSWORD, DemoDataError, contact_count, load_demo_data
from ..unit_of_work import commit, rollback, unit_of_work
from . import crm_cli

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
def import_csv_command(path: Path):
    """Import a contacts CSV: create the clients, contacts, salespeople and reference values it names."""
    started = time.perf_counter()
    try:
        job = CsvImport(path)
    except CsvFormatError as error:
        _fail(f"{path} refusé, rien n'a été importé : {error}")
    try:
        with click.progressbar(length=max(job.lines - 1, 1), label="Import des contacts", file=sys.stderr) as bar:
            report = job.run(on_progress=lambda lines: _batch_done(bar, lines))
    except SQLAlchemyError as error:
        rollback()
        _fail(f"la base a refusé l'écriture ({getattr(error, 'orig', None) or error}). Les lots déjà validés "
              "sont enregistrés : relancer la commande reprend là où elle s'est arrêtée.")
    seconds = time.perf_counter() - started
    click.echo(f"Import terminé en {seconds:.1f} s : {_number(report.rows)} lignes lues.")
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

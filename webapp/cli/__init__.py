"""`flask --app webapp crm ...`: set up, users, demo data, CSV import."""
import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from ..extensions import db
from ..models import Role, User
from ..services.accounts import set_password
from ..services.reference_data import ensure_entity, load_reference_data
from ..unit_of_work import unit_of_work

crm_cli = AppGroup("crm", help="Contacts clients: set-up and data commands.")


@crm_cli.command("init")
def init_command():
    """Load the reference lists, rights and roles (safe to run again)."""
    with unit_of_work():
        load_reference_data()
    click.echo("Reference lists, rights and roles are in place.")


@crm_cli.command("create-user")
@click.argument("email")
@click.option("--password", required=True, help="The login password (12 characters or more).")
@click.option("--name", "full_name", required=True, help='"NOM Prénom"')
@click.option("--role", "roles", multiple=True, help="A role name (repeatable).")
@click.option("--entity", "entities", multiple=True, help="An entity name (repeatable).")
def create_user_command(email, password, full_name, roles, entities):
    """Create a user who can log in, or update the one with this e-mail."""
    if len(password) < 12:
        raise click.BadParameter("use 12 characters or more", param_hint="--password")
    with unit_of_work():
        last_name, _sep, first_name = full_name.strip().partition(" ")
        found_roles = []
        for name in roles:
            role = db.session.scalars(select(Role).where(Role.name == name)).first()
            if role is None:
                known = ", ".join(db.session.scalars(select(Role.name)))
                raise click.BadParameter(f"unknown role {name!r} (known: {known}; run `crm init` first)",
                                         param_hint="--role")
            found_roles.append(role)
        user = db.session.scalars(select(User).where(func.lower(User.email) == email.lower())).first()
        if user is None:
            user = User(email=email.lower())
            db.session.add(user)
        user.set_names(last_name, first_name)
        set_password(user, password)  # an existing user's sessions end, as with a new password from the admin screen
        user.active = True
        user.roles = found_roles
        user.entities = [ensure_entity(name) for name in entities]
    click.echo(f"User {user.display_name} <{user.email}> is ready.")


from . import data_commands  # noqa: E402,F401  (registers demo-data and import-csv)

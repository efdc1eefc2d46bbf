"""Alembic is the only way the schema is made: the migrations match the models, and downgrade works."""
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.migration_filters import include_object
from webapp.models import Contact


def test_migrations_match_the_models(app):
    with app.app_context():
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={
                "compare_type": True, "include_object": include_object, "render_as_batch": True,
            })
            diff = compare_metadata(context, db.metadata)
    assert diff == [], f"the models differ from the migrations: {diff}"


def test_downgrade_to_base_and_back(app):
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        command.downgrade(config, "base")
        with db.engine.connect() as connection:
            tables = set(db.inspect(connection).get_table_names()) - {"alembic_version"}
        assert tables == set()
        command.upgrade(config, "head")
        with db.engine.connect() as connection:
            assert "contact" in db.inspect(connection).get_table_names()


def test_duplicate_emails_already_stored_do_not_stop_the_unique_email_upgrade(app, make):
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        command.downgrade(config, "0005")
    try:
        account = make.client_account("APROOL")
        first = make.contact(account, "Blou", "Hélène", email="helene@aprool.com")
        second = make.contact(account, "Blou", "Helene", email="Helene@APROOL.com")
    finally:
        with app.app_context():
            command.upgrade(config, "head")
    with app.app_context():
        keys = dict(db.session.execute(select(Contact.id, Contact.email_key)).all())
        emails = dict(db.session.execute(select(Contact.id, Contact.email)).all())
        assert keys == {first.id: "helene@aprool.com", second.id: None}  # the oldest keeps the address's key
        assert emails[second.id] == "Helene@APROOL.com"  # the e-mail text is kept
        db.session.add(Contact(client_id=account.id, last_name="Trois", first_name="T", email_key="helene@aprool.com",
                               search_text=""))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()

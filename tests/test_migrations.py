"""Alembic is the only way the schema is made: the migrations match the models, and downgrade works."""
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from webapp.extensions import db
from webapp.migration_filters import include_object


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

"""An app on an empty database built by the migrations, for the benchmarks that load their own data
(bench_carddav, bench_documents)."""
from pathlib import Path

from alembic import command
from flask import Flask
from sqlalchemy import text

from webapp import create_app
from webapp.config import Config
from webapp.extensions import db
from webapp.services.reference_data import load_reference_data


def migrated_app(url: str) -> Flask:
    """The app on `url`, emptied (a SQLite file and its journals removed, PostgreSQL's public schema made again),
    migrated to head, with the reference lists, rights and roles of `crm init`."""
    config = Config()
    config.SQLALCHEMY_DATABASE_URI = url
    if url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    app = create_app(config)
    with app.app_context():
        if not url.startswith("sqlite"):
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        command.upgrade(app.extensions["migrate"].migrate.get_config(), "head")
        load_reference_data()
        db.session.commit()
    return app

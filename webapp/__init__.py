"""The application factory."""
from flask import Flask, current_app, has_request_context, request
from flask_login import current_user
from jinja2 import FileSystemLoader
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

from .config import INSTANCE, ROOT, Config
from .countries import country_name
from .extensions import babel, csrf, db, migrate
from .htmx import HTMX_CONFIG, is_partial
from .text import fold
from .unit_of_work import init_unit_of_work


def create_app(config: Config | None = None) -> Flask:
    """Build the app: extensions, blueprints, templates from templates/ and partials/, hooks."""
    app = Flask(__name__, static_folder=str(ROOT / "static"), instance_path=str(INSTANCE))
    app.config.from_object(config or Config())
    _engine_options(app)
    # Pages live in templates/, fragments in partials/ and are named by their full path.
    app.jinja_loader = FileSystemLoader([str(ROOT / "templates"), str(ROOT)])
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    from .compression import init_compression

    init_compression(app)  # its hook is registered first, so it runs last: on the final body and headers
    db.init_app(app)
    init_unit_of_work(app)  # the one place a request's writes are committed (or rolled back)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale, default_translation_directories=str(ROOT / "translations"))
    from . import auth, errors, formatting, limits, navigation, queries, security

    auth.init_login(app)
    limits.init_limits(app)
    errors.init_error_handlers(app)
    formatting.init_filters(app)
    navigation.init_navigation(app)
    app.jinja_env.globals.update(htmx_config=lambda: HTMX_CONFIG, is_partial=is_partial, country_name=country_name,
                                 contact_columns=queries.COLUMNS)

    from .form_fields import IdConverter

    app.url_map.converters["id"] = IdConverter  # every record id in a path: <id:contact_id>
    from .admin import bp as admin_bp
    from .auth import bp as auth_bp
    from .carddav import bp as carddav_bp
    from .cli import crm_cli
    from .clients import bp as clients_bp
    from .contacts import bp as contacts_bp
    from .deals import bp as deals_bp
    from .documents import bp as documents_bp
    from .health import bp as health_bp
    from .parameters import bp as parameters_bp
    from .tasks import bp as tasks_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(contacts_bp)
    app.register_blueprint(clients_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(parameters_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(tasks_bp)
    app.register_blueprint(deals_bp)
    app.register_blueprint(carddav_bp)
    app.register_blueprint(documents_bp)
    app.cli.add_command(crm_cli)
    # Registered after every other after_request hook, so it runs first: a later hook that fails (a rollback on
    # a lost connection) cannot leave an error page without its headers.
    security.init_security_headers(app)
    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    return app


def _engine_options(app: Flask) -> None:
    """Bounded waits: SQLite's busy timeout (SQLITE_BUSY_TIMEOUT_MS), PostgreSQL's connection timeout."""
    options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite"):
        options["connect_args"] = {**options.get("connect_args", {}),
                                   "timeout": app.config["SQLITE_BUSY_TIMEOUT_MS"] / 1000}
    elif url.startswith("postgresql"):
        # A server that does not answer at all (not a refused connection) would otherwise hold the worker.
        options["connect_args"] = {"connect_timeout": 5, **options.get("connect_args", {})}
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _select_locale() -> str | None:
    """The user's language, else the browser's best match among ours, else French (also outside a request)."""
    languages = ("fr", "en")
    if not has_request_context():
        return None
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    return request.accept_languages.best_match(languages) or "fr"


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """SQLite: foreign keys enforced, WAL so that reads go on while another connection writes, and crm_fold().

    The busy timeout is the driver's `timeout` (see _engine_options): a write waits that long for another
    connection's lock, then fails, and the error handler answers 503."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        # Folds like webapp.text.fold, for the accounts search (SQLite's lower() knows only ASCII).
        dbapi_connection.create_function("crm_fold", 1, fold, deterministic=True)


@event.listens_for(Pool, "checkout")
def _postgres_lock_timeout(dbapi_connection, connection_record, connection_proxy):
    """PostgreSQL: within a request, a statement waits at most PG_LOCK_TIMEOUT_MS for a lock another transaction
    holds (a row being saved, a `SELECT ... FOR UPDATE`), then fails and the error handler answers 503 with the
    transaction rolled back; so a held lock cannot freeze the workers. Outside a request (migrations, CLI
    commands) there is no limit. Set once per connection and per change, not at every checkout."""
    if not type(dbapi_connection).__module__.startswith("psycopg"):
        return
    wanted = int(current_app.config["PG_LOCK_TIMEOUT_MS"]) if has_request_context() else 0
    if connection_record.info.get("lock_timeout") != wanted:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = {wanted}")
        dbapi_connection.commit()  # outside any transaction, so that a rollback keeps the setting
        connection_record.info["lock_timeout"] = wanted

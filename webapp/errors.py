"""Error pages and fragments: a clear message, never a traceback, and never a query to the database.

The error path must work when the database is the thing that failed: a page whose user is not loaded yet (or
was expired by a rollback) is rendered as for a visitor instead of loading the user again.
"""
from flask import Flask, g, render_template
from flask_babel import lazy_gettext as _l
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc, inspect
from werkzeug.exceptions import HTTPException, InternalServerError

from . import unit_of_work
from .extensions import login_manager
from .htmx import is_partial

MESSAGES = {
    400: (_l("Requête invalide"), _l("La requête n'a pas pu être comprise. Rechargez la page et réessayez.")),
    401: (_l("Connexion requise"), _l("Veuillez vous connecter.")),
    403: (_l("Accès refusé"), _l("Vous n'avez pas le droit d'accéder à cette page ou à cette action.")),
    404: (_l("Introuvable"), _l("Cette page n'existe pas ou vous n'y avez pas accès.")),
    405: (_l("Méthode non autorisée"), _l("Cette action n'est pas possible à cette adresse.")),
    409: (_l("Conflit"), _l("Quelqu'un a modifié ces données entre-temps. Rechargez pour voir la dernière version.")),
    413: (_l("Fichier trop volumineux"), _l("L'envoi dépasse la taille autorisée.")),
    422: (_l("Données invalides"), _l("Certaines valeurs ne sont pas valides.")),
    429: (_l("Trop de requêtes"), _l("Trop de tentatives. Patientez quelques minutes.")),
    500: (_l("Erreur interne"), _l("Une erreur inattendue s'est produite. L'équipe technique a été prévenue.")),
    503: (_l("Service momentanément indisponible"),
          _l("La base de données ne répond pas pour le moment. Réessayez dans quelques secondes.")),
}
# Seconds a client is told to wait after a 503: a SQLite lock or a PostgreSQL restart lasts about that long.
RETRY_AFTER_SECONDS = 5
# SQLite's OperationalError also reports mistakes in the SQL; only these messages mean "busy, try again".
_SQLITE_BUSY = ("database is locked", "database is busy", "database table is locked", "unable to open database")


def database_unavailable(error: BaseException | None) -> bool:
    """True when the error says the database is busy or unreachable (worth a retry), not that a query is wrong."""
    if isinstance(error, (exc.DisconnectionError, exc.TimeoutError)):
        return True
    if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, exc.OperationalError):
        if type(error.orig).__module__.startswith("sqlite3"):
            return any(words in str(error.orig).lower() for words in _SQLITE_BUSY)
        return True  # PostgreSQL: connection lost or refused, shutdown, deadlock, statement timeout
    return False


def _read_nothing_more() -> None:
    """From here on this request reads nothing more from the database (the error path, the after_request hooks)."""
    g.database_unavailable = True
    user = g.get("_login_user")  # Flask-Login's per-request cache of current_user
    state = inspect(user, raiseerr=False) if user is not None else None
    if user is None or (state is not None and state.expired_attributes):
        g._login_user = login_manager.anonymous_user()


def _rollback() -> None:
    """Forget the failed transaction; a connection already gone is discarded by the pool instead."""
    try:
        unit_of_work.rollback()
    except exc.SQLAlchemyError:
        _read_nothing_more()


def _render(code: int, title: str, message: str) -> tuple[str, int, dict[str, str]]:
    """The page, or for htmx the toast with the headers that send it to the toast region."""
    if is_partial():
        body = render_template("partials/_toast.html", message=message, level="error")
        return body, code, {"HX-Retarget": "#toasts", "HX-Reswap": "beforeend"}
    return render_template("errors/error.html", code=code, title=title, message=message), code, {}


def render_error(code: int, detail: str | None = None):
    """The error as a full page, or as a toast fragment for htmx; a 503 when rendering finds the database gone."""
    title, message = MESSAGES.get(code, MESSAGES[500])
    try:
        return _render(code, title, detail or message)
    except exc.SQLAlchemyError as error:
        if not database_unavailable(error):
            raise
    return database_error()


def database_error():
    """503 with Retry-After, rendered without the database: it is busy or unreachable, try again shortly."""
    _read_nothing_more()
    body, code, headers = _render(503, *MESSAGES[503])
    return body, code, {**headers, "Retry-After": str(RETRY_AFTER_SECONDS)}


def init_error_handlers(app: Flask) -> None:
    """Every error answers with a page or a toast: CSRF, HTTP errors, rate limits, the database, the rest."""

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, str(_l("Votre session a expiré ou le formulaire est périmé. "
                                         "Rechargez la page et réessayez.")))

    @app.errorhandler(RateLimitExceeded)
    def rate_limited(error: RateLimitExceeded):
        # Flask-Limiter adds Retry-After (RATELIMIT_HEADERS_ENABLED); the description is the limit's message.
        return render_error(429, error.description)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code in MESSAGES:
            return render_error(error.code)
        return error

    @app.errorhandler(exc.DBAPIError)
    @app.errorhandler(exc.DisconnectionError)
    @app.errorhandler(exc.TimeoutError)
    def database_down(error):
        """503 for a database busy or unreachable; any other database error goes on to the 500 page."""
        if not database_unavailable(error):
            raise error
        # No rollback here: it would expire the loaded user the page still shows; the session's teardown
        # discards the transaction, and nothing commits a response of 400 or more.
        app.logger.warning("database unavailable: %s", error)
        return database_error()

    @app.errorhandler(InternalServerError)
    def server_error(error):
        original = getattr(error, "original_exception", None)
        if database_unavailable(original):
            return database_down(original)
        _rollback()
        app.logger.exception("unhandled error", exc_info=original or error)
        return render_error(500)

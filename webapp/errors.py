"""Error pages and fragments: a clear message, never a traceback."""
from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from . import unit_of_work
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
}


def render_error(code: int, detail: str | None = None):
    """The error as a full page, or as a toast fragment for htmx."""
    title, message = MESSAGES.get(code, MESSAGES[500])
    message = detail or message
    if is_partial():
        body = render_template("partials/_toast.html", message=message, level="error")
        return body, code, {"HX-Retarget": "#toasts", "HX-Reswap": "beforeend"}
    return render_template("errors/error.html", code=code, title=title, message=message), code


def init_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, str(_l("Votre session a expiré ou le formulaire est périmé. "
                                         "Rechargez la page et réessayez.")))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code in MESSAGES:
            return render_error(error.code)
        return error

    @app.errorhandler(InternalServerError)
    def server_error(error):
        unit_of_work.rollback()  # before rendering: the failed request may have left the session unusable
        app.logger.exception("unhandled error", exc_info=getattr(error, "original_exception", error))
        return render_error(500)

"""Rate limits per user on imports and exports, counted in Redis so that they hold across app servers.

The numbers are settings (IMPORT_RATE_LIMIT, EXPORT_RATE_LIMIT, CONTACT_EXPORT_RATE_LIMIT) read at each request
(IMPORT_RATE_LIMIT counts the uploads and, apart, the preview's confirmations);
the decorators go under the route's right check, so that only a logged-in user holding the right is counted.
"""
from flask import Flask, current_app, request
from flask_babel import lazy_gettext as _l
from flask_limiter import Limiter
from flask_login import current_user

IMPORTS_MESSAGE = _l("Trop d'imports en peu de temps. Patientez quelques minutes, puis réessayez.")
EXPORTS_MESSAGE = _l("Trop d'exports en peu de temps. Patientez quelques minutes, puis réessayez.")


def _user_key() -> str:
    """Count per user, whichever app server or address the request comes from."""
    return f"user:{current_user.id}"


limiter = Limiter(key_func=_user_key)


def _setting(name: str):
    """The limit as the running app's configuration says, read at each request."""
    return lambda: current_app.config[name]


def _message(text):
    """The 429's message, translated in the request's language."""
    return lambda: str(text)


imports = limiter.shared_limit(_setting("IMPORT_RATE_LIMIT"), scope="imports",
                               error_message=_message(IMPORTS_MESSAGE))
# The preview's "Importer" (and the mapping screen's "Aperçu") writes or maps a whole upload: counted like the
# uploads, in a counter of its own; cancelling, and moving between the preview's pages and filters, never are.
import_confirms = limiter.shared_limit(_setting("IMPORT_RATE_LIMIT"), scope="import-confirms",
                                       error_message=_message(IMPORTS_MESSAGE),
                                       exempt_when=lambda: request.form.get("action", "commit") != "commit")
exports = limiter.shared_limit(_setting("EXPORT_RATE_LIMIT"), scope="exports",
                               error_message=_message(EXPORTS_MESSAGE))
contact_exports = limiter.shared_limit(_setting("CONTACT_EXPORT_RATE_LIMIT"), scope="contact-exports",
                                       error_message=_message(EXPORTS_MESSAGE))


def init_limits(app: Flask) -> None:
    """Bind the limiter to the app (storage, strategy and headers come from the RATELIMIT_* settings)."""
    limiter.init_app(app)

"""Documents ("Recherchez dans vos fichiers – Classez ici vos fichiers"): filing files against contacts and
accounts, searching them by content, downloading them; each record's documents section."""
from flask import Blueprint

bp = Blueprint("documents", __name__)

from . import routes  # noqa: E402,F401  (the search page, filing, classifying, downloads, the records' sections)

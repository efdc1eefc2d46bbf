"""Client accounts: the list, the record, the form."""
from flask import Blueprint

bp = Blueprint("clients", __name__)

from . import routes  # noqa: E402,F401  (registers its views on bp)

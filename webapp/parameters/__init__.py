"""Reference lists the administrators maintain."""
from flask import Blueprint

bp = Blueprint("parameters", __name__, url_prefix="/parameters")

from . import routes  # noqa: E402,F401  (registers its views on bp)

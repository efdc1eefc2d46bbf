"""Health check for load balancers."""
from flask import Blueprint
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .errors import RETRY_AFTER_SECONDS
from .extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 when the database answers, 503 (with Retry-After) otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        # No rollback: on a lost connection it could raise again; the session's teardown discards it.
        return {"status": "unavailable"}, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return {"status": "ok"}, 200

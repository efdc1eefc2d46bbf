"""Health check for load balancers."""
from flask import Blueprint
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 when the database answers, 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:  # the 503 makes the unit of work roll the failed statement back
        return {"status": "unavailable"}, 503
    return {"status": "ok"}, 200

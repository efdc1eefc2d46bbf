"""The one place that commits: services only flush; a request, a CLI command or a job is one unit of work.

A request commits when its view returned a response below 400 and rolls back otherwise (a 422 form, a 409
conflict, an error page write nothing), like Django's ATOMIC_REQUESTS and SQLAlchemy's session per request. A CLI
command or a job wraps its work in `unit_of_work()`. Long streamed work that must keep what it did so far (an
export that numbers its cards in batches) calls `commit()` between batches: it is still this module that commits.
"""
from contextlib import contextmanager

from flask import Flask, Response
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db


def commit() -> None:
    """Make what the session flushed so far permanent."""
    db.session.commit()


def rollback() -> None:
    """Forget everything the session did since its last commit."""
    db.session.rollback()


@contextmanager
def unit_of_work():
    """Commit the block's writes when it ends normally, roll them back when it raises (CLI commands, jobs)."""
    try:
        yield db.session
    except BaseException:
        rollback()
        raise
    commit()


def init_unit_of_work(app: Flask) -> None:
    """Commit each request's writes once its view answered successfully; roll back on an error status."""

    @app.after_request
    def _end_request(response: Response) -> Response:
        if response.status_code < 400:
            commit()
            return response
        try:
            rollback()
        except SQLAlchemyError:  # the connection is already gone (a 503): the session's teardown discards it
            app.logger.info("rollback after an error answer failed; the connection is discarded")
        return response

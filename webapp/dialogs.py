"""Forms of the record's actions (tasks, opportunities, skills, mailing lists, accounts): a <dialog> when htmx
opens them into #dialog-slot, the form alone when htmx re-renders it, a page of its own otherwise."""
from flask import abort, flash, make_response, redirect, render_template, request
from flask_login import current_user

from .extensions import db
from .htmx import is_partial, toast, trigger
from .services import idempotency

# A save in a dialog answers an empty body into the dialog slot, which closes the dialog (static/app.js).
CLOSE_DIALOG = {"HX-Retarget": "#dialog-slot", "HX-Reswap": "innerHTML"}


def form_response(template: str, title: str, form, cancel_url: str, status: int | None = None, **context):
    """The form as a dialog (htmx opening it), alone (htmx re-rendering it after errors) or as a page."""
    status = status or (422 if form is not None and form.is_submitted() else 200)
    context = dict(form=form, title=title, cancel_url=cancel_url, **context)
    if is_partial() and request.headers.get("HX-Target") == "dialog-slot":
        return render_template("partials/record/_dialog.html", template=template, in_dialog=True, **context), status
    if is_partial():
        return render_template(template, in_dialog=True, **context), status
    return render_template("record/form_page.html", template=template, in_dialog=False, **context), status


def saved(message: str, next_url: str, event: str | None = "contacts-changed", body: str = "", *,
          detail=None, level: str = "success", undo: str | None = None):
    """After a save in a dialog: close it (or swap `body` into its slot), show a toast (with an undo button when
    `undo` is given) and send `event` with `detail` to the page (htmx); flash and redirect to `next_url` otherwise."""
    if not is_partial():
        flash(message, "success")
        return redirect(next_url)
    response = make_response(body, 200, CLOSE_DIALOG)
    toast(response, message, level, undo)
    if event:
        trigger(response, event, detail)
    return response


def repeat_of(form, model):
    """On a submit of a create form (form_fields.CreateKey): the record an earlier submit of the same rendered form
    created, for this one to answer with; else None, the form's key now reserved for this request (a simultaneous
    submit with it waits for this one's transaction). A record deleted since answers 409: nothing to create again."""
    if request.method != "POST":
        return None
    first = idempotency.claim(form.idempotency_key.data, current_user.id)
    if first is None or first.record_id is None:
        return None
    record = db.session.get(model, first.record_id) if first.record_type == model.__tablename__ else None
    if record is None:
        abort(409)
    return record


def remember(form, record):
    """Note the record this submit created, for a repeat of the form to answer with; returns the record."""
    idempotency.record(form.idempotency_key.data, current_user.id, record.__tablename__, record.id)
    return record

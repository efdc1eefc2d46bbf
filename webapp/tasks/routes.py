"""Tasks of a contact (Tâches commerciales): create, edit, close; attachments downloaded and removed."""
from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import load_only

from .. import rights
from ..access import requires
from ..dialogs import form_response, remember, repeat_of, saved
from ..extensions import db
from ..htmx import is_partial, toast, trigger
from ..models import Contact, Task, TaskAttachment
from ..return_urls import local_url
from ..scope import contact_visible, get_contact_or_404
from ..services import tasks as service
from ..services.filenames import content_disposition
from . import bp
from .forms import TaskForm

ATTACHMENT_COLUMNS = (TaskAttachment.id, TaskAttachment.task_id, TaskAttachment.filename, TaskAttachment.mime,
                      TaskAttachment.size, TaskAttachment.created_at)


@bp.route("/contacts/<id:contact_id>/tasks/new", methods=["GET", "POST"])
@requires(rights.TASKS)
def new_for_contact(contact_id: int):
    """Add a task to a contact: in a dialog for htmx, as a page otherwise."""
    contact = get_contact_or_404(current_user, contact_id)
    form = TaskForm(assignee_id=current_user.id)
    next_url = _next_url(contact)
    if (task := repeat_of(form, Task)) is None and form.validate_on_submit():
        task = remember(form, service.create_task(contact.id, form.values(), form.files, current_user.id))
    if task is not None:  # created now, or by an earlier submit of this form (a double click, a retry)
        return saved(_("La tâche « %(name)s » a été ajoutée.", name=task.name), next_url)
    return form_response("partials/tasks/_form.html", _("Ajouter une tâche · %(name)s", name=contact.display_name),
                         form, next_url, contact=contact, task=None,
                         action=url_for(".new_for_contact", contact_id=contact.id, next=request.args.get("next")))


@bp.route("/tasks/<id:task_id>/edit", methods=["GET", "POST"])
@requires(rights.TASKS)
def edit(task_id: int):
    """Edit a task, add files to it, or close it by choosing the status Terminée."""
    task = _task_or_404(task_id)
    form = TaskForm(task=task)
    next_url = _next_url(task.contact)
    if form.validate_on_submit():
        service.update_task(task, form.values(), form.files, current_user.id)
        return saved(_("La tâche « %(name)s » a été enregistrée.", name=task.name), next_url)
    return form_response("partials/tasks/_form.html", _("Modifier la tâche · %(name)s", name=task.contact.display_name),
                         form, next_url, contact=task.contact, task=task, attachments=attachment_list(task.id),
                         action=url_for(".edit", task_id=task.id, next=request.args.get("next")))


@bp.post("/tasks/<id:task_id>/close")
@requires(rights.TASKS)
def close(task_id: int):
    """Mark a task Terminée from the record's table."""
    task = _task_or_404(task_id)
    service.close_task(task, current_user.id)
    message = _("La tâche « %(name)s » est terminée.", name=task.name)
    if not is_partial():
        flash(message, "success")
        return redirect(_next_url(task.contact))
    # The button swaps nothing: the record refreshes its sections on contacts-changed.
    return toast(trigger(make_response(""), "contacts-changed"), message)


@bp.get("/tasks/attachments/<id:attachment_id>")
@requires(rights.CONTACTS_LIST)
def attachment(attachment_id: int):
    """Download a task's file under its safe name; never shown inline, never sniffed."""
    item = _attachment_or_404(attachment_id, with_data=True)
    response = make_response(item.data)
    response.headers["Content-Type"] = item.mime if item.mime in service.SAFE_TYPES.values() else (
        "application/octet-stream")
    response.headers["Content-Disposition"] = content_disposition(item.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.post("/tasks/attachments/<id:attachment_id>/delete")
@requires(rights.TASKS)
def delete_attachment(attachment_id: int):
    """Remove a file from a task."""
    item = _attachment_or_404(attachment_id)
    task = item.task
    name = item.filename
    service.delete_attachment(item, current_user.id)
    message = _("Le fichier « %(name)s » a été retiré.", name=name)
    if not is_partial():
        flash(message, "success")
        return redirect(url_for(".edit", task_id=task.id, next=request.args.get("next")))
    body = render_template("partials/tasks/_attachments_editor.html", task=task, attachments=attachment_list(task.id))
    return toast(trigger(make_response(body), "contacts-changed"), message)


def attachment_list(task_id: int) -> list[TaskAttachment]:
    """A task's files without their content (names, sizes), oldest first."""
    return list(db.session.scalars(select(TaskAttachment).where(TaskAttachment.task_id == task_id)
                                   .options(load_only(*ATTACHMENT_COLUMNS)).order_by(TaskAttachment.id)))


def _task_or_404(task_id: int) -> Task:
    """A task of a contact the user may see; 404 otherwise."""
    task = db.session.scalars(select(Task).join(Contact, Contact.id == Task.contact_id)
                              .where(Task.id == task_id, contact_visible(current_user))).first()
    if task is None:
        abort(404)
    return task


def _attachment_or_404(attachment_id: int, with_data: bool = False) -> TaskAttachment:
    """A file of a task the user may see (its content only when asked); 404 otherwise."""
    query = (select(TaskAttachment).join(Task, Task.id == TaskAttachment.task_id)
             .join(Contact, Contact.id == Task.contact_id)
             .where(TaskAttachment.id == attachment_id, contact_visible(current_user)))
    if not with_data:
        query = query.options(load_only(*ATTACHMENT_COLUMNS))
    item = db.session.scalars(query).first()
    if item is None:
        abort(404)
    return item


def _next_url(contact: Contact) -> str:
    """Where to go after a save without JavaScript: the page asked for, else the contact's record."""
    return local_url(request.args.get("next"), url_for("contacts.show", contact_id=contact.id))

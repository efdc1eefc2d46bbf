"""Every write to a task: create, update, close, add and remove attachments; all audited."""
import re
from dataclasses import dataclass

from ..extensions import db
from ..models import TASK_STATUSES, Task, TaskAttachment
from .audit import record_changes, record_created, record_deleted
from .filenames import safe_filename

# The columns a form may write; nothing else ever comes from the outside.
FIELDS = ("priority", "due_at", "task_type_id", "name", "assignee_id", "description", "status")

# Attachments are served with a type only when it is one a browser will not run; anything else (HTML, SVG,
# scripts, unknown) goes out as application/octet-stream. The type comes from the stored name, never from the
# browser that sent the file.
SAFE_TYPES = {
    "pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
    "webp": "image/webp", "txt": "text/plain", "csv": "text/csv", "zip": "application/zip",
    "doc": "application/msword", "xls": "application/vnd.ms-excel", "ppt": "application/vnd.ms-powerpoint",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text", "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation", "eml": "message/rfc822",
    "msg": "application/vnd.ms-outlook", "ics": "text/calendar", "vcf": "text/vcard",
}
_EXTENSION = re.compile(r"^[A-Za-z0-9]{1,10}$")


@dataclass
class NewAttachment:
    """A file received from a form, already bounded in size."""

    filename: str
    data: bytes


def attachment_name(filename: str | None) -> str:
    """A name safe to store and to send back: no path, no control or bidirectional characters, 255 octets at most."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or not _EXTENSION.match(extension):
        stem, extension = name, ""
    suffix = f".{extension.lower()}" if extension else ""
    return safe_filename(stem, suffix, max_length=200) if stem.strip(" .") else f"fichier{suffix}"


def attachment_mime(filename: str) -> str:
    """The type to serve a stored file with: a known harmless type from its extension, else octet-stream."""
    extension = filename.rpartition(".")[2].lower() if "." in filename else ""
    return SAFE_TYPES.get(extension, "application/octet-stream")


def _add_attachments(task: Task, files: list[NewAttachment]) -> list[str]:
    names = []
    for upload in files:
        name = attachment_name(upload.filename)
        item = TaskAttachment(filename=name, mime=attachment_mime(name), size=len(upload.data), data=upload.data)
        if task.id is None:
            task.attachments.append(item)
        else:  # added by id: appending to task.attachments would first load every stored file
            item.task_id = task.id
            db.session.add(item)
        names.append(name)
    return names


def _check(values: dict) -> None:
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ValueError(f"not writable: {sorted(unknown)}")
    if "status" in values and values["status"] not in TASK_STATUSES:
        raise ValueError(f"unknown status {values['status']!r}")


def create_task(contact_id: int, values: dict, files: list[NewAttachment], user_id: int | None,
                via: str = "form") -> Task:
    """Create a task on a contact with its attachments; audited as one creation."""
    _check(values)
    task = Task(contact_id=contact_id, created_by_id=user_id, **values)
    names = _add_attachments(task, files)
    db.session.add(task)
    db.session.flush()
    record_created("task", task.id, {"contact_id": contact_id, **values, "attachments": names}, via, user_id)
    return task


def update_task(task: Task, values: dict, files: list[NewAttachment], user_id: int | None,
                via: str = "form") -> dict:
    """Apply changed values and add attachments; returns {field: (old, new)} of what changed."""
    _check(values)
    changes = {name: (getattr(task, name), value) for name, value in values.items() if getattr(task, name) != value}
    for name, (_old, new) in changes.items():
        setattr(task, name, new)
    if files:
        changes["attachments"] = (None, ", ".join(_add_attachments(task, files)))
    if changes:
        db.session.flush()
        record_changes("task", task.id, changes, via, user_id)
    return changes


def close_task(task: Task, user_id: int | None, via: str = "form") -> bool:
    """Mark a task Terminée; False when it already was."""
    if task.status == "done":
        return False
    return bool(update_task(task, {"status": "done"}, [], user_id, via))


def delete_attachment(attachment: TaskAttachment, user_id: int | None, via: str = "form") -> None:
    """Remove a file from its task; the task's trail keeps its name and size."""
    record_changes("task", attachment.task_id, {"attachments": (attachment.filename, None)}, via, user_id)
    record_deleted("task_attachment", attachment.id, {"task_id": attachment.task_id, "filename": attachment.filename,
                                                      "size": attachment.size}, via, user_id)
    db.session.delete(attachment)
    db.session.flush()

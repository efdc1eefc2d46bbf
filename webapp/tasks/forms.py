"""The task form, shared by the dialog and its page; fields that other record forms reuse (users, Paris time)."""
from datetime import UTC, datetime

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, MultipleFileField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ..form_fields import CreateKey, local_zone, optional_id, plain_text, reference_choices, strip, user_choices
from ..models import Task, TaskType
from ..rules import clean_multiline
from ..services.tasks import NewAttachment

PRIORITIES = [(1, _l("Basse")), (2, _l("Normale")), (3, _l("Haute"))]
STATUSES = [("todo", _l("Non démarrée")), ("in_progress", _l("En cours")), ("done", _l("Terminée")),
            ("cancelled", _l("Annulée"))]
MAX_FILES = 10


def multiline(value):
    """Several lines as typed, without NUL or other control characters (PostgreSQL refuses NUL)."""
    return clean_multiline(value) if isinstance(value, str) else value


class LocalDateTimeField(DateTimeLocalField):
    """A date and time typed in local (Paris) time, held as an aware UTC datetime."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"], **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(str(_l("Date et heure invalides (exemple : 10/08/2022 à 11:15)."))) from error
        if self.data is not None:
            self.data = self.data.replace(tzinfo=local_zone()).astimezone(UTC)

    def process_data(self, value):
        self.data = value

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        if isinstance(self.data, datetime):
            moment = self.data.astimezone(local_zone()) if self.data.tzinfo else self.data
            return moment.strftime("%Y-%m-%dT%H:%M")
        return ""


class TaskForm(CreateKey, FlaskForm):
    """A commercial task: priority, when, type, name, who follows it, report, status, files."""

    # Declared in the order the form shows them, so the first field in error is the first one focused.
    name = StringField(_l("Nom de la tâche"), filters=[strip], validators=[
        DataRequired(_l("Saisissez le nom de la tâche.")), Length(max=200, message=_l("200 caractères au plus.")),
        plain_text])
    # InputRequired, not DataRequired: the latter would hide "invalid date" behind "missing date".
    due_at = LocalDateTimeField(_l("Date et heure"), validators=[InputRequired(_l("Saisissez la date et l'heure."))])
    task_type_id = SelectField(_l("Type"), coerce=optional_id)
    priority = SelectField(_l("Priorité"), choices=[SelectChoice(v, label) for v, label in PRIORITIES], coerce=int,
                           default=2)
    assignee_id = SelectField(_l("Suivi par"), coerce=optional_id, validators=[
        DataRequired(_l("Choisissez qui suit la tâche."))])
    status = SelectField(_l("Statut"), choices=[SelectChoice(v, label) for v, label in STATUSES], default="todo")
    description = TextAreaField(_l("Description / compte-rendu"), filters=[multiline], validators=[
        Optional(), Length(max=10_000, message=_l("10 000 caractères au plus."))])
    attachments = MultipleFileField(_l("Attachement(s)"))

    def __init__(self, *args, task: Task | None = None, assignee_id: int | None = None, **kwargs):
        super().__init__(*args, obj=task, **kwargs)
        if task is None and not self.is_submitted():
            self.assignee_id.data = assignee_id
        self.task_type_id.choices = reference_choices(TaskType, task.task_type_id if task else None,
                                                      str(_l("— Choisir —")))
        self.assignee_id.choices = user_choices(task.assignee_id if task else assignee_id, str(_l("— Choisir —")))
        self.files: list[NewAttachment] = []
        self.had_files = False  # files were sent: after an error the browser will not send them again

    def validate_attachments(self, field) -> None:
        """Each file 10 MB at most (ATTACHMENT_MAX_BYTES), 10 files at a time, none empty."""
        # gettext, not lazy_gettext: a lazy string renders unescaped in Jinja, and the file name is the sender's.
        limit = current_app.config["ATTACHMENT_MAX_BYTES"]
        uploads = [f for f in (field.data or []) if getattr(f, "filename", None)]
        self.had_files = bool(uploads)
        if len(uploads) > MAX_FILES:
            raise ValidationError(_("%(count)d fichiers au plus à la fois.", count=MAX_FILES))
        for upload in uploads:
            data = upload.stream.read(limit + 1)
            if len(data) > limit:
                raise ValidationError(_("Le fichier « %(name)s » dépasse %(size)s Mo.", name=upload.filename[:100],
                                        size=_megabytes(limit)))
            if not data:
                raise ValidationError(_("Le fichier « %(name)s » est vide.", name=upload.filename[:100]))
            self.files.append(NewAttachment(upload.filename, data))

    def values(self) -> dict:
        """The task's columns as typed."""
        return {"priority": self.priority.data, "due_at": self.due_at.data, "task_type_id": self.task_type_id.data,
                "name": self.name.data, "assignee_id": self.assignee_id.data,
                "description": self.description.data or None, "status": self.status.data}


def _megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    return f"{value:.0f}" if value >= 1 else f"{value:.2f}".replace(".", ",")

"""What the contact's record shows: its tasks (sorted, paged), its affaires, its subscriptions, its trail, and
the vCard its QR code carries. Read-only: every write lives in webapp/services."""
import io
from dataclasses import dataclass, field

import segno
from flask import url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from ..extensions import db
from ..listing import Column, Listing, read_page
from ..models import AuditEntry, Contact, ContactPhoto, MailingListSubscription, Task, TaskAttachment, TaskType, User
from ..problem_messages import LINK_LABELS
from ..rights import CONTACTS_MERGE
from ..services import duplicates, merge
from ..services.audit_words import TrailLine, trail_in_words
from ..services.contacts import usage_of
from ..services.vcard_write import ExportCard, contact_to_vcard

TASK_PER_PAGE = (20, 50, 100, 200)
TASK_STATUS_ORDER = {"todo": 0, "in_progress": 1, "done": 2, "cancelled": 3}
# The record's task table, in screen order; the columns without a sort show the contact's phones and the files.
TASK_COLUMNS = (
    Column("priority", _l("Priorité"), sort=(Task.priority,)),
    Column("due_at", _l("Date / Heure de la tâche"), sort=(Task.due_at,)),
    Column("type", _l("Type"), sort=(func.lower(TaskType.label),)),
    Column("name", _l("Nom de la tâche"), sort=(func.lower(Task.name),)),
    Column("assignee", _l("Suivi par"), sort=(User.name_key,)),
    Column("description", _l("Description / Compte-rendu")),
    Column("mobile", _l("Tél. mobile")),
    Column("phone", _l("Tél. fixe")),
    Column("attachments", _l("Attachement(s)")),
    Column("status", _l("Statut"), sort=(case(TASK_STATUS_ORDER, value=Task.status, else_=9),)),
)
TASK_SORTS = {column.key: column.sort for column in TASK_COLUMNS if column.sortable}
HISTORY_LIMIT = 200


@dataclass
class TaskTable(Listing):
    """The record's task list: its order and page come from the URL (tsort, tpage, tper) and make its links."""

    contact_id: int
    back: str = ""
    sort: str = "due_at"
    descending: bool = True
    page: int = 1
    per_page: int = 200
    total: int = 0
    rows: list = field(default_factory=list)

    columns = TASK_COLUMNS
    sorts = TASK_SORTS
    sort_arg, page_arg, per_page_arg = "tsort", "tpage", "tper"
    default_sort = "-due_at"
    descending_first = frozenset({"due_at"})

    @classmethod
    def from_args(cls, contact_id: int, args: MultiDict, back: str = "") -> "TaskTable":
        """Read the table's state; unknown values fall back to the default (newest date first, 200 a page)."""
        table = cls(contact_id=contact_id, back=back)
        table.read_sort(args.get("tsort"))
        table.page = read_page(args.get("tpage"))
        per_page = args.get("tper", "")
        if per_page.isdigit() and int(per_page) in TASK_PER_PAGE:
            table.per_page = int(per_page)
        return table

    def state(self) -> dict:
        """The table's parameters as the record's URL carries them (with the list it was opened from)."""
        return {"back": self.back, "tsort": self.sort_param, "tpage": self.page, "tper": self.per_page}

    def defaults(self) -> dict:
        """The parameters' values when the URL leaves them out."""
        return {"tsort": self.default_sort, "tpage": 1, "tper": 200}

    def base_url(self) -> str:
        """The list's URL without parameters."""
        return url_for("contacts.show", contact_id=self.contact_id)

    def load(self) -> "TaskTable":
        """Count and read the page (the last one when the page asked for is past the end)."""
        self.total = db.session.scalar(select(func.count()).select_from(Task)
                                       .where(Task.contact_id == self.contact_id))
        self.clamp_page()
        columns = TASK_SORTS[self.sort]
        order = [c.desc().nulls_last() if self.descending else c.asc().nulls_last() for c in columns]
        order.append(Task.id.desc() if self.descending else Task.id)
        query = (select(Task).outerjoin(TaskType, TaskType.id == Task.task_type_id)
                 .outerjoin(User, User.id == Task.assignee_id)
                 .where(Task.contact_id == self.contact_id).order_by(*order)
                 .limit(self.per_page).offset((self.page - 1) * self.per_page)
                 .options(selectinload(Task.task_type), selectinload(Task.assignee),
                          selectinload(Task.attachments).load_only(TaskAttachment.id, TaskAttachment.task_id,
                                                                   TaskAttachment.filename, TaskAttachment.size)))
        self.rows = list(db.session.scalars(query))
        return self


def history(contact_id: int, user: User, limit: int = HISTORY_LIMIT) -> list[TrailLine]:
    """The contact's audit trail, newest first, in words (names, labels, channels) in the interface's language."""
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.record_type == "contact",
                                                          AuditEntry.record_id == contact_id)
                                 .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)).all()
    return trail_in_words(entries, user, str(get_locale() or "fr"))


def social_links(contact: Contact) -> list[tuple[str, str, bool]]:
    """(label, url, is_link) for each link: only http and https addresses become links."""
    result = []
    for link in contact.links:
        url = (link.url or "").strip()
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        result.append((str(LINK_LABELS.get(link.kind, link.kind)), url, scheme in ("http", "https") and "//" in url))
    return result


def record_context(contact: Contact, user: User, args: MultiDict, back: str) -> dict:
    """Everything the record page shows besides the contact's own columns."""
    usage = usage_of([contact.id])[contact.id]
    subscriptions = db.session.scalars(
        select(MailingListSubscription).where(MailingListSubscription.contact_id == contact.id)
        .options(selectinload(MailingListSubscription.mailing_list))).all()
    subscriptions = sorted(subscriptions, key=lambda s: (s.status != "subscribed", s.mailing_list.full_label.lower()))
    photo_at = db.session.scalar(select(ContactPhoto.updated_at).where(ContactPhoto.contact_id == contact.id))
    return {"usage": usage, "subscriptions": subscriptions, "history": history(contact.id, user),
            "duplicate_count": len(duplicates.duplicates_of(user, contact.id)),
            "merge_undo": merge.latest_undoable(user, contact.id) if user.can(CONTACTS_MERGE) else None,
            "tasks": TaskTable.from_args(contact.id, args, back).load(), "links": social_links(contact),
            "photo_version": int(photo_at.timestamp()) if photo_at else None,
            "skills": sorted(contact.skills, key=lambda s: s.label.lower())}


# ---------------------------------------------------------------------------------------------- the QR code

def vcard_payload(contact: Contact, minimal: bool = False) -> str:
    """The vCard 3.0 a phone reads from the QR code: name, company, function, phones, e-mail (no photo: a QR
    code holds under 3 KB). `minimal` keeps only the name, phones and e-mail, for values too long otherwise."""
    # The international form when known, so the phone dials it from abroad too.
    phones = [(e164 or raw, kind) for raw, e164, kind in ((contact.mobile, contact.mobile_e164, "cell"),
                                                          (contact.phone, contact.phone_e164, "work")) if raw]
    card = ExportCard(last_name=contact.last_name, first_name=contact.first_name, phones=phones,
                      emails=[contact.email] if contact.email else [])
    if not minimal:
        card.org = contact.client.name if contact.client else None
        card.title = contact.function
    return contact_to_vcard(card)


def qr_svg(contact: Contact) -> bytes:
    """The QR code of the contact's vCard as an SVG document (dark modules on white, no script, no style)."""
    for payload in (vcard_payload(contact), vcard_payload(contact, minimal=True), "BEGIN:VCARD\r\nEND:VCARD"):
        try:
            code = segno.make(payload, error="l", boost_error=True, micro=False)
        except segno.DataOverflowError:
            continue
        out = io.BytesIO()
        title = "".join(ch for ch in f"vCard {contact.display_name}" if ch.isprintable())[:200]
        code.save(out, kind="svg", scale=4, border=2, dark="#000", light="#fff", xmldecl=True, title=title)
        return out.getvalue()
    raise AssertionError("an empty vCard always fits")  # pragma: no cover

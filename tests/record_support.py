"""What the record, task, affaires, dialog and account tests share: a small world after the seed's example."""
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import (Contact, MailingList, MailingListSubscription, Role, RoleRight, Task, TaskAttachment,
                           TaskType, User)
from webapp.phones import to_e164

HOSTILE = ["<script>alert(1)</script>", "javascript:alert(1)", "\u202egnp.exe", "😀 émoji ✓", "Robert'); DROP--"]


@dataclass
class World:
    seller: User
    other_seller: User
    aprool: object
    outside: object
    blou: Contact
    hidden: Contact
    east: object
    west: object


def make_world(make, login_as, role="Commercial") -> World:
    """APROOL (entity Est) with BLOU Hélène, seen by COTILLON Marion; an account of entity Ouest she cannot see."""
    east, west = make.entity("Est"), make.entity("Ouest")
    seller = make.user("COTILLON Marion", role=role, entities=[east])
    other = make.user("BOLESE Géraldine", role="Commercial", entities=[west])
    aprool = make.client_account("APROOL", entities=[east], owner=make.user("BERTRAND Nicolas", entities=[east]))
    blou = make.contact(aprool, "BLOU", "Hélène", function="Chef de projet", email="helene.blou@aprool.com",
                        phone="01.20.35.99.65", phone_e164=to_e164("01.20.35.99.65"), mobile="06.25.34.12.57",
                        mobile_e164=to_e164("06.25.34.12.57"), country="FR")
    outside = make.client_account("Ailleurs", entities=[west])
    hidden = make.contact(outside, "INVISIBLE", "Ivan", email="ivan@ailleurs.fr")
    login_as(seller)
    return World(seller, other, aprool, outside, blou, hidden, east, west)


def role_without(app, name: str, right: str) -> str:
    """A copy of role `name` without `right`; returns the new role's name."""
    with app.app_context():
        source = db.session.scalars(select(Role).where(Role.name == name)).one()
        role = Role(name=f"{name} sans {right}",
                    rights=[RoleRight(right=code) for code in source.right_codes if code != right])
        db.session.add(role)
        db.session.commit()
        return role.name


def task_type_id(app, label="Rendez-vous") -> int:
    with app.app_context():
        return db.session.scalars(select(TaskType.id).where(TaskType.label == label)).one()


def add_task(app, contact_id, name="Rendez-vous physique", due=datetime(2022, 8, 10, 9, 15, tzinfo=UTC),
             type_label="Rendez-vous", assignee_id=None, files=(), **values) -> int:
    """A task stored directly (10/08/2022 à 11:15 in Paris by default), with files given as (name, bytes)."""
    with app.app_context():
        task = Task(contact_id=contact_id, name=name, due_at=due, assignee_id=assignee_id,
                    task_type_id=db.session.scalars(select(TaskType.id).where(TaskType.label == type_label)).one(),
                    **values)
        task.attachments = [TaskAttachment(filename=n, mime="application/pdf", size=len(d), data=d) for n, d in files]
        db.session.add(task)
        db.session.commit()
        return task.id


def add_mailing_list(app, label="Malistemaljet", provider="Mailjet", active=True) -> int:
    with app.app_context():
        item = MailingList(label=label, provider=provider, active=active)
        db.session.add(item)
        db.session.commit()
        return item.id


def subscribe(app, contact_id, list_id, since=date(2019, 4, 11), status="subscribed") -> None:
    with app.app_context():
        db.session.add(MailingListSubscription(contact_id=contact_id, mailing_list_id=list_id, since=since,
                                               status=status))
        db.session.commit()

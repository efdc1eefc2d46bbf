"""`crm demo-data`: every table filled, the seed's APROOL example, the same data for a seed, working logins."""
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, text

from webapp.extensions import db
from webapp.models import (AuditEntry, Client, Contact, ContactLink, Deal, Entity, MailingList,
                           MailingListSubscription, Opportunity, Proposal, Task, User, client_entities,
                           contact_skills, user_entities)
from webapp.scope import contact_visible
from webapp.services.accounts import authenticate
from webapp.services.demo_data import load_demo_data
from webapp.services.reference_data import load_reference_data

PARIS = ZoneInfo("Europe/Paris")
FILLED = (Entity, User, Client, Contact, ContactLink, Task, Opportunity, Proposal, Deal, MailingList,
          MailingListSubscription, AuditEntry, client_entities, contact_skills, user_entities)


def run_demo(app, *args):
    return app.test_cli_runner().invoke(args=["crm", "demo-data", *args])


def count(table) -> int:
    return db.session.scalar(select(func.count()).select_from(table))


def snapshot() -> dict:
    """The demo's content by names and values, without ids or creation times."""
    contacts = db.session.execute(select(
        Client.name, Client.archived, Contact.last_name, Contact.first_name, Contact.email, Contact.phone,
        Contact.function, Contact.left_company, Contact.city, User.email,
    ).join(Client, Contact.client_id == Client.id).outerjoin(User, Contact.owner_id == User.id)).all()
    tasks = db.session.execute(select(Contact.email, Contact.last_name, Task.name, Task.due_at, Task.status,
                                      Task.priority).join(Contact, Task.contact_id == Contact.id)).all()
    deals = db.session.execute(select(Contact.last_name, Deal.title, Deal.amount, Deal.signed_date)
                               .join(Contact, Deal.contact_id == Contact.id)).all()
    subscriptions = db.session.execute(select(Contact.email, MailingList.label, MailingListSubscription.status,
                                              MailingListSubscription.since)
                                       .join(Contact).join(MailingList)).all()
    return {name: sorted(rows, key=repr) for name, rows in
            (("contacts", contacts), ("tasks", tasks), ("deals", deals), ("subscriptions", subscriptions))}


def wipe() -> None:
    """Remove every row, as an empty installation has none."""
    for table in reversed(db.metadata.sorted_tables):
        if table.name == "department":
            db.session.execute(text("UPDATE department SET parent_id = NULL"))
        db.session.execute(delete(table))
    db.session.commit()


def test_demo_data_fills_every_table_and_prints_the_logins(app):
    result = run_demo(app, "--contacts", "200", "--seed", "3")
    assert result.exit_code == 0, result.output
    with app.app_context():
        empty = [getattr(table, "__tablename__", getattr(table, "name", table)) for table in FILLED
                 if count(table) == 0]
        assert empty == []
        assert count(Contact) == 200
        assert count(Client) == 10
        assert db.session.scalar(select(func.count()).where(Contact.left_company.is_(True))) > 0
        assert db.session.scalar(select(func.count()).where(Task.due_at > datetime.now(UTC))) > 0
        deals_per_contact = db.session.scalars(select(func.count()).select_from(Deal).group_by(Deal.contact_id))
        assert max(deals_per_contact) >= 2  # some contacts have several deals
    for login in ("admin@example.com", "responsable@example.com", "commercial@example.com"):
        assert login in result.stdout
    assert "demo-password" in result.stdout


def test_the_seed_example_aprool_and_blou_helene_is_there(app):
    assert run_demo(app, "--contacts", "100", "--seed", "8").exit_code == 0
    with app.app_context():
        account = db.session.scalars(select(Client).where(Client.name == "APROOL")).one()
        blou = db.session.scalars(select(Contact).where(Contact.client_id == account.id,
                                                        Contact.last_name == "Blou")).one()
        assert (blou.first_name, blou.function, blou.department.label) == ("Hélène", "Chef de projet", "Marketing")
        assert (blou.phone, blou.mobile, blou.email) == ("01.20.35.99.65", "06.25.34.12.57",
                                                         "helene.blou@aprool.com")
        assert blou.phone_e164 == "+33120359965"
        tasks = db.session.scalars(select(Task).where(Task.contact_id == blou.id).order_by(Task.due_at)).all()
        assert [(task.task_type.label, task.assignee.display_name, task.due_at) for task in tasks] == [
            ("Rendez-vous téléphonique", "BOLESE Géraldine", datetime(2020, 9, 24, 16, 0, tzinfo=PARIS)),
            ("Rendez-vous", "COTILLON Marion", datetime(2022, 8, 10, 11, 15, tzinfo=PARIS)),
        ]
        assert tasks[0].due_at.tzinfo is not None
        assert db.session.scalar(select(func.count()).select_from(Deal).where(Deal.contact_id == blou.id)) == 1
        [subscription] = blou.subscriptions
        assert (subscription.mailing_list.full_label, subscription.status, subscription.since) == (
            "Mailjet - Malistemaljet", "subscribed", date(2019, 4, 11))


def test_the_same_seed_gives_the_same_data(app):
    with app.app_context():
        load_demo_data(150, seed=5, today=date(2025, 1, 15))
        first = snapshot()
        wipe()
        load_demo_data(150, seed=5, today=date(2025, 1, 15))
        assert snapshot() == first
        wipe()
        load_demo_data(150, seed=6, today=date(2025, 1, 15))
        assert snapshot()["contacts"] != first["contacts"]
        wipe()
        load_reference_data()


def test_demo_users_can_log_in_and_the_commercial_sees_one_entity(app, client, csrf):
    assert run_demo(app, "--contacts", "300", "--seed", "1").exit_code == 0
    with app.app_context():
        for email, role in (("admin@example.com", "Administrateur"),
                            ("responsable@example.com", "Responsable commercial"),
                            ("commercial@example.com", "Commercial")):
            user = authenticate(email, "demo-password").user
            assert user is not None and [r.name for r in user.roles] == [role]
        commercial = db.session.scalars(select(User).where(User.email == "commercial@example.com")).one()
        assert [entity.label for entity in commercial.entities] == ["Île-de-France"]
        visible = db.session.scalar(select(func.count()).select_from(Contact).where(contact_visible(commercial)))
        assert 0 < visible < count(Contact)
    response = client.post("/login", data={"email": "commercial@example.com", "password": "demo-password",
                                           "csrf_token": csrf["token"]})
    assert response.status_code == 302


def test_refused_when_the_database_holds_contacts_unless_if_empty(app, make):
    make.contact(make.client_account(name="ACME"))
    result = run_demo(app, "--contacts", "50")
    assert result.exit_code == 1
    assert "la base contient déjà 1 contacts" in result.stderr
    result = run_demo(app, "--contacts", "50", "--if-empty")
    assert result.exit_code == 0
    assert "non chargées" in result.stdout
    with app.app_context():
        assert count(Contact) == 1


def test_an_existing_login_keeps_its_password(app, make):
    make.user(name="DURAND Alice", role="Administrateur", email="admin@example.com", password="my-own-password")
    result = run_demo(app, "--contacts", "40")
    assert result.exit_code == 0, result.output
    assert "compte existant, mot de passe inchangé" in result.stdout
    with app.app_context():
        assert authenticate("admin@example.com", "my-own-password").user is not None
        assert authenticate("commercial@example.com", "demo-password").user is not None

"""The columns the list's Affaires and Fonction sorts read: the deal count, kept by the database on every way
deals are written (ORM, bulk inserts, deletes, a deal moved to another contact), and the folded function; both
filled by the migration for the contacts already there."""
import pytest
from alembic import command
from sqlalchemy import delete, insert, select, update
from werkzeug.datastructures import MultiDict

from webapp.extensions import db
from webapp.models import Contact, Deal, User
from webapp.queries import ContactQuery


def counts(app, *contacts) -> list[int]:
    with app.app_context():
        return [db.session.scalar(select(Contact.deal_count).where(Contact.id == c.id)) for c in contacts]


def test_deal_count_follows_every_write(app, make):
    account = make.client_account("Aprool")
    jean, anne = make.contact(account, "Dupont", "Jean"), make.contact(account, "Martin", "Anne")
    assert counts(app, jean, anne) == [0, 0]
    with app.app_context():
        db.session.add_all([Deal(title=f"Affaire {i}", client_id=account.id, contact_id=jean.id) for i in range(2)])
        db.session.add(Deal(title="Sans contact", client_id=account.id))
        db.session.commit()
    assert counts(app, jean, anne) == [2, 0]
    with app.app_context():  # a bulk insert, as the demo data writes deals
        db.session.execute(insert(Deal), [{"title": "Lot", "client_id": account.id, "contact_id": anne.id,
                                           "status": "signée"}] * 3)
        db.session.commit()
    assert counts(app, jean, anne) == [2, 3]
    with app.app_context():
        moved = db.session.scalars(select(Deal.id).where(Deal.contact_id == anne.id)).first()
        db.session.execute(update(Deal).where(Deal.id == moved).values(contact_id=jean.id))
        db.session.execute(update(Deal).where(Deal.contact_id.is_(None)).values(contact_id=anne.id))
        db.session.execute(update(Deal).where(Deal.contact_id == jean.id).values(title="Renommée"))
        db.session.commit()
    assert counts(app, jean, anne) == [3, 3]
    with app.app_context():
        db.session.execute(delete(Deal).where(Deal.contact_id == anne.id))
        db.session.commit()
    assert counts(app, jean, anne) == [3, 0]


def test_function_sort_ignores_case_and_accents_and_puts_the_blank_last(app, make):
    entity = make.entity("Paris")
    account = make.client_account("Aprool", entities=[entity])
    for last_name, function in (("A", "vendeur"), ("B", "Électricien"), ("C", None), ("D", "acheteuse"),
                                ("E", "Directeur")):
        make.contact(account, last_name, "Jean", function=function)
    user = make.user(role="Administrateur", entities=[entity])
    with app.app_context():
        query = ContactQuery.from_args(MultiDict({"sort": "function"}))
        rows = query.page_of_rows(db.session.get(User, user.id)).rows
    assert [row.function for row in rows] == ["acheteuse", "Directeur", "Électricien", "vendeur", None]


@pytest.mark.parametrize("sort", ["phone", "-phone", "function", "-function", "client_owner", "-client_owner"])
def test_blanks_come_last_both_ways(app, make, sort):
    entity = make.entity("Paris")
    owner = make.user("VENTE Victor", entities=[entity])
    owned = make.client_account("Avec commercial", entities=[entity], owner=owner)
    orphan = make.client_account("Sans commercial", entities=[entity])
    make.contact(owned, "Plein", "Jean", function="Acheteur", phone="01 20 35 99 65", phone_e164="+33120359965")
    make.contact(orphan, "Vide", "Jean", function=None)
    user = make.user(role="Administrateur", entities=[entity])
    with app.app_context():
        query = ContactQuery.from_args(MultiDict({"sort": sort}))
        rows = query.page_of_rows(db.session.get(User, user.id)).rows
    assert [row.last_name for row in rows] == ["Plein", "Vide"]


def test_the_migration_fills_both_for_the_contacts_already_there(app, make):
    account = make.client_account("Aprool")
    jean = make.contact(account, "Dupont", "Jean", function="Chargée d'Études")
    anne = make.contact(account, "Martin", "Anne", function=None)
    with app.app_context():
        db.session.add_all([Deal(title=f"Affaire {i}", client_id=account.id, contact_id=jean.id) for i in range(4)])
        db.session.commit()
        config = app.extensions["migrate"].migrate.get_config()
        command.downgrade(config, "0003")
        db.session.remove()
        command.upgrade(config, "head")
    assert counts(app, jean, anne) == [4, 0]
    with app.app_context():
        keys = db.session.scalars(select(Contact.function_key).order_by(Contact.id)).all()
    assert keys == ["chargee d'etudes", None]
    with app.app_context():  # the triggers are back
        db.session.add(Deal(title="Encore", client_id=account.id, contact_id=anne.id))
        db.session.commit()
    assert counts(app, jean, anne) == [4, 1]

"""Mass actions through services/bulk.py, without HTTP: scope, all-or-nothing, audit per contact, derived columns."""
from datetime import date

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from webapp.extensions import db
from webapp.models import AuditEntry, Contact, MailingList, MailingListSubscription, Task, User
from webapp.models.contact_keys import DERIVED_COLUMNS, KEY_SOURCES, derived_columns
from webapp.queries import ContactQuery
from webapp.services import bulk


@pytest.fixture
def team(make):
    """A salesperson of the East entity, five East contacts (one without e-mail), one West contact."""
    east = make.entity("Est")
    seller = make.user("COTILLON Marion", entities=[east])
    aprool = make.client_account("APROOL", entities=[east])
    contacts = [make.contact(aprool, name, "Test", function="Achats", phone="01 20 35 99 65",
                             email=None if name == "Sansmail" else f"{name.lower()}@aprool.com")
                for name in ("Alpha", "Beta", "Gamma", "Delta", "Sansmail")]
    hidden = make.contact(make.client_account("Secret", entities=[make.entity("Ouest")]), "Cache", "Carl")
    return {"seller": seller, "contacts": contacts, "hidden": hidden, "other": make.user("BERTRAND Nicolas")}


def _ids(*contacts) -> list[int]:
    return [contact.id for contact in contacts]


def _audit(**where) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).filter_by(record_type="contact", **where)
                                   .order_by(AuditEntry.record_id)))


def test_a_selection_leaves_out_and_counts_what_the_user_may_not_see(app, team):
    with app.app_context():
        seller = db.session.get(User, team["seller"].id)
        checked = bulk.resolve(seller, ids=_ids(*team["contacts"][:2], team["hidden"]))
        assert (checked.count, checked.out_of_scope) == (2, 1)
        assert set(db.session.scalars(checked.ids)) == set(_ids(*team["contacts"][:2]))
        across = bulk.resolve(seller, query=ContactQuery.from_args(MultiDict()))
        assert across.count == 5 and team["hidden"].id not in set(db.session.scalars(across.ids))


def test_reassign_audits_each_contact_and_keeps_derived_columns_right(app, team):
    alpha, beta, gamma = team["contacts"][:3]
    with app.app_context():
        seller = db.session.get(User, team["seller"].id)
        selection = bulk.resolve(seller, ids=_ids(alpha, beta, gamma, team["hidden"]))
        result = bulk.reassign(seller, selection, team["other"].id)
        assert result.changed == 3
        db.session.expire_all()
        moved = db.session.scalars(select(Contact).where(Contact.id.in_(_ids(alpha, beta, gamma)))).all()
        assert {(contact.owner_id, contact.version) for contact in moved} == {(team["other"].id, 2)}
        for contact in moved:  # the set-based UPDATE leaves the derived columns as the pure function has them
            values = {name: getattr(contact, name) for name in KEY_SOURCES}
            assert {name: getattr(contact, name) for name in DERIVED_COLUMNS} == derived_columns(values, "APROOL")
        entries = _audit(via="bulk", field="owner_id")
        assert [(e.record_id, e.old_value, e.new_value, e.user_id) for e in entries] == [
            (contact.id, None, str(team["other"].id), seller.id) for contact in sorted(moved, key=lambda c: c.id)]
        assert db.session.get(Contact, team["hidden"].id).owner_id is None
        assert bulk.undo_reassign(seller, result.at, team["other"].id) == 3
        db.session.expire_all()
        assert {contact.owner_id for contact in db.session.scalars(select(Contact))} == {None}


def test_mailing_lists_name_the_contacts_without_email_and_audit_each_subscription(app, team):
    with app.app_context():
        seller = db.session.get(User, team["seller"].id)
        letter = MailingList(provider="Mailjet", label="Lettre", position=0)
        db.session.add(letter)
        db.session.flush()
        alpha = team["contacts"][0]
        db.session.add(MailingListSubscription(contact_id=alpha.id, mailing_list_id=letter.id,
                                               status="unsubscribed", since=date(2024, 1, 1)))
        selection = bulk.resolve(seller, ids=_ids(*team["contacts"], team["hidden"]))
        result = bulk.change_subscriptions(seller, selection, [letter.id], subscribe=True)
        assert (result.changed, result.kept_unsubscribed, result.without_email) == (3, 1, ["SANSMAIL Test"])
        subscribed = set(db.session.scalars(select(MailingListSubscription.contact_id).where(
            MailingListSubscription.status == "subscribed")))
        assert subscribed == set(_ids(*team["contacts"][1:4]))
        entries = _audit(via="bulk", field="Liste de diffusion Mailjet - Lettre")
        assert [(e.record_id, e.new_value) for e in entries] == [(i, "subscribed") for i in sorted(subscribed)]
        forced = bulk.change_subscriptions(seller, selection, [letter.id], subscribe=True, force=True)
        assert forced.changed == 1 and forced.already == 3


def test_delete_unused_keeps_the_used_contacts_and_audits_each_deletion(app, team):
    alpha = team["contacts"][0]
    with app.app_context():
        seller = db.session.get(User, team["seller"].id)
        db.session.add(Task(contact_id=alpha.id, name="Appel"))
        db.session.flush()
        result = bulk.delete_unused(seller, bulk.resolve(seller, ids=_ids(*team["contacts"], team["hidden"])))
        assert (result.deleted, result.kept_count) == (4, 1)
        assert result.kept == [(alpha.id, "ALPHA Test", "1 tâche")]
        remaining = set(db.session.scalars(select(Contact.id)))
        assert remaining == {alpha.id, team["hidden"].id}
        assert {e.record_id for e in _audit(via="bulk", action="delete")} == set(_ids(*team["contacts"][1:]))


def test_bulk_services_leave_the_commit_to_the_unit_of_work(app, team):
    with app.app_context():
        seller = db.session.get(User, team["seller"].id)
        bulk.reassign(seller, bulk.resolve(seller, ids=_ids(*team["contacts"])), team["other"].id)
        db.session.rollback()
        assert db.session.scalar(select(func.count()).where(Contact.owner_id.is_not(None))) == 0
        assert not _audit(via="bulk")

"""Duplicate matching of an import without HTTP: by UID, e-mail, phone and name at the account, in that order;
inside the upload; and the user's scope (a contact the user cannot see is never offered for update)."""
import pytest

from webapp.extensions import db
from webapp.models import Contact, User
from webapp.services.vcard_batch import store_batch
from webapp.services.vcard_commit import ImportInvalid, commit_import
from webapp.services.vcard_mapping import read_upload
from webapp.services.vcard_plan import CardPlan
from webapp.services.vcard_matching import find_matches
from webapp.services.import_choices import ImportChoices
from webapp.services.vcard_preview import build_preview
from webapp.services.vcard_read import MAX_BYTES, MAX_CARDS, MAX_PHOTO
from webapp.text import fold


def card(*lines: str) -> str:
    return "BEGIN:VCARD\r\nVERSION:3.0\r\n" + "".join(line + "\r\n" for line in lines) + "END:VCARD\r\n"


def plans(*cards: str) -> list[CardPlan]:
    _files, read = read_upload([("test.vcf", "".join(cards).encode("utf-8"))], MAX_BYTES, MAX_CARDS, MAX_PHOTO,
                               25_000_000)
    return read


@pytest.fixture
def paris(make):
    return make.entity("Paris")


@pytest.fixture
def acme(make, paris):
    return make.client_account("Acme", entities=[paris])


@pytest.fixture
def known(make, acme):
    """Contacts of the account the cards below may collide with."""
    return {
        "uid": make.contact(acme, "Lefèvre", "Élise", vcard_uid="urn:uuid:1111", email="elise@acme.fr"),
        "email": make.contact(acme, "Bernard", "Luc", email="luc.bernard@acme.fr"),
        "phone": make.contact(acme, "Petit", "Anne", mobile="06 12 34 56 78", mobile_e164="+33612345678"),
        "name": make.contact(acme, "Martin", "Paul"),
    }


@pytest.fixture
def seller(app, make, paris):
    """A user who sees the Paris entity's accounts only, in a live session (roles and entities loadable)."""
    user = make.user("VENTE Victor", role="Commercial", entities=[paris])
    with app.test_request_context():
        yield db.session.get(User, user.id)


def matches_of(user, *cards, accounts=None):
    read = plans(*cards)
    client_of_group = {fold(org): account.id for org, account in (accounts or {}).items()}
    return read, find_matches(read, user, client_of_group)


def test_each_kind_of_match_names_its_contact(seller, known, acme):
    _read, found = matches_of(
        seller, card("N:Autre;Nom", "UID:urn:uuid:1111"), card("N:Bernard;Lucien", "EMAIL:LUC.Bernard@ACME.fr"),
        card("N:Petit;Annie", "TEL;TYPE=CELL:+33 6 12 34 56 78"), card("N:MARTIN;paul", "ORG:ACME"),
        card("N:Nouveau;Nina", "ORG:Acme", "EMAIL:nina@acme.fr"), accounts={"Acme": acme})
    assert [(found[i].by, found[i].contact_id) for i in range(4)] == [
        ("uid", known["uid"].id), ("email", known["email"].id), ("phone", known["phone"].id),
        ("name", known["name"].id)]
    assert 4 not in found
    first = found[0]
    assert (first.name, first.client_name, first.version, first.visible) == ("LEFÈVRE Élise", "Acme", 1, True)
    assert first.reason == "même UID"


def test_uid_wins_over_email_and_email_over_phone(seller, known):
    _read, found = matches_of(
        seller, card("N:X;Y", "UID:urn:uuid:1111", "EMAIL:luc.bernard@acme.fr"),
        card("N:X;Z", "EMAIL:luc.bernard@acme.fr", "TEL;TYPE=CELL:06 12 34 56 78"))
    assert (found[0].by, found[0].contact_id) == ("uid", known["uid"].id)
    assert (found[1].by, found[1].contact_id) == ("email", known["email"].id)


def test_the_same_name_at_another_account_is_no_match(seller, known, make, paris):
    other = make.client_account("Autre SA", entities=[paris])
    _read, found = matches_of(seller, card("N:Martin;Paul", "ORG:Autre SA"), accounts={"Autre SA": other})
    assert found == {}


def test_an_earlier_card_of_the_same_upload_is_a_match(seller):
    _read, found = matches_of(seller, card("N:Un;A", "EMAIL:a@ex.fr"), card("N:Deux;B", "EMAIL:A@EX.FR"),
                              card("N:Trois;C", "UID:u-1"), card("N:Quatre;D", "UID:u-1"))
    assert (found[1].by, found[1].card_index, found[1].contact_id) == ("email", 0, None)
    assert (found[3].by, found[3].card_index) == ("uid", 2)
    assert 0 not in found and 2 not in found


def test_cards_in_error_are_not_matched(seller, known):
    read, found = matches_of(seller, card("N:;;;;", "TEL;TYPE=CELL:06 12 34 56 78"))  # no name to take: an error
    assert read[0].error and found == {}


# ------------------------------------------------------------------------------------------------ scope

@pytest.fixture
def hidden(make):
    """A contact in an account of another entity: the seller cannot see it."""
    lyon = make.client_account("Lyonnaise", entities=[make.entity("Lyon")])
    return make.contact(lyon, "Secret", "Sam", email="sam@secret.fr", vcard_uid="urn:uuid:secret")


def test_a_contact_out_of_sight_is_matched_but_not_visible(seller, hidden):
    _read, found = matches_of(seller, card("N:Secret;Sam", "UID:urn:uuid:secret"))
    assert (found[0].contact_id, found[0].visible) == (hidden.id, False)


def test_a_visible_contact_is_preferred_to_a_hidden_one(seller, hidden, acme, make):
    # UIDs are not unique (an e-mail is, since migration 0006): two contacts may carry the card's UID.
    seen = make.contact(acme, "Secret", "Samuel", vcard_uid="urn:uuid:secret")
    _read, found = matches_of(seller, card("N:Secret;Sam", "UID:urn:uuid:secret"))
    assert (found[0].contact_id, found[0].visible) == (seen.id, True)


def test_a_contact_out_of_sight_is_never_offered_for_update(seller, hidden, known):
    batch = store_batch(seller, [{"name": "t.vcf", "cards": 2, "errors": 0}],
                        plans(card("N:Secret;Sam", "UID:urn:uuid:secret"), card("N:Lefèvre;Élise",
                                                                                "UID:urn:uuid:1111")))
    preview = build_preview(batch, seller)
    hidden_row, seen_row = preview.rows
    assert hidden_row.status == "duplicate" and [v for v, _l in hidden_row.choices] == ["create", "skip"]
    assert hidden_row.choice == "skip"
    assert [v for v, _l in seen_row.choices] == ["create", "update", "skip"] and seen_row.choice == "update"

    # Choices sent anyway for the hidden contact (a forged form): refused, nothing written.
    version = db.session.get(Contact, hidden.id).version
    chosen = ImportChoices(cards={0: "update", 1: "skip"}, contacts={0: (hidden.id, version)})
    with pytest.raises(ImportInvalid) as refused:
        commit_import(batch, seller, chosen)
    row = refused.value.preview.rows[0]
    assert row.error and row.choice == "skip"
    assert db.session.get(Contact, hidden.id).first_name == "Sam"

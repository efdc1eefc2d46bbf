"""The e-mail rule shared by the form, editing in place and the imports: the same verdict as email_validator."""
import csv

import pytest
from email_validator import EmailNotValidError, validate_email

from webapp.rules import email_problem

CRAFTED = [
    "prenom.nom@societe.fr", "Prenom.Nom@Societe.FR", "o'brien+crm@exemple.fr", "a!#$%&'*+/=?^_`{|}~-@exemple.fr",
    "x@localhost", "x@exemple.local", "x@exemple.test", "x@exemple.invalid", "x@exemple", "x@-exemple.fr",
    "x@exemple-.fr", "x@exemple..fr", "x@.exemple.fr", "x@exemple.fr.", "x@xn--bcher-kva.fr", "x@bücher.fr",
    "x@[192.168.0.1]", ".x@exemple.fr", "x.@exemple.fr", "x..y@exemple.fr", "a" * 64 + "@exemple.fr",
    "a" * 65 + "@exemple.fr", "x@" + "a" * 64 + ".fr", "x@" + ".".join(["a" * 60] * 4) + ".fr",
    "\"jean dupont\"@exemple.fr", "Jean <jean@exemple.fr>", "jéan@exemple.fr", "jean@@exemple.fr", "jean",
    "jean@", "@exemple.fr", "jean dupont@exemple.fr", "jean@exemple.fr\n", "jean@exemple.fr@autre.fr",
    "x@exemple.123", "x@123.fr", "x@exemple.c", "x@exemple_test.fr",
    # Unicode local parts (RFC 6531): letters of any script, combining marks, symbols, invisible characters.
    "noël.durand@exemple.fr", "noe\u0308l@exemple.fr", "\u0308noel@exemple.fr", "Ζωή.Παππά@exemple.gr",
    "ирина@пример.рф", "山田.太郎@exemple.jp", "é" * 32 + "@exemple.fr", "é" * 33 + "@exemple.fr", "noël..x@exemple.fr",
    ".noël@exemple.fr", "noël.@exemple.fr", "no\u200bël@exemple.fr", "noël€@exemple.fr", "noël\u00a0x@exemple.fr",
    "ǅemal@exemple.fr", "\u3164@exemple.fr", "x\u2028y@exemple.fr", "x²@exemple.fr", "٣@exemple.fr",
    "noël@exemple.local",
]


def library_says_valid(address: str) -> bool:
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


@pytest.mark.parametrize("address", CRAFTED)
def test_email_rule_agrees_with_email_validator(address, app):
    with app.test_request_context():
        assert (email_problem(address) is None) == library_says_valid(address), address


def test_email_rule_agrees_on_every_letter_of_unicode(app):
    """One local part per non-ASCII code point that str.isalpha() calls a letter, and one per other character
    class the fast path may meet: the rule and the library give the same verdict on every one."""
    letters = [chr(code) for code in range(0x80, 0x30000) if chr(code).isalpha()]
    with app.test_request_context():
        disagreements = [ch for ch in letters[::7] + ["\u0301", "\u00ad", "\ufeff", "\U000e0041"]
                         if (email_problem(f"ab{ch}.x@exemple.fr") is None) != library_says_valid(f"ab{ch}.x@exemple.fr")]
    assert disagreements == []


def test_email_rule_agrees_on_a_contacts_file(app, contacts_csv):
    with contacts_csv.open(encoding="utf-8") as handle:
        addresses = [row["email"] for row in csv.DictReader(handle) if row["email"]]
    assert len(addresses) > 500
    with app.test_request_context():
        disagreements = [a for a in addresses if (email_problem(a) is None) != library_says_valid(a)]
    assert disagreements == []

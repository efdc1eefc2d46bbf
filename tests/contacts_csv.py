"""A contacts file in the import's CSV format, made by the tests themselves (the format of
../shared/data/contacts-csv-format.txt, with its quirks: accents, particles, names typed without accents,
leading zeros, commas in streets, foreign sites, empty cells), so that the suite needs nothing beside the repo."""
import csv
import random
import unicodedata
from pathlib import Path

from webapp.services.csv_rows import COLUMNS
from webapp.services.demo_vocabulary import (ACTIVITIES, BRAND_ENDS, BRAND_STARTS, CITIES, ENTITIES, FIRST_NAMES_F,
                                             FIRST_NAMES_M, FUNCTIONS, LAST_NAMES, LEGAL_FORMS, STREETS)

SECTORS = ["Banque", "Assurance", "Énergie", "Transport & Logistique", "Industrie", "Santé", "Distribution",
           "Télécommunications", "Services publics", "Agroalimentaire", "BTP", "Conseil", "Média", "Immobilier",
           "Tourisme"]
SIZES = ["1-9", "10-49", "50-249", "250-999", "1000+"]
REVENUES = ["< 1 M€", "1-10 M€", "10-50 M€", "50-250 M€", "> 250 M€"]
ORIGINS = ["Salon", "Recommandation", "Site web", "Prospection", "Partenaire"]
SKILLS = ["Java", "Python", "SAP", "Django", "PostgreSQL", "Oracle", "Azure", "AWS", "GCP", "Kubernetes", "Docker",
          "JavaScript", "TypeScript", "React", "Angular", "Vue.js", "Node.js", "PHP", "Symfony", ".NET", "C#", "C++",
          "Go", "Rust", "Kotlin", "Swift", "Linux", "Windows Server", "VMware", "Terraform", "Ansible", "Jenkins",
          "GitLab", "Salesforce", "ServiceNow", "Power BI", "Tableau", "Spark", "Hadoop", "Kafka", "MongoDB",
          "Elasticsearch", "Cybersécurité", "ITIL"]
# (city, postal code, country, phone prefix): the ~2% of contacts at a foreign site.
FOREIGN = [("Bruxelles", "1000", "Belgique", "+32 2"), ("Genève", "1201", "Suisse", "+41 22"),
           ("Luxembourg", "1111", "Luxembourg", "+352 26")]


def ascii_fold(text: str) -> str:
    """Without accents: how e-mail addresses are written, and how some names are typed."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def write_contacts_csv(path: Path, contacts: int = 1000, seed: int = 1) -> Path:
    """Write `contacts` rows for about one company per 20 contacts, 30 salespeople, 5 entities; same seed, same file."""
    rng = random.Random(seed)
    salespeople = ["COTILLON Marion"] + [
        f"{ascii_fold(rng.choice(LAST_NAMES)).upper()} {rng.choice(FIRST_NAMES_F + FIRST_NAMES_M)}" for _ in range(29)]
    companies = _companies(rng, max(1, contacts // 20), salespeople)
    emails: set[str] = set()
    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(COLUMNS)
        for _ in range(contacts):
            company = rng.choice(companies)
            writer.writerow([company[name] if name in company else value
                             for name, value in _person(rng, company, salespeople, emails).items()])
    return path


def _companies(rng: random.Random, count: int, salespeople: list[str]) -> list[dict]:
    """Companies with unique names, their owner (none for ~8%), entity, sector, bands, origin, archived ~10%."""
    names: set[str] = set()
    companies = []
    while len(companies) < count:
        brand = rng.choice(BRAND_STARTS) + rng.choice(BRAND_ENDS)
        name = f"{brand} {rng.choice(ACTIVITIES)}{rng.choice(LEGAL_FORMS)}"
        if name in names:
            continue
        names.add(name)
        domain = ascii_fold(name.split()[0] + "-" + name.split()[1]).lower() + rng.choice([".fr", ".com"])
        site = rng.choice(FOREIGN) if rng.random() < 0.02 else None
        companies.append({
            "company": name, "domain": domain, "site": site,
            "company_assigned_to": "" if rng.random() < 0.08 else rng.choice(salespeople),
            "entity": rng.choice(ENTITIES), "sector": rng.choice(SECTORS),
            "size": "" if rng.random() < 0.03 else rng.choice(SIZES),
            "revenue_range": "" if rng.random() < 0.05 else rng.choice(REVENUES),
            "origin": "" if rng.random() < 0.05 else rng.choice(ORIGINS),
            "archived_company": "true" if rng.random() < 0.1 else "false",
        })
    return companies


def _person(rng: random.Random, company: dict, salespeople: list[str], emails: set[str]) -> dict:
    """One contact's cells, in the order of the columns (company cells are filled in by the caller)."""
    gender = rng.choice("MF")
    first = rng.choice(FIRST_NAMES_M if gender == "M" else FIRST_NAMES_F)
    last = rng.choice(LAST_NAMES)
    if rng.random() < 0.03:
        first, last = ascii_fold(first), ascii_fold(last)
    service = "" if rng.random() < 0.1 else rng.choice(list(FUNCTIONS))
    function = "" if rng.random() < 0.05 else rng.choice(FUNCTIONS.get(service) or FUNCTIONS["DSI"])
    if company["site"]:
        city, postal_code, country, prefix = company["site"]
        mobile_prefix = prefix
    else:
        city, postal_code, prefix, _entity = rng.choice(CITIES)
        country, mobile_prefix = "France", rng.choice(["06", "07"])
    street = f"{rng.randint(1, 200)} {rng.choice(STREETS)}"
    if rng.random() < 0.05:
        street += f", bâtiment {rng.choice('ABC')}"
    slug = "".join(ch if ch.isalnum() else "-" for ch in ascii_fold(f"{first} {last}").lower())
    return {
        "company": "", "company_assigned_to": "", "entity": "", "sector": "", "size": "", "revenue_range": "",
        "origin": "", "archived_company": "", "gender": gender, "last_name": last, "first_name": first,
        "service": service, "function": function, "email": _email(rng, first, last, company["domain"], emails),
        "phone": "" if rng.random() < 0.15 else _number(rng, prefix),
        "mobile": "" if rng.random() < 0.4 else _number(rng, mobile_prefix),
        "fax": _number(rng, prefix) if rng.random() < 0.3 else "", "street": street, "postal_code": postal_code,
        "city": city, "country": country, "assigned_to": "" if rng.random() < 0.3 else rng.choice(salespeople),
        "skills": ";".join(rng.sample(SKILLS, rng.randint(0, 4))),
        "active": "true" if rng.random() < 0.9 else "false",
        "dpo": "true" if rng.random() < 0.03 else "false", "rssi": "true" if rng.random() < 0.03 else "false",
        "linkedin": f"https://www.linkedin.com/in/{slug}-{rng.randrange(16 ** 6):06x}" if rng.random() < 0.35 else "",
    }


def _number(rng: random.Random, prefix: str) -> str:
    """A number after its prefix, in pairs of digits as typed in France ('01 20 35 99 65', '+32 2 12 34 56 78')."""
    return prefix + "".join(f" {rng.randint(0, 99):02d}" for _ in range(4))


def _email(rng: random.Random, first: str, last: str, domain: str, emails: set[str]) -> str:
    """first.last, f.last, flast, last.first or first at the company's domain, unique; empty for ~3%."""
    if rng.random() < 0.03:
        return ""
    first_part = "".join(ch for ch in ascii_fold(first).lower() if ch.isalnum() or ch == "-")
    last_part = "".join(ch for ch in ascii_fold(last).lower() if ch.isalnum() or ch == "-")
    local = rng.choice([f"{first_part}.{last_part}", f"{first_part[0]}.{last_part}", f"{first_part[0]}{last_part}",
                        f"{last_part}.{first_part}", first_part])
    address, number = f"{local}@{domain}", 1
    while address in emails:
        number += 1
        address = f"{local}{number}@{domain}"
    emails.add(address)
    return address

"""Demo data (`crm demo-data`): a realistic French CRM in every table, the same for the same seed.

Dates are drawn as offsets from `today`, so a demo always has overdue and upcoming tasks; everything else
depends on the seed only. The seed's own example (APROOL, BLOU Hélène) is always there."""
import random
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from ..extensions import db
from ..models import (Client, Contact, ContactLink, Deal, Department, Entity, MailingList, MailingListSubscription,
                      Opportunity, Origin, Proposal, RevenueRange, Role, Sector, SizeBand, Skill, Task, TaskType,
                      User, client_entities, contact_skills)
from ..models.contact_keys import derived_columns
from ..models.types import utcnow
from ..text import fold
from . import demo_vocabulary as words
from . import duplicates
from .accounts import hash_password
from .bulk_write import audit_created, insert_returning_ids, insert_rows
from .contacts import new_uid
from .csv_import import CONTACT_KEY
from .reference_data import ensure_entity, load_reference_data

DEFAULT_PASSWORD = "demo-password"
PARIS = ZoneInfo("Europe/Paris")
APROOL = {"name": "APROOL", "domain": "aprool.com", "city": 0, "sector": "Conseil & Services", "size": "50-249",
          "revenue": "10-50 M€", "origin": "Salon", "owner": "marion.cotillon@example.com"}
BLOU = {"gender": "F", "last_name": "Blou", "first_name": "Hélène", "function": "Chef de projet",
        "department": "Marketing", "phone": "01.20.35.99.65", "mobile": "06.25.34.12.57",
        "email": "helene.blou@aprool.com", "skills": ["Salesforce", "Power BI"]}


class DemoDataError(Exception):
    """The demo data cannot be loaded into this database."""


@dataclass
class DemoLogin:
    """A demo user who can log in; password is None when the user existed before and kept theirs."""

    email: str
    name: str
    role: str
    entities: str
    password: str | None


@dataclass
class DemoReport:
    """How many rows of each kind the demo data created, and the logins to try."""

    counts: dict[str, int] = field(default_factory=dict)
    logins: list[DemoLogin] = field(default_factory=list)


def contact_count() -> int:
    """How many contacts the database holds."""
    return db.session.scalar(select(func.count()).select_from(Contact))


def load_demo_data(contacts: int, seed: int, password: str = DEFAULT_PASSWORD, today: date | None = None) -> DemoReport:
    """Fill a database without contacts with demo data drawn from `seed`; refuses a database holding contacts."""
    if existing := contact_count():
        raise DemoDataError(f"la base contient déjà {existing} contacts ; les données de démonstration ne se "
                            "chargent que dans une base sans contact")
    if contacts < 1:
        raise DemoDataError("il faut au moins un contact")
    load_reference_data()
    demo = _Demo(random.Random(seed), today or date.today())
    demo.users(password)
    demo.clients(max(1, round(contacts / 20)))
    demo.contacts(contacts)
    demo.tasks()
    demo.deals()
    demo.subscriptions()
    return demo.report


def slug(text: str, separator: str = "") -> str:
    """"Le Gall" -> "legall": the ASCII letters and digits of a name, for e-mails, domains and URLs."""
    return re.sub(r"[^a-z0-9]+", separator, fold(text)).strip(separator)


def _siren(rng: random.Random) -> str:
    """Nine digits passing the Luhn check, as real SIREN numbers do."""
    body = [rng.randint(0, 9) for _ in range(8)]
    total = sum(d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(body))
    return "".join(map(str, body)) + str((10 - total % 10) % 10)


class _Demo:
    """The draws and the rows made so far; each method fills one area, in an order that keeps draws stable."""

    def __init__(self, rng: random.Random, today: date):
        self.rng, self.today, self.at = rng, today, utcnow()
        # UIDs from a generator of their own, seeded by the main one's state: the rest of the data stays as it was.
        self.uid_rng = random.Random(hash(rng.getstate()))
        self.report = DemoReport()
        self.labels = {model: dict(db.session.execute(select(model.label, model.id).order_by(model.position,
                                                                                              model.id)).all())
                       for model in (Sector, SizeBand, RevenueRange, Origin, Department, Skill, TaskType)}
        self.entities = [ensure_entity(label).id for label in words.ENTITIES]
        self.lists = [self._mailing_list(label) for label in words.MAILING_LISTS]
        self.emails: set[str] = set()

    def _mailing_list(self, label: str) -> int:
        """The Mailjet list with this name, created when missing."""
        found = db.session.scalar(select(MailingList.id).where(MailingList.label == label,
                                                                MailingList.provider == "Mailjet"))
        if found is None:
            item = MailingList(label=label, provider="Mailjet", position=words.MAILING_LISTS.index(label))
            db.session.add(item)
            db.session.flush()
            found = item.id
        return found

    def _pick(self, model) -> int:
        """A random value of a reference list."""
        return self.rng.choice(list(self.labels[model].values()))

    def _phone(self, prefix: str) -> str:
        """A French number, spaced or dotted as people type them."""
        pairs = [f"{self.rng.randint(0, 99):02d}" for _ in range(4)]
        return (".".join if self.rng.random() < 0.2 else " ".join)([prefix, *pairs])

    def _moment(self, days: int, hour: int, minute: int) -> datetime:
        """A time of day in Paris, `days` from today, in UTC."""
        day = self.today + timedelta(days=days)
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS).astimezone(UTC)

    def users(self, password: str) -> None:
        """The demo logins, all with the same password; a user whose e-mail exists already is kept as is."""
        password_hash = hash_password(password)  # once: scrypt is slow on purpose
        roles = {role.name: role for role in db.session.scalars(select(Role))}
        self.user_ids, self.user_entities, created_count = {}, {}, 0
        for email, last_name, first_name, role, entities in words.DEMO_USERS:
            user = db.session.scalars(select(User).where(func.lower(User.email) == email)).first()
            created = user is None
            if created:
                user = User(email=email, password_hash=password_hash, active=True)
                user.set_names(last_name, first_name)
                user.roles = [roles[role]]
                user.entities = [db.session.get(Entity, entity_id) for entity_id in self._entity_ids(entities)]
                db.session.add(user)
                db.session.flush()
                created_count += 1
            self.user_ids[email] = user.id
            self.user_entities[email] = set(range(len(self.entities))) if entities is None else {
                words.ENTITIES.index(label) for label in entities}
            self.report.logins.append(DemoLogin(email, user.display_name, role,
                                                "toutes" if entities is None else ", ".join(entities),
                                                password if created else None))
        self.report.counts["users"] = created_count
        # Who may own an account of each entity: the salespeople who share it (not the administrator).
        self.sellers = {index: [self.user_ids[email] for email, *_rest in words.DEMO_USERS[1:]
                                if index in self.user_entities[email]] for index in range(len(self.entities))}

    def _entity_ids(self, labels: list[str] | None) -> list[int]:
        """The ids of the named entities; None means all of them."""
        if labels is None:
            return list(self.entities)
        return [self.entities[words.ENTITIES.index(label)] for label in labels]

    def clients(self, count: int) -> None:
        """Client accounts with an address, entities, an owner and a classification; APROOL first."""
        rng = self.rng
        self.accounts = [self._aprool()]
        domains = {"aprool.com"}
        while len(self.accounts) < count:
            brand = rng.choice(words.BRAND_STARTS) + rng.choice(words.BRAND_ENDS)
            base = brand if rng.random() < 0.4 else f"{brand} {rng.choice(words.ACTIVITIES)}"
            unique, number = base, 2
            while slug(unique) + ".fr" in domains:  # names run out in big demos: number the homonyms
                unique, number = f"{base} {number}", number + 1
            domains.add(slug(unique) + ".fr")
            city = rng.randrange(len(words.CITIES))
            entity = words.CITIES[city][3] if rng.random() < 0.85 else rng.randrange(len(self.entities))
            entities = [entity] + ([rng.randrange(len(self.entities))] if rng.random() < 0.1 else [])
            owner = rng.choice(self.sellers[entity]) if rng.random() < 0.92 else None
            self.accounts.append(self._account(unique + rng.choice(words.LEGAL_FORMS), slug(unique) + ".fr", city,
                                               list(dict.fromkeys(entities)), owner, archived=rng.random() < 0.08))
        rows = [account["row"] for account in self.accounts]
        ids = insert_returning_ids(Client.__table__, rows, ["name_key"])
        for account, id_ in zip(self.accounts, ids):
            account["id"] = id_
        insert_rows(client_entities, [{"client_id": account["id"], "entity_id": self.entities[index]}
                                      for account in self.accounts for index in account["entities"]])
        audit_created("client", ((account["id"], {"name": account["row"]["name"], "city": account["row"]["city"]})
                                 for account in self.accounts), self.at)
        self.report.counts["clients"] = len(ids)

    def _aprool(self) -> dict:
        """The seed's example account, owned by COTILLON Marion."""
        account = self._account(APROOL["name"], APROOL["domain"], APROOL["city"], [0],
                                self.user_ids[APROOL["owner"]], archived=False)
        account["row"].update(sector_id=self.labels[Sector][APROOL["sector"]],
                              size_band_id=self.labels[SizeBand][APROOL["size"]],
                              revenue_range_id=self.labels[RevenueRange][APROOL["revenue"]],
                              origin_id=self.labels[Origin][APROOL["origin"]])
        return account

    def _account(self, name: str, domain: str, city: int, entities: list[int], owner: int | None,
                 archived: bool) -> dict:
        """One client account: its table row and what its contacts inherit (domain, place, size)."""
        rng = self.rng
        city_name, postal_code, prefix, _entity = words.CITIES[city]
        size = rng.choices(list(self.labels[SizeBand].values()), weights=[20, 30, 25, 15, 10])[0]
        row = {"name": name, "name_key": fold(name), "siren": _siren(rng),
               "street": f"{rng.randint(1, 180)} {rng.choice(words.STREETS)}", "postal_code": postal_code,
               "city": city_name, "country": "FR", "owner_id": owner, "archived": archived,
               "size_band_id": size, "revenue_range_id": self._pick(RevenueRange), "sector_id": self._pick(Sector),
               "origin_id": self._pick(Origin) if rng.random() < 0.95 else None,
               "created_at": self.at, "updated_at": self.at}
        weight = (1 + list(self.labels[SizeBand].values()).index(size)) ** 2
        return {"row": row, "domain": domain, "prefix": prefix, "entities": entities, "weight": weight}

    def contacts(self, count: int) -> None:
        """Contacts spread over the accounts (bigger companies get more), some who left, with skills and links."""
        rng = self.rng
        weights = [account["weight"] for account in self.accounts]
        spread = list(range(1, min(count, len(self.accounts))))  # every account gets a contact
        spread += rng.choices(range(len(self.accounts)), weights=weights, k=count - 1 - len(spread))
        rng.shuffle(spread)
        self.used_names: set[tuple] = set()
        self.people = [self._person(self.accounts[0], BLOU)]
        self.people += [self._person(self.accounts[index]) for index in spread]
        ids = insert_returning_ids(Contact.__table__, [person["row"] for person in self.people], CONTACT_KEY)
        duplicates.refresh_keys(ids)
        for person, id_ in zip(self.people, ids):
            person["id"] = id_
        insert_rows(contact_skills, [{"contact_id": person["id"], "skill_id": skill_id}
                                     for person in self.people for skill_id in person["skills"]])
        links = [{"contact_id": person["id"], "kind": kind, "url": url, "position": position}
                 for person in self.people for position, (kind, url) in enumerate(person["links"])]
        insert_rows(ContactLink.__table__, links)
        audit_created("contact", ((person["id"], {key: person["row"][key] for key in (
            "last_name", "first_name", "function", "email", "phone", "mobile", "city")}) for person in self.people),
            self.at)
        self.report.counts.update(contacts=len(ids), links=len(links))

    def _person(self, account: dict, given: dict | None = None) -> dict:
        """One contact of an account: drawn, or the given one (BLOU Hélène); its row, skills and links."""
        rng, given = self.rng, given or {}
        gender = given.get("gender") or ("F" if rng.random() < 0.42 else "M")
        first = given.get("first_name") or rng.choice(words.FIRST_NAMES_F if gender == "F" else words.FIRST_NAMES_M)
        last = given.get("last_name") or rng.choice(words.LAST_NAMES)
        department = given.get("department") or rng.choice(list(words.FUNCTIONS))
        function = given.get("function") or (rng.choice(words.FUNCTIONS[department]) if rng.random() < 0.95
                                             else None)
        name_key = (account["id"], fold(last), fold(first))
        email = given.get("email")
        if not given and (rng.random() < 0.97 or name_key in self.used_names):  # a contact is its e-mail or names
            email = self._email(first, last, account["domain"])
        self.used_names.add(name_key)
        row = account["row"]
        prefix = account["prefix"]
        phone = given.get("phone") or (self._phone(prefix) if rng.random() < 0.85 else None)
        mobile = given.get("mobile") or (self._phone(rng.choice(["06", "07"])) if rng.random() < 0.6 else None)
        fax = None if given else (self._phone(prefix) if rng.random() < 0.2 else None)
        street, postal_code, city = row["street"], row["postal_code"], row["city"]
        if not given and rng.random() < 0.1:  # another site of the company
            city, postal_code, prefix, _entity = rng.choice(words.CITIES)
            street = f"{rng.randint(1, 180)} {rng.choice(words.STREETS)}"
        sellers = self.sellers[account["entities"][0]]
        owner = row["owner_id"] if given or rng.random() < 0.7 else (rng.choice(sellers) if rng.random() < 0.5
                                                                     else None)
        created = self.at - timedelta(days=rng.randint(0, 1000), minutes=rng.randint(0, 600))
        values = {
            "client_id": account["id"], "gender": gender, "last_name": last, "first_name": first,
            "department_id": self.labels[Department][department], "function": function,
            "is_dpo": function == "DPO" or rng.random() < 0.005, "is_rssi": function == "RSSI",
            "left_company": not given and rng.random() < (0.4 if row["archived"] else 0.08), "owner_id": owner,
            "email": email, "phone": phone, "mobile": mobile, "fax": fax, "street": street,
            "postal_code": postal_code, "city": city, "country": "FR", "created_at": created, "updated_at": created,
            "version": 1, "vcard_uid": new_uid(self.uid_rng),
        }
        skills = list(self.labels[Skill].values())
        if given:
            chosen = [self.labels[Skill][label] for label in given["skills"]]
        else:
            chosen = rng.sample(skills, rng.choices(range(5), weights=[30, 25, 20, 15, 10])[0])
        links = []
        if rng.random() < 0.35:
            links.append(("linkedin", f"https://www.linkedin.com/in/{slug(first, '-')}-{slug(last, '-')}-"
                                      f"{rng.randrange(16 ** 6):06x}"))
        if rng.random() < 0.05:
            links.append(("website", f"https://www.{account['domain']}"))
        return {"row": {**values, **derived_columns(values, row["name"])}, "skills": chosen, "links": links,
                "account": account, "given": bool(given)}

    def _email(self, first: str, last: str, domain: str) -> str:
        """first.last@domain, numbered when taken."""
        local = f"{slug(first)}.{slug(last)}"
        email, number = f"{local}@{domain}", 2
        while email in self.emails:
            email, number = f"{local}{number}@{domain}", number + 1
        self.emails.add(email)
        return email

    def _follower(self, person: dict) -> int | None:
        """Who follows up a contact: its owner, else its account's owner, else a salesperson of its entity."""
        account = person["account"]
        return (person["row"]["owner_id"] or account["row"]["owner_id"]
                or self.rng.choice(self.sellers[account["entities"][0]]))

    def tasks(self) -> None:
        """Tasks on about half the contacts: past ones mostly done, upcoming ones to do; BLOU's two meetings."""
        rng, types = self.rng, self.labels[TaskType]
        rows = [self._task(self.people[0], "Rendez-vous", "Rendez-vous physique", "marion.cotillon@example.com",
                           datetime(2022, 8, 10, 11, 15, tzinfo=PARIS)),
                self._task(self.people[0], "Rendez-vous téléphonique", "Rendez-vous téléphonique",
                           "geraldine.bolese@example.com", datetime(2020, 9, 24, 16, 0, tzinfo=PARIS))]
        for person in self.people[1:]:
            for _ in range(rng.choices(range(4), weights=[55, 25, 13, 7])[0]):
                kind = rng.choice(list(words.TASK_NAMES))
                days = rng.randint(-400, 90)
                status = (rng.choices(["done", "cancelled", "todo"], weights=[70, 10, 20])[0] if days < 0
                          else rng.choices(["todo", "in_progress"], weights=[75, 25])[0])
                rows.append({
                    "contact_id": person["id"], "priority": rng.choices([1, 2, 3], weights=[25, 55, 20])[0],
                    "due_at": self._moment(days, rng.choice([9, 10, 11, 14, 15, 16, 17]), rng.choice([0, 15, 30, 45])),
                    "task_type_id": types[kind], "name": rng.choice(words.TASK_NAMES[kind]),
                    "assignee_id": self._follower(person), "description": rng.choice(words.TASK_DESCRIPTIONS),
                    "status": status, "created_at": self.at, "created_by_id": None, "updated_at": self.at,
                })
        insert_rows(Task.__table__, rows)
        self.report.counts["tasks"] = len(rows)

    def _task(self, person: dict, kind: str, name: str, assignee: str, due: datetime) -> dict:
        """A given task, done (the seed's example)."""
        return {"contact_id": person["id"], "priority": 2, "due_at": due.astimezone(UTC),
                "task_type_id": self.labels[TaskType][kind], "name": name, "assignee_id": self.user_ids[assignee],
                "description": None, "status": "done", "created_at": self.at, "created_by_id": None,
                "updated_at": self.at}

    def deals(self) -> None:
        """Opportunities, the proposals some led to and the deals signed; a few contacts with several deals."""
        rng = self.rng
        opportunities, deals = [], []
        blou = self.people[0]
        deals.append(self._deal(blou, "Refonte du site e-commerce", Decimal("48000.00"), date(2021, 3, 15),
                                "delivered"))
        # About 1% of the contacts are loyal clients with several deals, like the seed's contact with 6 deals.
        others = range(1, len(self.people))
        loyal = set(rng.sample(others, min(len(others), max(1, len(others) // 100))))
        for index, person in enumerate(self.people[1:], start=1):
            if rng.random() < 0.12:
                stage = rng.choice(words.OPPORTUNITY_STAGES)
                opportunities.append({**self._deal_row(person, rng.choice(words.DEAL_SUBJECTS)), "stage": stage,
                                      "expected_date": self.today + timedelta(days=rng.randint(-60, 180))})
            if index in loyal:
                for subject in rng.sample(words.DEAL_SUBJECTS, rng.randint(2, 6)):
                    deals.append(self._deal(person, subject, None,
                                            self.today - timedelta(days=rng.randint(30, 1500)),
                                            rng.choice(words.DEAL_STATUSES)))
        ids = insert_returning_ids(Opportunity.__table__, opportunities, ["contact_id", "title"])
        proposals = []
        for opportunity, id_ in zip(opportunities, ids):
            if opportunity["stage"] in words.PROPOSAL_STATUSES:
                status = rng.choice(words.PROPOSAL_STATUSES[opportunity["stage"]])
                proposals.append({**opportunity, "title": f"Proposition – {opportunity['title']}", "status": status,
                                  "opportunity_id": id_,
                                  "sent_date": self.today - timedelta(days=rng.randint(0, 200))})
        for proposal in proposals:
            del proposal["stage"], proposal["expected_date"]
        proposal_ids = insert_returning_ids(Proposal.__table__, proposals, ["contact_id", "title"])
        for proposal, id_ in zip(proposals, proposal_ids):
            if proposal["status"] == "accepted":
                deals.append({**{key: proposal[key] for key in ("amount", "client_id", "contact_id", "owner_id",
                                                                 "created_at")},
                              "title": proposal["title"].removeprefix("Proposition – "), "proposal_id": id_,
                              "status": rng.choice(words.DEAL_STATUSES),
                              "signed_date": proposal["sent_date"] + timedelta(days=20)})
        insert_rows(Deal.__table__, deals)
        self.report.counts.update(opportunities=len(ids), proposals=len(proposal_ids), deals=len(deals))

    def _deal_row(self, person: dict, subject: str, amount: Decimal | None = None) -> dict:
        """What opportunities, proposals and deals share, followed up by the contact's salesperson."""
        return {"title": subject, "amount": amount or Decimal(self.rng.randrange(5, 400) * 1000),
                "client_id": person["account"]["id"], "contact_id": person["id"],
                "owner_id": self._follower(person), "created_at": self.at}

    def _deal(self, person: dict, subject: str, amount: Decimal | None, signed: date, status: str) -> dict:
        """A deal signed directly, without a proposal on record."""
        return {**self._deal_row(person, subject, amount), "proposal_id": None, "status": status,
                "signed_date": signed}

    def subscriptions(self) -> None:
        """Mailjet list subscriptions for a third of the contacts with an e-mail; BLOU's since 11/04/2019."""
        rng = self.rng
        rows = [{"contact_id": self.people[0]["id"], "mailing_list_id": self.lists[0], "status": "subscribed",
                 "since": date(2019, 4, 11)}]
        for person in self.people[1:]:
            if person["row"]["email"] and rng.random() < 0.33:
                for list_id in rng.sample(self.lists, rng.choice([1, 1, 2])):
                    rows.append({"contact_id": person["id"], "mailing_list_id": list_id,
                                 "status": "subscribed" if rng.random() < 0.85 else "unsubscribed",
                                 "since": self.today - timedelta(days=rng.randint(0, 1800))})
        insert_rows(MailingListSubscription.__table__, rows)
        self.report.counts.update(mailing_lists=len(self.lists), subscriptions=len(rows))

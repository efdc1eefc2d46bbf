"""Benchmark of "Doublons possibles" (issue 18): the screen's first page, in-process. Not a test: prints a table.

  .venv/bin/python bench/bench_duplicates.py                       # SQLite, 100,000 contacts
  .venv/bin/python bench/bench_duplicates.py --pg --pg-contacts 1000000

The contacts come from ../shared/data/gen_dataset.py (seed 7) loaded with `crm import-csv` (which writes every
contact's duplicate keys as it goes), then a known share of duplicates is added through the contacts service
(create_contact, as the form would): copies of existing contacts with the e-mail in capitals, the phone in another
format, the name without accents or with first and last swapped. Databases are kept under bench/out/. Each row of
the table: the median and p95 of the full page (GET /contacts/duplicates, page 1, and page 20), the SQL statements
of a request, for an administrator (every entity) and for a salesperson of one entity."""
import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.bench_list import EMAIL, OUT, PG_BASE, prepare  # noqa: E402

SELLER = "bench-seller@example.com"
SHARE = 0.02  # one contact in 50 gets a duplicate
KINDS = ("email", "phone", "accents", "swapped")


def build(url: str, contacts: int, fresh: bool) -> None:
    """Create, migrate and load the database, then add the duplicates; kept when already built."""
    marker = OUT / (url.rsplit("/", 1)[1] + ".built")
    if url.startswith("sqlite"):
        marker = Path(url.removeprefix("sqlite:///") + ".built")
    if marker.exists() and not fresh:
        return
    prepare(url, contacts, fresh=True)  # the list benchmark's load: migrated, imported (keys included), a user
    start = time.perf_counter()
    added = add_duplicates(url)
    print(f"added {added:,} duplicates through the contacts service in {time.perf_counter() - start:.0f} s",
          flush=True)
    _analyze(url)
    marker.write_text("ok")


def _app(url: str):
    from webapp import create_app
    from webapp.config import Config

    config = Config()
    config.SQLALCHEMY_DATABASE_URI = url
    return create_app(config)


def add_duplicates(url: str) -> int:
    """Copies of SHARE of the contacts, each changed one way (KINDS), written by create_contact; and a
    salesperson of the first contact's entity."""
    from sqlalchemy import func, select

    from webapp.extensions import db
    from webapp.models import Contact, Entity, Role, User
    from webapp.services.accounts import hash_password
    from webapp.services.contacts import FIELDS, create_contact
    from webapp.unit_of_work import unit_of_work

    app = _app(url)
    rng = random.Random(18)
    with app.app_context():
        total = db.session.scalar(select(func.max(Contact.id)))
        ids = sorted(rng.sample(range(1, total + 1), int(total * SHARE)))
        added = 0
        for start in range(0, len(ids), 500):
            with unit_of_work():
                for contact in db.session.scalars(select(Contact).where(Contact.id.in_(ids[start:start + 500]))):
                    values = {name: getattr(contact, name) for name in FIELDS if name != "vcard_uid"}
                    kind = KINDS[contact.id % len(KINDS)]
                    values["email"] = None
                    if kind == "email" and contact.email:
                        values["email"] = contact.email.upper()
                    elif kind == "phone" and contact.phone_e164:
                        values["phone"] = contact.phone_e164
                    elif kind == "accents":
                        values["last_name"] = contact.last_name.capitalize()
                    else:
                        values["last_name"], values["first_name"] = contact.first_name, contact.last_name
                    copy = _without_key(values) if values["email"] else create_contact(values, None, "cli")
                    added += copy is not None
        with unit_of_work():
            entity = db.session.scalars(select(Entity).limit(1)).first()
            seller = User(email=SELLER, password_hash=hash_password("bench-password-1"), active=True)
            seller.set_names("VENDEUR", "Paul")
            seller.roles = [db.session.scalars(select(Role).where(Role.name == "Commercial")).one()]
            seller.entities = [entity]
            db.session.add(seller)
    return added


def _without_key(values: dict):
    """A contact holding another's e-mail in capitals: created, then its e-mail written without the unique key,
    as migration 0006 leaves a duplicate address stored before it."""
    from webapp.extensions import db
    from webapp.models import Contact
    from webapp.services import duplicates
    from webapp.services.contacts import create_contact

    email = values.pop("email")
    copy = create_contact({**values, "email": None}, None, "cli")
    db.session.execute(Contact.__table__.update().where(Contact.id == copy.id).values(email=email))
    duplicates.refresh_keys([copy.id])
    return copy


def _analyze(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    engine.dispose()


def measure(url: str, runs: int) -> list[tuple]:
    from sqlalchemy import event, func, select

    from bench.listbench import logged_in_client
    from webapp.extensions import db
    from webapp.models import Contact, DuplicateKey

    app = _app(url)
    rows = []
    with app.app_context():
        contacts = db.session.scalar(select(func.count()).select_from(Contact))
        shared = db.session.scalar(select(func.count()).select_from(DuplicateKey).where(DuplicateKey.group_size > 1))
        engine = db.engine
        record = db.session.scalar(select(DuplicateKey.contact_id).where(DuplicateKey.group_size > 1).limit(1))
    for who, email in (("administrator", EMAIL), ("salesperson, one entity", SELLER)):
        client = logged_in_client(app, email)
        for label, path in (("page 1", "/contacts/duplicates"), ("page 20", "/contacts/duplicates?page=20"),
                            ("a record with a duplicate", f"/contacts/{record}"),
                            ("that record's groups", f"/contacts/duplicates?contact={record}")):
            statements = [0]

            def count(*_args):
                statements[0] += 1

            for _ in range(2):
                client.get(path)
            times = []
            event.listen(engine, "before_cursor_execute", count)
            for _ in range(runs):
                statements[0] = 0
                start = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - start) * 1000)
            event.remove(engine, "before_cursor_execute", count)
            if response.status_code == 404:  # a record out of the salesperson's entity
                continue
            assert response.status_code == 200, (path, response.status_code)
            groups = response.text.count('class="dup-group"')
            total = (response.text.split('id="duplicates-count"', 1)[1].split(">", 1)[1].split("<", 1)[0]
                     if 'id="duplicates-count"' in response.text else "")
            times.sort()
            rows.append((who, label, total, groups, statistics.median(times),
                         times[max(0, int(len(times) * 0.95) - 1)], statements[0]))
    return [(contacts, shared, rows)]


def report(name: str, results) -> None:
    for contacts, shared, rows in results:
        print(f"\n{name}: {contacts:,} contacts, {shared:,} rows of shared keys")
        print("| user | page | groups | shown | median ms | p95 ms | SQL statements |")
        print("|---|---|---:|---:|---:|---:|---:|")
        for who, label, total, groups, median, p95, statements in rows:
            print(f"| {who} | {label} | {total} | {groups} | {median:.0f} | {p95:.0f} | {statements} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sqlite-contacts", type=int, default=100_000)
    parser.add_argument("--pg", action="store_true")
    parser.add_argument("--pg-contacts", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{OUT / f'duplicates-{args.sqlite_contacts}.sqlite3'}"
    build(url, args.sqlite_contacts, args.fresh)
    report("SQLite", measure(url, args.runs))
    if args.pg:
        url = f"{PG_BASE}/crm_bench_duplicates_{args.pg_contacts}"
        build(url, args.pg_contacts, args.fresh)
        report("PostgreSQL", measure(url, args.runs))


if __name__ == "__main__":
    main()

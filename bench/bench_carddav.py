"""CardDAV sync speed (issue 19): a salesperson's "Mes contacts" of N contacts synced by vdirsyncer against the app
under gunicorn (2 workers), then one contact changed in the CRM and synced again, by vdirsyncer (a PROPFIND listing
and a multiget of what changed) and by a sync-collection REPORT as DAVx⁵ and iOS send it; and in-process, the SQL
statements of each request kind (never one per card). Not a test: prints a table, asserts nothing.

  .venv/bin/python bench/bench_carddav.py                    # SQLite, 10,000 contacts
  .venv/bin/python bench/bench_carddav.py --contacts 2000 --database-url postgresql+psycopg://postgres@127.0.0.1/crm_bench

Timings are wall clock around the client's process (vdirsyncer's start, about 0.4 s, included) or around one HTTP
request (the REPORT); each incremental figure is the median of --rounds changes."""
import argparse
import base64
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from sqlalchemy import event, insert, select  # noqa: E402

from webapp.extensions import db  # noqa: E402
from webapp.models import Client, Contact, Entity, Role, User  # noqa: E402
from webapp.services import app_passwords  # noqa: E402
from webapp.services.contacts import new_uid, update_contact  # noqa: E402
from bench_db import migrated_app  # noqa: E402

import live_server  # noqa: E402

OUT = ROOT / "bench" / "out"
BIN = Path(sys.executable).parent
EMAIL = "bench.carddav@example.com"
PROPFIND = '<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/><d:resourcetype/></d:prop></d:propfind>'
SYNC = ('<d:sync-collection xmlns:d="DAV:"><d:sync-token>{token}</d:sync-token><d:sync-level>1</d:sync-level>'
        '<d:prop><d:getetag/></d:prop></d:sync-collection>')


def prepare(url: str, contacts: int):
    """A fresh schema with one salesperson, one account and `contacts` contacts assigned to her; her app password."""
    app = migrated_app(url)
    with app.app_context():
        entity = Entity(label="Est")
        account = Client()
        account.set_name("APROOL")
        account.entities = [entity]
        user = User(email=EMAIL, password_hash="x", active=True)
        user.set_names("COTILLON", "Marion")
        user.roles = [db.session.scalars(select(Role).where(Role.name == "Commercial")).one()]
        user.entities = [entity]
        db.session.add_all([entity, account, user])
        db.session.flush()
        rows = []
        for number in range(contacts):
            contact = Contact(client_id=account.id, last_name=f"Nom{number:05d}", first_name="Prénom",
                              function="Acheteur", owner_id=user.id, vcard_uid=new_uid(),
                              email=f"contact{number}@aprool.fr", phone=f"01 23 45 {number // 100 % 100:02d} "
                                                                          f"{number % 100:02d}")
            contact.refresh_keys(company_name="APROOL")
            rows.append({"left_company": False, "is_dpo": False, "is_rssi": False, "version": 1,
                         **{c.key: getattr(contact, c.key) for c in Contact.__table__.columns
                            if getattr(contact, c.key) is not None}})
        for start in range(0, len(rows), 2000):
            db.session.execute(insert(Contact), rows[start:start + 2000])
        _row, secret = app_passwords.create(user, "Banc d'essai")
        db.session.commit()
        return app, user.id, secret


def change_one(app, user_id: int, round_number: int) -> None:
    with app.app_context():
        contact = db.session.scalars(select(Contact).where(Contact.last_name == f"Nom{round_number:05d}")).one()
        update_contact(contact, {"function": f"Fonction {round_number}"}, contact.version, user_id, "form")
        db.session.commit()


def vdirsyncer(config: Path, *arguments: str) -> float:
    start = time.perf_counter()
    subprocess.run([str(BIN / "vdirsyncer"), "-c", str(config), *arguments], check=True, capture_output=True,
                   input="y\n", text=True)
    return time.perf_counter() - start


def report(port: int, path: str, body: str, secret: str, method: str = "REPORT",
           depth: str = "0") -> tuple[float, bytes]:
    auth = base64.b64encode(f"{EMAIL}:{secret}".encode()).decode()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    start = time.perf_counter()
    connection.request(method, path, body=body.encode(), headers={"Authorization": f"Basic {auth}", "Depth": depth,
                                                                 "Content-Type": "application/xml"})
    data = connection.getresponse().read()
    elapsed = time.perf_counter() - start
    connection.close()
    return elapsed, data


def token_of(data: bytes) -> str:
    return data.split(b"<d:sync-token>")[-1].split(b"</d:sync-token>")[0].decode()


def statements(app, user_id: int, secret: str) -> list[tuple[str, int]]:
    """SQL statements of each request kind, in-process."""
    client = app.test_client()
    auth = {"Authorization": "Basic " + base64.b64encode(f"{EMAIL}:{secret}".encode()).decode()}
    book = f"/dav/books/{user_id}/mine/"
    with app.app_context():
        ids = list(db.session.scalars(select(Contact.id).order_by(Contact.id).limit(100)))
        engine = db.engine
    hrefs = "".join(f"<d:href>{book}{contact_id}.vcf</d:href>" for contact_id in ids)
    multiget = ('<card:addressbook-multiget xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop>'
                f'<d:getetag/><card:address-data/></d:prop>{hrefs}</card:addressbook-multiget>')
    token = token_of(client.open(book, method="REPORT", data=SYNC.format(token=""), headers=auth).data)
    change_one(app, user_id, 99)
    kinds = [("PROPFIND depth 1 (every card's ETag)", "PROPFIND", PROPFIND, {"Depth": "1"}),
             ("REPORT multiget of 100 cards", "REPORT", multiget, {}),
             ("REPORT sync-collection, one change", "REPORT", SYNC.format(token=token), {}),
             ("GET one card", "GET", "", {})]
    counts = []
    for label, method, body, headers in kinds:
        seen = []
        listener = lambda *_args: seen.append(1)  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        path = f"{book}{ids[0]}.vcf" if method == "GET" else book
        response = client.open(path, method=method, data=body, headers={**auth, **headers})
        event.remove(engine, "before_cursor_execute", listener)
        assert response.status_code in (200, 207), (label, response.status_code)
        counts.append((label, len(seen)))
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    url = args.database_url or f"sqlite:///{OUT / f'carddav-{args.contacts}.sqlite3'}"
    print(f"seeding {args.contacts:,} contacts…", flush=True)
    app, user_id, secret = prepare(url, args.contacts)
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        with live_server.gunicorn(url, work) as port:
            laptop = live_server.carddav_client(work, port, EMAIL, secret)
            config = laptop.config
            vdirsyncer(config, "discover", "crm")
            initial = vdirsyncer(config, "sync")
            synced = len(list(laptop.folder.glob("*.vcf")))
            book = f"/dav/books/{user_id}/mine/"
            _elapsed, data = report(port, book, SYNC.format(token=""), secret)
            token = token_of(data)
            client_times, report_times = [], []
            for round_number in range(1, args.rounds + 1):
                change_one(app, user_id, round_number)
                elapsed, data = report(port, book, SYNC.format(token=token), secret)
                assert data.count(b"<d:response>") == 1, data[:500]
                token = token_of(data)
                report_times.append(elapsed)
                client_times.append(vdirsyncer(config, "sync"))
            _elapsed, data = report(port, book, SYNC.format(token=token), secret)
            unchanged = statistics.median(report(port, book, SYNC.format(token=token_of(data)), secret)[0]
                                          for _round in range(args.rounds))
            listing = statistics.median(report(port, book, PROPFIND, secret, "PROPFIND", "1")[0]
                                        for _round in range(args.rounds))
    counts = statements(app, user_id, secret)
    database = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"\nCardDAV, {database}, \"Mes contacts\" of {args.contacts:,} contacts, gunicorn 2 workers\n")
    print(f"{'measure':<58}{'value':>12}  target")
    print(f"{'initial sync, vdirsyncer (discover done), ' + str(synced) + ' cards':<58}{initial:>10.2f} s  ≤ 20 s "
          f"(10,000)")
    print(f"{'incremental sync, one change, vdirsyncer (median)':<58}{statistics.median(client_times) * 1000:>9.0f} ms")
    print(f"{'incremental sync, one change, sync-collection REPORT':<58}"
          f"{statistics.median(report_times) * 1000:>9.0f} ms  ≤ 200 ms")
    print(f"{'sync-collection REPORT, nothing changed (median)':<58}{unchanged * 1000:>9.0f} ms")
    print(f"{'PROPFIND depth 1, every ETag (what vdirsyncer lists; median)':<58}{listing * 1000:>9.0f} ms")
    print(f"\n{'request (in-process)':<58}{'SQL statements':>15}")
    for label, count in counts:
        print(f"{label:<58}{count:>15}")


if __name__ == "__main__":
    os.environ.setdefault("SECRET_KEY", "bench-only-secret")
    main()

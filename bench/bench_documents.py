"""The documents search (issue 20): N documents with generated text (French-like words, a few rare ones), searched
in-process as the documents screen does it (the visible documents matching every word, the page of 20, their texts
and the passage of each): median and p95 per query, on SQLite (FTS5) or PostgreSQL (tsvector). Not a test: prints a
table, asserts nothing.

  .venv/bin/python bench/bench_documents.py                           # SQLite, 20,000 documents of 10 KB of text
  .venv/bin/python bench/bench_documents.py --text-kb 100             # 2 GB of text, as the issue asks
  .venv/bin/python bench/bench_documents.py --database-url postgresql+psycopg://postgres@127.0.0.1/crm_bench_docs

The documents' bytes are not stored (the search never reads them): only their rows, versions and text."""
import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select, text  # noqa: E402

from webapp.extensions import db  # noqa: E402
from webapp.models import (Client, Contact, Document, DocumentVersion, Entity, Role, User,  # noqa: E402
                           document_contacts)
from webapp.models.types import utcnow  # noqa: E402
from webapp.services import documents  # noqa: E402
from bench_db import migrated_app  # noqa: E402
from webapp.text import fold  # noqa: E402

OUT = ROOT / "bench" / "out"
SYLLABLES = ["ma", "re", "con", "tra", "ti", "on", "de", "vel", "op", "pe", "ment", "ser", "vi", "ce", "pro", "jet",
             "cli", "ent", "fac", "tu", "ra", "ges", "sys", "te", "me", "bud", "get", "plan", "ning", "lo", "gi", "que"]
RARE = ["zephyrine", "quetzalcoatl", "vivatech", "obsolescence", "kaizen"]
ACCENTED = ["évolutive", "intérêt", "société", "équipe", "réunion", "échéance", "prévisionnel"]


def vocabulary(rng: random.Random) -> list[str]:
    words = {"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(6000)}
    return sorted(words) + ACCENTED * 20


def prepare(url: str, count: int, text_kb: int):
    app = migrated_app(url)
    rng = random.Random(20)
    with app.app_context():
        entity = Entity(label="Est")
        user = User(email="bench.documents@example.com", password_hash="x", active=True)
        user.set_names("COTILLON", "Marion")
        user.roles = [db.session.scalars(select(Role).where(Role.name == "Commercial")).one()]
        user.entities = [entity]
        db.session.add_all([entity, user])
        accounts = []
        for number in range(200):
            account = Client()
            account.set_name(f"Société {number:03d}")
            account.entities = [entity]
            accounts.append(account)
        db.session.add_all(accounts)
        db.session.flush()
        contacts = []
        for number in range(2000):
            contact = Contact(client_id=accounts[number % 200].id, last_name=f"Nom{number:04d}", first_name="Prénom",
                              function="Acheteur")
            contact.refresh_keys(company_name=accounts[number % 200].name)
            contacts.append(contact)
        db.session.add_all(contacts)
        db.session.commit()
        words = vocabulary(rng)
        per_doc = text_kb * 1024 // 8
        started = time.perf_counter()
        for start in range(0, count, 500):
            document_rows, version_rows, link_rows = [], [], []
            for number in range(start, min(start + 500, count)):
                body = " ".join(rng.choices(words, k=per_doc))
                if number % 1000 == 7:
                    body += " " + RARE[number // 1000 % len(RARE)]
                contact = contacts[number % 2000]
                name = f"document-{number:05d}.pdf"
                document_rows.append({
                    "id": number + 1, "name": name, "name_key": name, "client_id": contact.client_id,
                    "category_id": None, "tags": "", "created_by_id": user.id, "size": len(body), "kind": "pdf",
                    "mime": "application/pdf", "text_problem": None, "version_count": 1,
                    "created_at": utcnow(), "updated_at": utcnow(),
                    "search_text": fold(f"{name} {contact.first_name} {contact.last_name} "
                                        f"{body[:documents.MAX_INDEXED_CHARS]}")})
                version_rows.append({"document_id": number + 1, "number": 1, "name": name, "size": len(body),
                                     "sha256": "", "kind": "pdf", "mime": "application/pdf", "text": body,
                                     "text_problem": None, "created_by_id": user.id,
                                     "created_at": utcnow()})
                link_rows.append({"document_id": number + 1, "contact_id": contact.id})
            db.session.execute(insert(Document), document_rows)
            db.session.execute(insert(DocumentVersion), version_rows)
            db.session.execute(insert(document_contacts), link_rows)
            db.session.commit()
            print(f"  {min(start + 500, count):,} documents ({time.perf_counter() - started:.0f} s)", flush=True)
        if url.startswith("postgresql"):
            with db.engine.begin() as connection:
                connection.execute(text("ANALYZE document"))
        return app, user.id


def measure(app, user_id: int, queries: list[str], runs: int) -> list[tuple[str, int, float, float]]:
    results = []
    with app.app_context():
        user = db.session.get(User, user_id)
        for query in queries:
            times, total = [], 0
            for _run in range(runs):
                start = time.perf_counter()
                found = documents.search(user, query)
                texts = documents.texts_of(found.documents)
                terms = documents.query_terms(query)
                for document in found.documents:
                    documents.snippet(texts.get(document.id, ""), terms)
                times.append((time.perf_counter() - start) * 1000)
                total = found.total
                db.session.rollback()
            times.sort()
            results.append((query, total, statistics.median(times), times[int(len(times) * 0.95) - 1]))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--text-kb", type=int, default=10)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    url = args.database_url or f"sqlite:///{OUT / f'documents-{args.documents}-{args.text_kb}.sqlite3'}"
    print(f"loading {args.documents:,} documents of {args.text_kb} KB of text…", flush=True)
    app, user_id = prepare(url, args.documents, args.text_kb)
    queries = ["", "evolutive", "zephyrine", "reunion echeance", "Nom0042", "vivat", "introuvable"]
    database = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"\nDocuments search, {database}, {args.documents:,} documents, {args.text_kb} KB of text each "
          f"({args.documents * args.text_kb / 1024 / 1024:.1f} GB), page of 20 with passages, {args.runs} runs\n")
    print(f"{'query':<22}{'found':>8}{'median ms':>12}{'p95 ms':>10}   target p95 ≤ 150 ms")
    for query, total, median, p95 in measure(app, user_id, queries, args.runs):
        print(f"{query or '(none)':<22}{total:>8,}{median:>12.1f}{p95:>10.1f}")


if __name__ == "__main__":
    os.environ.setdefault("SECRET_KEY", "bench-only-secret")
    main()

"""Benchmark of the mass actions over every contact matching the filters (issue 6). Not a test.

  .venv/bin/python bench/bench_bulk.py                  # 100,000 contacts on SQLite (and PostgreSQL with --pg)

It works on a copy of the list benchmark's database (bench/bench_list.py builds it), so the list figures stay
comparable. Each action runs in-process through its service, the way the route calls it; it prints time, SQL
statements and the process's peak resident memory so far (tracemalloc would slow the exports several-fold)."""
import argparse
import io
import shutil
import sys
import time
import resource
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.bench_list import EMAIL, OUT, PG_BASE, prepare  # noqa: E402


class _Counter(io.RawIOBase):
    """A file that only counts what is written to it."""

    def __init__(self):
        self.size = 0

    def writable(self):
        return True

    def write(self, data):
        self.size += len(data)
        return len(data)


def run(url: str) -> list[tuple]:
    from sqlalchemy import event, select
    from werkzeug.datastructures import MultiDict

    from webapp import create_app
    from webapp.config import Config
    from webapp.extensions import db
    from webapp.models import MailingList, User
    from webapp.queries import ContactQuery
    from webapp.services import bulk
    from webapp.services.vcard_export import iter_vcf, iter_zip

    config = Config()
    config.SQLALCHEMY_DATABASE_URI = url
    app = create_app(config)
    rows = []
    with app.test_request_context():
        user_id = db.session.scalar(select(User.id).where(User.email == EMAIL))
        other = db.session.scalar(select(User.id).where(User.id != user_id, User.active).limit(1))
        mailing = MailingList(provider="Mailjet", label=f"Bench {time.time()}")
        db.session.add(mailing)
        db.session.commit()
        mailing_id = mailing.id
        statements = [0]
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.__setitem__(0, statements[0] + 1))

        def measure(label, action):
            db.session.expunge_all()
            fresh = db.session.get(User, user_id)
            statements[0] = 0
            start = time.perf_counter()
            outcome = action(fresh)
            elapsed = time.perf_counter() - start
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            rows.append((label, elapsed, statements[0], peak, outcome))

        everything = ContactQuery.from_args(MultiDict({"active": "all", "archived": "include"}))
        holder = {}
        measure("select across (count)", lambda u: bulk.resolve(u, query=everything).count)
        measure("reassign all", lambda u: holder.setdefault(
            "r", bulk.reassign(u, bulk.resolve(u, query=everything), other)).changed)
        measure("undo the reassignment", lambda u: bulk.undo_reassign(u, holder["r"].at, other))
        measure("subscribe all to a list", lambda u: bulk.change_subscriptions(
            u, bulk.resolve(u, query=everything), [mailing_id], True).changed)
        measure("unsubscribe all", lambda u: bulk.change_subscriptions(
            u, bulk.resolve(u, query=everything), [mailing_id], False).changed)

        def export(writer):
            def action(u):
                ids = list(db.session.scalars(bulk.resolve(u, query=everything).ids.order_by(None)))
                sink = _Counter()
                for chunk in writer(ids, "3.0"):
                    sink.write(chunk)
                return f"{sink.size / 1024 / 1024:.0f} MB"
            return action

        measure("export one .vcf", export(iter_vcf))
        measure("export a .zip", export(iter_zip))
        db.session.rollback()
    with app.app_context():
        db.engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--pg", action="store_true", help="also on PostgreSQL")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    source = OUT / f"list-{args.contacts}.sqlite3"
    prepare(f"sqlite:///{source}", args.contacts, fresh=False)
    copy = OUT / f"bulk-{args.contacts}.sqlite3"
    shutil.copyfile(source, copy)
    targets = [("SQLite", f"sqlite:///{copy}")]
    if args.pg:
        pg_url = f"{PG_BASE}/crm_bench_bulk_{args.contacts}"
        prepare(pg_url, args.contacts, fresh=False)
        targets.append(("PostgreSQL", pg_url))
    for name, url in targets:
        print(f"\n{name}, {args.contacts:,} contacts, every contact selected (select across)")
        print(f"| {'action':26} | {'time s':>7} | {'SQL':>5} | {'peak RSS MB':>11} | result |")
        print(f"|{'-' * 28}|{'-' * 9}|{'-' * 7}|{'-' * 13}|--------|")
        for label, elapsed, statements, peak, outcome in run(url):
            print(f"| {label:26} | {elapsed:7.2f} | {statements:5d} | {peak:11.0f} | {outcome} |")


if __name__ == "__main__":
    main()

"""Benchmark of the list's spreadsheet export (issue 17): 100,000 contacts to CSV and to .xlsx. Not a test.

  .venv/bin/python bench/bench_export.py                # 100,000 contacts on SQLite (and PostgreSQL with --pg)

It reads the list benchmark's database (bench/bench_list.py builds it from ../shared/data/gen_dataset.py, seed 7)
and posts the export form through the test client as a logged-in administrator, reading the answer to its end the
way a browser downloads it: the route, the query, the rows and the file, everything but the network. Each export
runs in a fresh process, so that its peak resident memory (ru_maxrss) is its own; the table also gives the
process's memory before the export, its file size and rows, and the CPU time of the app's process (on a machine
shared with other work, the figure that depends least on it; PostgreSQL's own work is not in it). Targets: CSV <= 15 s, .xlsx <= 40 s, bounded memory."""
import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.bench_list import EMAIL, FLASK, OUT, PG_BASE, prepare  # noqa: E402

CASES = [
    ("CSV ;, visible columns", "csv", "visible"),
    ("CSV ;, every field", "csv", "all"),
    (".xlsx, visible columns", "xlsx", "visible"),
    (".xlsx, every field", "xlsx", "all"),
]
QUERY = "active=all&archived=include"  # every contact


def one(url: str, file_format: str, columns: str) -> dict:
    """One export in this process; prints its figures as JSON."""
    from bench.listbench import logged_in_client
    from webapp import create_app
    from webapp.config import Config

    config = Config()
    config.SQLALCHEMY_DATABASE_URI = url
    config.WTF_CSRF_ENABLED = False
    config.RATELIMIT_ENABLED = False
    app = create_app(config)
    client = logged_in_client(app, EMAIL)
    client.get("/contacts?q=")  # warm the app: templates, the user's session
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start, cpu = time.perf_counter(), time.process_time()
    response = client.post("/contacts/export", data={"query": QUERY, "format": file_format, "columns": columns},
                           buffered=False)
    size, first_byte = 0, None
    for chunk in response.response:
        if first_byte is None:
            first_byte = time.perf_counter() - start
        size += len(chunk)
    response.close()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert response.status_code == 200, response.status_code
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models import AuditEntry
    with app.app_context():  # the rows exported, as the audit entry counts them
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.via == "export")
                                   .order_by(AuditEntry.id.desc()).limit(1)).one()
        rows = json.loads(entry.new_value)["rows"]
        db.engine.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": elapsed, "cpu": cpu, "first_byte": first_byte or elapsed, "mb": size / 1024 / 1024, "rows": rows,
            "rss_before": before, "rss_peak": peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--pg", action="store_true", help="also on PostgreSQL")
    parser.add_argument("--one", nargs=3, metavar=("URL", "FORMAT", "COLUMNS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(*args.one)))
        return
    OUT.mkdir(parents=True, exist_ok=True)
    sqlite_url = f"sqlite:///{OUT / f'list-{args.contacts}.sqlite3'}"
    prepare(sqlite_url, args.contacts, fresh=False)
    targets = [("SQLite", sqlite_url)]
    if args.pg:
        pg_url = f"{PG_BASE}/crm_bench_export_{args.contacts}"
        prepare(pg_url, args.contacts, fresh=False)
        targets.append(("PostgreSQL", pg_url))
    for name, url in targets:
        # A database the list benchmark made before migration 0011 gets the right "Exporter la liste" here.
        subprocess.run([*FLASK, "db", "upgrade"], check=True, capture_output=True, cwd=ROOT,
                       env={**os.environ, "DATABASE_URL": url})
        print(f"\n{name}, {args.contacts:,} contacts, every contact exported (in-process, read to the end)")
        print(f"| {'export':24} | {'rows':>7} | {'MB':>5} | {'first byte s':>12} | {'total s':>7} | {'CPU s':>6} "
              f"| {'RSS before MB':>13} | {'peak RSS MB':>11} |")
        print(f"|{'-' * 26}|{'-' * 9}|{'-' * 7}|{'-' * 14}|{'-' * 9}|{'-' * 8}|{'-' * 15}|{'-' * 13}|")
        for label, file_format, columns in CASES:
            done = subprocess.run([sys.executable, __file__, "--one", url, file_format, columns], check=True,
                                  capture_output=True, text=True, cwd=ROOT)
            r = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"| {label:24} | {r['rows']:7,} | {r['mb']:5.1f} | {r['first_byte']:12.2f} | {r['seconds']:7.2f} | {r['cpu']:6.2f} "
                  f"| {r['rss_before']:13.0f} | {r['rss_peak']:11.0f} |", flush=True)


if __name__ == "__main__":
    main()

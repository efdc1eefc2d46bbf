"""`make bench`: every benchmark in turn, each printing its own table. Not part of the test run."""
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = [
    ("contacts list (SQLite 100k, PostgreSQL 1M, HTTP)", ["bench_list.py"]),
    ("contacts list rendering, 50 rows (SQL apart from templates)", ["bench_render.py"]),
    ("contacts list over HTTP beside the Django admin peer", ["bench_http.py"]),
    ("mass actions over 100k contacts", ["bench_bulk.py"]),
    ("vCard import and export", ["bench_vcard.py"]),
    ("vCard import of hostile files: peak memory", ["bench_vcard_hostile.py"]),
    ("possible duplicates, first page (SQLite 100k, PostgreSQL)", ["bench_duplicates.py", "--pg"]),
    ("CardDAV sync of 10,000 contacts (vdirsyncer, sync-collection)", ["bench_carddav.py"]),
    ("documents search over 20,000 documents", ["bench_documents.py"]),
]


def main() -> int:
    failed = 0
    for title, args in BENCHMARKS:
        print(f"\n===== {title}", flush=True)
        failed += subprocess.run([sys.executable, str(HERE / args[0]), *args[1:]]).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

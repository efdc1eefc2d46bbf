"""Benchmark of the spreadsheet import on SQLite: a 10,000-row trade-show file (CSV in cp1252, and .xlsx) read,
mapped, previewed and committed through the services the screens call, each step timed, each file into a fresh
database: the steps to the preview best of three uploads, then the commit.

Run: .venv/bin/python bench/bench_sheet_import.py [ROWS]   (10,000 rows by default; builds a fresh SQLite database
under bench/out; prints a table)
Targets (issue 17): preview of 10,000 rows <= 5 s (upload read, mapping screen, rows mapped, preview page),
commit <= 10 s.
"""
import csv
import io
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import xlsxwriter  # noqa: E402
from flask import render_template  # noqa: E402

from bench_vcard_app import bench_database, preview_page  # noqa: E402
from webapp import unit_of_work  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.models import User  # noqa: E402
from webapp.services.sheet_import import apply_mapping, mapping_screen, start_sheet_import  # noqa: E402
from webapp.services.sheet_read import read_sheet  # noqa: E402
from webapp.services.vcard_commit import commit_import  # noqa: E402

OUT = ROOT / "bench" / "out"
ROWS = 10_000
HEADER = ["Société", "Civilité", "Nom", "Prénom", "Fonction", "E-mail", "Téléphone", "Portable", "Adresse",
          "Code postal", "Ville", "Pays", "Site web", "Stand visité", "Commentaire"]
FIRST = ["Anaïs", "Noël", "Léa", "Hélène", "Éric", "François", "Zoé", "Jérôme", "Agnès", "Loïc"]
LAST = ["Lefèvre", "Dürer", "Zébulon", "Garçon", "Bénard", "Crépin", "Mésange", "Pâris", "Rivière", "Thébault"]
CITIES = [("75011", "Paris"), ("69001", "Lyon"), ("59000", "Lille"), ("33000", "Bordeaux"), ("13001", "Marseille")]


def trade_show_rows(n: int, seed: int = 17, start: int = 0) -> list[list[str]]:
    """n distinct people at 200 companies, every column filled (numbered from `start`: files of other people)."""
    rng = random.Random(seed)
    rows = []
    for i in range(start, start + n):
        company = f"Société {i % 200:03d} & Fils"
        postcode, city = CITIES[i % len(CITIES)]
        rows.append([company, rng.choice(["M.", "Mme"]), f"{rng.choice(LAST)} {i}", rng.choice(FIRST),
                     rng.choice(["Directeur achats", "Acheteuse", "DSI", "Chef de projet"]),
                     f"p{i}@societe{i % 200}.fr",
                     f"01 {i // 10000 % 100:02d} {i // 100 % 100:02d} {i % 100:02d} 10",
                     f"06 {i // 10000 % 100:02d} {i // 100 % 100:02d} {i % 100:02d} 20", f"{i % 90 + 1} rue de la Paix",
                     postcode, city, "France", f"https://societe{i % 200}.fr", f"B{i % 40}", "Rappeler en janvier"])
    return rows


def csv_file(rows) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows([HEADER, *rows])
    return out.getvalue().encode("cp1252")


def xlsx_file(rows) -> bytes:
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"constant_memory": True})
    sheet = workbook.add_worksheet()
    for r, row in enumerate([HEADER, *rows]):
        sheet.write_row(r, 0, row)
    workbook.close()
    return out.getvalue()


def timed(function):
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def to_preview(app, user, name: str, data: bytes) -> tuple[dict, object, object]:
    """Upload read, mapping screen, rows mapped, preview (services and page), each timed, with the commits their
    requests make: (times, batch, preview)."""
    config, times = app.config, {}

    def upload():
        sheet = read_sheet(name, data, config["SHEET_MAX_BYTES"], config["SHEET_MAX_ROWS"], config["SHEET_MAX_MEMORY"])
        batch = start_sheet_import(user, sheet)
        unit_of_work.commit()
        return batch

    times["read"], batch = timed(upload)

    def mapping():
        return render_template("contacts/import_mapping.html", screen=mapping_screen(batch, user))

    times["mapping"], _html = timed(mapping)
    targets = [column.target for column in mapping_screen(batch, user).columns]

    def apply():
        apply_mapping(batch, user, targets, save=False)
        unit_of_work.commit()

    times["rows"], _ = timed(apply)

    def preview():
        return preview_page(batch, user)

    times["preview"], (shown, page) = timed(preview)
    times["page_mb"] = len(page.encode()) / 1e6
    times["total"] = times["read"] + times["mapping"] + times["rows"] + times["preview"]
    return times, batch, shown


def import_file(app, user, name: str, data: bytes, repeat: int = 3) -> dict:
    """The steps to the preview, best of `repeat` uploads of the file (they write only their batch), then the
    commit of the last one."""
    runs = [to_preview(app, user, name, data) for _ in range(repeat)]
    times = min((run[0] for run in runs), key=lambda t: t["total"])
    _times, batch, shown = runs[-1]

    def commit():
        report = commit_import(batch, user)
        unit_of_work.commit()
        return report

    times["commit"], times["report"] = timed(commit)
    return times


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else ROWS
    OUT.mkdir(exist_ok=True)
    files = [("salon.csv", csv_file(trade_show_rows(rows))), ("salon.xlsx", xlsx_file(trade_show_rows(rows)))]
    results = []
    for name, data in files:  # each into a fresh database
        app, user_id = bench_database(OUT / "sheet-import.sqlite3")
        with app.test_request_context():
            user = db.session.get(User, user_id)
            results.append((name, len(data), import_file(app, user, name, data, repeat=3 if rows <= 10_000 else 1)))
    print(f"{f'{rows:,} rows (SQLite)':<34} {'read':>6} {'mapping':>8} {'rows':>6} {'preview':>8} "
          f"{'= to preview':>13} {'target':>7} {'commit':>7} {'target':>7}")
    for name, size, t in results:
        label = f"{name} ({size / 1e6:.1f} MB)"
        print(f"{label:<34} {t['read']:>6.2f} {t['mapping']:>8.2f} {t['rows']:>6.2f} {t['preview']:>8.2f} "
              f"{t['total']:>13.2f} {'<= 5':>7} {t['commit']:>7.2f} {'<= 10':>7}")
    for name, _size, t in results:
        print(f"  {name}: {t['report'].summary()}; preview page {t['page_mb']:.1f} MB")


if __name__ == "__main__":
    main()

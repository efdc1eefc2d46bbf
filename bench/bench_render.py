"""Rendering the contacts list in-process (issue 13): 50 rows, SQL time apart from template time. Not a test: it
prints a table and asserts nothing.

  .venv/bin/python bench/bench_render.py               # SQLite, 100,000 contacts (bench/out/, as bench_list.py)
  .venv/bin/python bench/bench_render.py --runs 50

For each scenario, one fresh request context per run (as a request has: no cache carried over): the SQL (the
count, the page of 50 rows, the chips' labels, the filters' options for the full page) is timed apart from the
rendering of the results fragment (50 rows, header, pages) and of the full page. Times are the process's CPU time
(time.process_time), which a machine shared with other work inflates far less than the wall clock; the wall time
of the fragment's rendering is printed beside it. Target: the results fragment's rendering ≤ 8 ms median."""
import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

SCENARIOS = [
    ("page 1, every contact", "/contacts?active=all&archived=include"),
    ("page 1, default filters", "/contacts"),
    ("q=dupont", "/contacts?q=dupont"),
    ("sort Fonction", "/contacts?sort=function"),
]


def measure(app, key: str, path: str, runs: int) -> dict:
    from flask_login import login_user
    from sqlalchemy import event

    from webapp.contacts import pickers
    from webapp.extensions import db
    from webapp.htmx import render
    from webapp.queries import ContactQuery
    from webapp.services.sessions import session_user

    statements = [0]
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", lambda *_args: statements.__setitem__(0, statements[0] + 1))
    timings = {"sql": [], "fragment": [], "options sql": [], "page": [], "fragment wall": [], "bytes": 0, "rows": 0}
    clock = time.process_time
    for run in range(runs + 3):  # 3 warm-ups
        with app.test_request_context(path, headers={"HX-Request": "true", "HX-Target": "results"}):
            from flask import request

            statements[0] = 0
            start = clock()
            user = session_user(key)  # what every request's user loader does: one statement
            login_user(user)
            query = ContactQuery.from_args(request.args)
            result = query.page_of_rows(user)
            chips = query.chips()
            sql_done, wall = clock(), time.perf_counter()
            html = render("contacts/index.html", "results", query=query, result=result, chips=chips)
            rendered, wall = clock(), time.perf_counter() - wall
            fragment_statements = statements[0]
            filters = pickers.filter_options(query, user)
            options_done = clock()
            page = render("contacts/index.html", query=query, result=result, chips=chips, filters=filters)
            page_done = clock()
        if run >= 3:
            timings["sql"].append((sql_done - start) * 1000)
            timings["fragment"].append((rendered - sql_done) * 1000)
            timings["fragment wall"].append(wall * 1000)
            timings["options sql"].append((options_done - rendered) * 1000)
            timings["page"].append((page_done - options_done) * 1000)
        timings["rows"], timings["bytes"] = len(result.rows), len(html.encode())
        timings["page bytes"] = len(page.encode())
        timings["statements"] = (fragment_statements, statements[0])
    with app.app_context():
        db.engine.dispose()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    import bench_list
    from sqlalchemy import select

    from webapp import create_app
    from webapp.config import Config
    from webapp.extensions import db
    from webapp.models import User
    from webapp.services.sessions import start_session

    bench_list.OUT.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{bench_list.OUT / f'list-{args.contacts}.sqlite3'}"
    bench_list.prepare(url, args.contacts, fresh=False)
    config = Config()
    config.SQLALCHEMY_DATABASE_URI = url
    app = create_app(config)
    with app.app_context():
        key = start_session(db.session.scalars(select(User).where(User.email == bench_list.EMAIL)).one())
        db.session.commit()
    print(f"\nSQLite, {args.contacts:,} contacts, 50 rows a page, in-process, median of {args.runs} runs, CPU ms "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print("| scenario                | rows | SQL fragment | render fragment (wall) | fragment KB | options SQL | "
          "render page | page KB | statements fragment / page |")
    print("|-------------------------|------|--------------|------------------------|-------------|-------------|"
          "-------------|---------|----------------------------|")
    for name, path in SCENARIOS:
        t = measure(app, key, path, args.runs)
        med = {key: statistics.median(t[key]) for key in ("sql", "fragment", "options sql", "page", "fragment wall")}
        render_cell = f"{med['fragment']:.1f} ({med['fragment wall']:.1f})"
        print(f"| {name:23} | {t['rows']:4d} | {med['sql']:12.1f} | {render_cell:>22} | "
              f"{t['bytes'] / 1024:11.1f} | {med['options sql']:11.1f} | {med['page']:11.1f} | "
              f"{t['page bytes'] / 1024:7.1f} | {t['statements'][0]:>13} / {t['statements'][1]:<12} |")


if __name__ == "__main__":
    main()

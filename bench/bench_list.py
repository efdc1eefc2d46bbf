"""Benchmark of the contacts list (issue 3). Not a test: it prints a table and asserts nothing.

  .venv/bin/python bench/bench_list.py                 # SQLite 100k, PostgreSQL 1M, HTTP with gunicorn
  .venv/bin/python bench/bench_list.py --skip-pg --sqlite-contacts 20000

Datasets come from ../shared/data/gen_dataset.py (seed 7) and are loaded with `crm import-csv`, then ANALYZEd;
databases are kept under bench/out/ and reused when their row count matches (--fresh rebuilds them)."""
import argparse
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
GENERATOR = ROOT.parent / "shared" / "data" / "gen_dataset.py"
FLASK = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "webapp"]
EMAIL, PASSWORD = "bench@example.com", "bench-password-1"
PG_BASE = "postgresql+psycopg://postgres@127.0.0.1:5432"


def dataset(contacts: int) -> Path:
    path = OUT / f"dataset-{contacts}-seed7" / "contacts.csv"
    if not path.exists():
        print(f"generating {contacts:,} contacts…", flush=True)
        subprocess.run([sys.executable, str(GENERATOR), "--contacts", str(contacts), "--seed", "7", "--out",
                        str(path.parent)], check=True, stdout=subprocess.DEVNULL)
    return path


def prepare(url: str, contacts: int, fresh: bool) -> None:
    """Create, migrate and load the database unless it already holds this many contacts."""
    env = {**os.environ, "DATABASE_URL": url}
    loaded = _contact_count(url)
    # The file repeats a few people (same name at the same company, no e-mail), which the import merges.
    if not fresh and loaded and contacts * 0.99 <= loaded <= contacts:
        return
    if url.startswith("sqlite"):
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    else:
        name = url.rsplit("/", 1)[1]
        for sql in (f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"'):
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
    csv_path = dataset(contacts)
    for args in (["db", "upgrade"], ["crm", "init"]):
        subprocess.run(FLASK + args, env=env, check=True, capture_output=True)
    start = time.perf_counter()
    subprocess.run(FLASK + ["crm", "import-csv", str(csv_path)], env=env, check=True, stdout=subprocess.DEVNULL)
    print(f"loaded {contacts:,} contacts into {url.split(':')[0]} in {time.perf_counter() - start:.1f} s", flush=True)
    subprocess.run(FLASK + ["crm", "create-user", EMAIL, "--password", PASSWORD, "--name", "BENCH Mark",
                            "--role", "Administrateur"], env=env, check=True, capture_output=True)
    _add_deals(url)
    _analyze(url)


def _add_deals(url: str) -> None:
    """The CSV has no deals: 1 contact in 100 gets 1 to 3 (its deal_count kept by the triggers of 0004)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        for every in (100, 200, 300):
            conn.execute(text("INSERT INTO deal (status, title, client_id, contact_id, created_at) "
                              "SELECT 'signée', 'Affaire', client_id, id, CURRENT_TIMESTAMP FROM contact "
                              "WHERE id % :every = 0"), {"every": every})
    engine.dispose()


def _contact_count(url: str) -> int | None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            has_user = conn.execute(text("SELECT count(*) FROM \"user\" WHERE email = :e"), {"e": EMAIL}).scalar()
            return conn.execute(text("SELECT count(*) FROM contact")).scalar() if has_user else None
    except Exception:  # noqa: BLE001 - no database or no schema yet: build it
        return None
    finally:
        engine.dispose()


def _analyze(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
    engine.dispose()


def in_process(url: str, runs: int) -> list[dict]:
    os.environ["DATABASE_URL"] = url
    from bench.listbench import logged_in_client, measure, scenarios
    from webapp import create_app
    from webapp.config import Config

    config = Config()
    config.SQLALCHEMY_DATABASE_URI = url
    app = create_app(config)
    client = logged_in_client(app, EMAIL)
    results = []
    for name, path in scenarios(app):
        m = measure(app, client, path, runs)
        count = re.search(r'id="contacts-count"[^>]*>\s*([^<]*?)\s*<', m["body"]).group(1)
        results.append({"scenario": name, "count": count, **m})
    with app.app_context():
        from webapp.extensions import db

        db.engine.dispose()
    return results


def print_table(title: str, results: list[dict]) -> None:
    print(f"\n{title}")
    print(f"| {'scenario':26} | {'matches':>8} | {'median ms':>9} | {'p95 ms':>7} | {'SQL/request':>11} | {'peak KiB':>8} |")
    print(f"|{'-' * 28}|{'-' * 10}|{'-' * 11}|{'-' * 9}|{'-' * 13}|{'-' * 10}|")
    for r in results:
        print(f"| {r['scenario']:26} | {r['count']:>8} | {r['median']:9.1f} | {r['p95']:7.1f} | "
              f"{r['statements']:11d} | {r['peak_kib']:8.0f} |")


def http_rps(url: str, seconds: float, threads: int) -> dict:
    """Requests per second for page 1 (full page and results fragment) against gunicorn with 2 workers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": url}
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "--bind", f"127.0.0.1:{port}",
                               "--workers", "2", "--log-level", "warning", "webapp:create_app()"], env=env, cwd=ROOT)
    try:
        cookie = _login(port)
        results = {}
        for label, headers in (("full page", {}), ("results fragment", {"HX-Request": "true",
                                                                          "HX-Target": "results"})):
            results[label] = _load(port, {"Cookie": cookie, **headers}, seconds, threads)
        return results
    finally:
        server.terminate()
        server.wait(timeout=10)


def _login(port: int) -> str:
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/login")
            response = conn.getresponse()
            break
        except OSError:
            time.sleep(0.1)
    body = response.read().decode()
    cookie = response.getheader("Set-Cookie").split(";")[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', body).group(1)
    conn.request("POST", "/login", urlencode({"email": EMAIL, "password": PASSWORD, "csrf_token": token}),
                 {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    response.read()
    assert response.status == 302, response.status
    return response.getheader("Set-Cookie").split(";")[0]


def _load(port: int, headers: dict, seconds: float, threads: int) -> dict:
    latencies: list[float] = []
    errors = []
    deadline = time.perf_counter() + seconds

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            conn.request("GET", "/contacts", headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors.append(response.status)
            latencies.append((time.perf_counter() - start) * 1000)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return {"rps": len(latencies) / seconds, "median": statistics.median(latencies), "errors": len(errors),
            "requests": len(latencies)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite-contacts", type=int, default=100_000)
    parser.add_argument("--pg-contacts", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--http-seconds", type=float, default=10)
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--fresh", action="store_true", help="rebuild the databases")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)

    sqlite_url = f"sqlite:///{OUT / f'list-{args.sqlite_contacts}.sqlite3'}"
    prepare(sqlite_url, args.sqlite_contacts, args.fresh)
    print_table(f"SQLite, {args.sqlite_contacts:,} contacts, results fragment, in-process ({args.runs} runs)",
                in_process(sqlite_url, args.runs))
    if not args.skip_pg:
        pg_url = f"{PG_BASE}/crm_bench_{args.pg_contacts}"
        prepare(pg_url, args.pg_contacts, args.fresh)
        print_table(f"PostgreSQL, {args.pg_contacts:,} contacts, results fragment, in-process ({args.runs} runs)",
                    in_process(pg_url, args.runs))
    if not args.skip_http:
        print(f"\nHTTP, gunicorn 2 workers on 127.0.0.1, SQLite {args.sqlite_contacts:,} contacts, page 1, "
              f"4 client threads for {args.http_seconds:.0f} s")
        print("| request          | req/s | median ms | errors |")
        print("|------------------|-------|-----------|--------|")
        for label, r in http_rps(sqlite_url, args.http_seconds, 4).items():
            print(f"| {label:16} | {r['rps']:5.0f} | {r['median']:9.1f} | {r['errors']:6d} |")


if __name__ == "__main__":
    main()

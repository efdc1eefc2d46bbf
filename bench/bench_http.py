"""The full first page of the contacts list over HTTP beside the Django admin peer (issue 13), in the same run:
gunicorn with 2 workers for each, wrk with 10 connections for 10 s, one after the other, twice. Not a test: it
prints a table and the ratio, and asserts nothing.

  .venv/bin/python bench/bench_http.py                  # SQLite, 100,000 contacts for both (seed 7)
  .venv/bin/python bench/bench_http.py --seconds 5 --rounds 1

The app is asked for `/contacts?active=all&archived=include` (the peer has no default filter, so the same
rows), the peer for its changelist; wrk sends no Accept-Encoding (both uncompressed); a last line gives the app
with `Accept-Encoding: br`, as a browser asks. The peer (../shared/peer-bench/) is set up under bench/out/ on the
first run (its venv, the dataset, its SQLite database: a few minutes). Needs `wrk` (apt-get install wrk)."""
import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
PEER = ROOT.parent / "shared" / "peer-bench"
APP_PATH = "/contacts?active=all&archived=include"
PEER_PATH = "/admin/crm/contact/"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int) -> None:
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answers on port {port}")


def peer_env() -> dict:
    data = ROOT / "bench" / "out" / "peer-bench-data"
    return {**os.environ, "BENCH_DATA": str(data), "BENCH_VENV": str(ROOT / "bench" / "out" / "peer-venv"),
            "PEER_DB": str(data / "peer.sqlite3")}


def prepare_peer(env: dict) -> None:
    """The peer's venv, dataset and database, made by its own script (without its measurements) when missing."""
    if Path(env["PEER_DB"]).exists() and Path(env["BENCH_VENV"], "bin", "gunicorn").exists():
        return
    print("setting up the Django admin peer (venv, dataset, load)…", flush=True)
    # Its report step finds no measurement with ROUNDS=0 and fails: the database is what is wanted here.
    subprocess.run(["bash", str(PEER / "run_peer.sh")], env={**env, "ROUNDS": "0", "SKIP_HTTP": "1"},
                   stdout=subprocess.DEVNULL, check=False)
    if not Path(env["PEER_DB"]).exists():
        raise SystemExit("the peer's database was not made: run ../shared/peer-bench/run_peer.sh by hand")


class Server:
    """A gunicorn with 2 workers on 127.0.0.1, stopped by its own pid."""

    def __init__(self, command: list[str], env: dict, cwd: Path):
        self.port = free_port()
        self.process = subprocess.Popen([*command, "--bind", f"127.0.0.1:{self.port}", "--workers", "2",
                                         "--log-level", "warning"], env=env, cwd=cwd)
        wait_for(self.port)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


def fetch(url: str, cookie: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status, response.read()


def wrk(url: str, cookie: str, seconds: int, extra: tuple[str, ...] = ()) -> dict:
    headers = ["-H", f"Cookie: {cookie}"]
    for header in extra:
        headers += ["-H", header]
    # A loaded machine can take seconds per request: wrk's 2 s timeout would count them as errors.
    subprocess.run(["wrk", "-t2", "-c10", "-d3s", "--timeout", "60s", *headers, url], check=True,
                   capture_output=True)  # warm-up
    out = subprocess.run(["wrk", "-t2", "-c10", f"-d{seconds}s", "--timeout", "60s", "--latency", *headers, url],
                         check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    median = re.search(r"50%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 0.001, "ms": 1, "s": 1000}[median.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "median": float(median.group(1)) * scale, "errors": int(errors.group(1)) if errors else 0,
            "socket": socket_errors.group(1).strip() if socket_errors else "none"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    import bench_list

    bench_list.OUT.mkdir(parents=True, exist_ok=True)
    app_db = f"sqlite:///{bench_list.OUT / f'list-{args.contacts}.sqlite3'}"
    bench_list.prepare(app_db, args.contacts, fresh=False)
    env = peer_env()
    prepare_peer(env)
    peer_python = str(Path(env["BENCH_VENV"], "bin", "python"))
    peer_dir = PEER / "peer_django"
    session = subprocess.run([peer_python, "manage.py", "bench_session"], env=env, cwd=peer_dir, check=True,
                             capture_output=True, text=True).stdout.strip()
    peer_cookie = f"sessionid={session}"
    app_env = {**os.environ, "DATABASE_URL": app_db, "SECRET_KEY": "bench-only-secret"}

    results: dict[str, list[dict]] = {"app": [], "peer": [], "app br": []}
    for round_number in range(1, args.rounds + 1):
        print(f"round {round_number}/{args.rounds}…", flush=True)
        app = Server([str(ROOT / ".venv" / "bin" / "gunicorn"), "webapp:create_app()"], app_env, ROOT)
        try:
            cookie = bench_list._login(app.port)
            url = f"http://127.0.0.1:{app.port}{APP_PATH}"
            status, body = fetch(url, cookie)
            assert status == 200 and body.count(b'<tr id="contact-') == 50, status
            results["app"].append(wrk(url, cookie, args.seconds))
            if round_number == args.rounds:
                results["app br"].append(wrk(url, cookie, args.seconds, ("Accept-Encoding: br",)))
        finally:
            app.stop()
        peer = Server([str(Path(env["BENCH_VENV"], "bin", "gunicorn")), "peer.wsgi:application"], env, peer_dir)
        try:
            url = f"http://127.0.0.1:{peer.port}{PEER_PATH}"
            status, body = fetch(url, peer_cookie)
            assert status == 200 and b'id="result_list"' in body, status
            results["peer"].append(wrk(url, peer_cookie, args.seconds))
        finally:
            peer.stop()

    print(f"\nHTTP, gunicorn 2 workers each on 127.0.0.1 ({os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f}), SQLite {args.contacts:,} contacts, full first page (50 rows), "
          f"wrk -t2 -c10 -d{args.seconds}s, {args.rounds} rounds alternating")
    print("| server | round | req/s | median ms | non-2xx | socket errors |")
    print("|---|---|---|---|---|---|")
    for name, label in (("app", "this app, uncompressed"), ("peer", "Django admin peer"),
                        ("app br", "this app, Accept-Encoding: br")):
        for n, r in enumerate(results[name], 1):
            print(f"| {label} | {n} | {r['rps']:.1f} | {r['median']:.1f} | {r['errors']} | {r['socket']} |")
    ratios = [a["rps"] / p["rps"] for a, p in zip(results["app"], results["peer"])]
    print(f"\nratio app / peer, requests per second: {' '.join(f'{r:.2f}x' for r in ratios)} "
          f"(median {statistics.median(ratios):.2f}x; target ≥ 2.5x)")


if __name__ == "__main__":
    main()

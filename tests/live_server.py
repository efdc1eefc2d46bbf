"""A real app server for the tests whose defect lives in the server (races, restarts): gunicorn on a free
loopback port, against the test database, stopped at the end; a plain HTTP request to it; and the configuration
of the real CardDAV clients that sync with it (vdirsyncer, khard)."""
import http.client
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request(port: int, method: str, path: str, body: str | None = None, cookie: str | None = None):
    """(status, Set-Cookie, body) of one request, a form body when given."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": cookie} if cookie else {}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("Set-Cookie"), response.read().decode()
    finally:
        connection.close()


@contextmanager
def gunicorn(database_url: str, tmp_path: Path, *options: str, config: str | None = None, env: dict | None = None):
    """gunicorn with 2 workers (plus `options`, and a config file's text) serving the app; yields its port once
    /healthz answers, and stops it (bounded waits) whatever happens."""
    port = free_port()
    arguments = ["--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "60", *options]
    if config is not None:
        config_path = tmp_path / "gunicorn_conf.py"
        config_path.write_text(config)
        arguments = ["--config", str(config_path), *arguments]
    environment = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "s" * 64,
                   "INSTANCE_PATH": str(tmp_path), **(env or {})}
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("w") as log:
        server = subprocess.Popen([str(Path(sys.executable).with_name("gunicorn")), *arguments, "webapp:create_app()"],
                                  cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 30
            while not _answers(port):
                assert time.monotonic() < deadline and server.poll() is None, log_path.read_text()
                time.sleep(0.2)
            yield port
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=5)


def _answers(port: int) -> bool:
    """True once the server answers /healthz with 200."""
    try:
        return request(port, "GET", "/healthz")[0] == 200
    except OSError:
        return False


def carddav_client(folder: Path, port: int, email: str, secret: str, resolution: str = '"a wins"') -> SimpleNamespace:
    """vdirsyncer's configuration syncing the user's "Mes contacts" into `folder`/contacts/mine (its conflict rule
    `resolution`: "a wins" for the server, null to report), and khard's on that folder."""
    contacts = folder / "contacts"
    (contacts / "mine").mkdir(parents=True, exist_ok=True)
    config = folder / "vdirsyncer.conf"
    config.write_text(f"""[general]
status_path = "{folder / 'status'}/"

[pair crm]
a = "crm_server"
b = "crm_laptop"
collections = ["mine"]
conflict_resolution = {resolution}

[storage crm_server]
type = "carddav"
url = "http://127.0.0.1:{port}/"
username = "{email}"
password = "{secret}"

[storage crm_laptop]
type = "filesystem"
path = "{contacts}/"
fileext = ".vcf"
""")
    khard = folder / "khard.conf"
    khard.write_text(f"""[addressbooks]
[[mine]]
path = {contacts / 'mine'}/
[general]
default_action = list
editor = /bin/true
merge_editor = /bin/true
[vcard]
preferred_version = 3.0
""")
    return SimpleNamespace(config=config, khard=khard, folder=contacts / "mine")

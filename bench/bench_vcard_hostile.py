"""Peak memory of a vCard import fed hostile files, each at most 10 MB (the upload bound): one huge folded line,
a huge quoted-printable value, many medium lines, base64 photos at the line bound, large-pixel photos.

Run: .venv/bin/python bench/bench_vcard_hostile.py   (prints a table; files and databases under bench/out)
Each file is imported in a fresh Python process (read + preview rendered + commit, as the import screens do), so
its peak resident memory (ru_maxrss) is the import's alone on top of the app's. Target (issue 15): peak under
300 MB whatever the 10 MB upload holds.
"""
import base64
import io
import json
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
MB = 1024 * 1024
LIMIT = 10 * MB
TARGET_MB = 300


def _fold(line: bytes, width: int = 75) -> bytes:
    """A content line folded every `width` bytes (CRLF + space), in bytes, as a producer would."""
    parts = [line[:width]] + [line[i:i + width - 1] for i in range(width, len(line), width - 1)]
    return b"\r\n ".join(parts)


def _card(name: str, *lines: bytes) -> bytes:
    head = f"BEGIN:VCARD\r\nVERSION:3.0\r\nN:{name};Test;;;\r\nFN:Test {name}\r\nORG:Hostile\r\n".encode()
    return head + b"".join(line + b"\r\n" for line in lines) + b"END:VCARD\r\n"


def _noise_jpeg(target: int, seed: int) -> bytes:
    """A JPEG of random pixels (they do not compress) of at most `target` bytes, as close to it as 20 px allow."""
    from PIL import Image

    best, side = b"", 200
    while True:
        image = Image.frombytes("RGB", (side, side), random.Random(seed).randbytes(side * side * 3))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=90)
        if len(buffer.getvalue()) > target:
            return best
        best, side = buffer.getvalue(), side + 20


def _big_pixels_png(pixels: int) -> bytes:
    """A flat PNG of about `pixels` pixels (a few KB: a decompression bomb within the pixel bound)."""
    from PIL import Image

    side = int(pixels ** 0.5)
    buffer = io.BytesIO()
    Image.new("RGB", (side, side), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def build_files() -> dict[str, bytes]:
    """name -> file bytes, every one within the 10 MB upload bound."""
    files = {}
    note = b"NOTE:" + b"x" * (9_500_000 - 5)
    files["one 9.5 MB NOTE folded (70,000 lines)"] = _card("Huge", _fold(note))
    files["one 2 MB NOTE folded"] = _card("Two", _fold(b"NOTE:" + "é".encode() * 1_000_000))
    qp = b"NOTE;ENCODING=QUOTED-PRINTABLE:" + b"=\r\n".join([b"=C3=A9" * 12] * 90_000)
    files["one 6.5 MB quoted-printable NOTE (soft breaks)"] = (
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nN:QP;Test\r\nORG:Hostile\r\n" + qp + b"\r\nEND:VCARD\r\n")
    medium = b"".join(_card(f"Medium{i}", _fold(b"NOTE:" + b"m" * 1_000_000)) for i in range(9))
    files["9 cards, NOTE of 1,000,000 bytes each (folded)"] = medium
    lines = b"".join(_card(f"Many{i}", *[_fold(b"X-CUSTOM-%d:" % j + b"y" * 20_000) for j in range(50)])
                     for i in range(9))
    files["9 cards x 50 lines of 20 KB"] = lines
    photos, size = [], 0
    for i in range(20):
        jpeg = _noise_jpeg(780_000, i)  # base64 ~ 1.04 MB: a logical line just within 1 MB
        card = _card(f"Photo{i}", _fold(b"PHOTO;ENCODING=b;TYPE=JPEG:" + base64.b64encode(jpeg)))
        if size + len(card) > LIMIT:
            break
        photos.append(card)
        size += len(card)
    files[f"{len(photos)} base64 photos of 0.78 MB (line bound)"] = b"".join(photos)
    png = _big_pixels_png(24_000_000)
    big = b"".join(_card(f"Pixels{i}", _fold(b"PHOTO;ENCODING=b;TYPE=PNG:" + base64.b64encode(png)))
                   for i in range(40))
    files["40 photos of 24 megapixels (PNG, flat)"] = big
    for name, data in files.items():
        assert len(data) <= LIMIT, (name, len(data))
    return files


def _app(database: Path):
    from bench_vcard_app import bench_app

    return bench_app(database)


def setup(database: Path) -> None:
    """A migrated database with one user (run once, in its own process: migrations are not the import's memory)."""
    from bench_vcard_app import bench_database

    bench_database(database)


def run_case(path: str, database: str) -> None:
    """In a fresh process: the app, then the file imported (read, preview page, commit); prints JSON."""
    from sqlalchemy import select

    from bench_vcard_app import preview_page
    from webapp import unit_of_work
    from webapp.extensions import db
    from webapp.models import User
    from webapp.services.vcard_batch import store_batch
    from webapp.services.vcard_commit import commit_import
    from webapp.services.vcard_mapping import UploadError, read_upload

    app = _app(Path(database))
    with app.app_context():  # the app warmed up as a worker is: its first statement run
        db.session.scalars(select(User).where(User.email == "bench@example.com")).one()
    data = Path(path).read_bytes()
    result = {"baseline_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    start = time.perf_counter()
    with app.test_request_context():
        user = db.session.scalars(select(User).where(User.email == "bench@example.com")).one()
        c = app.config
        try:
            files, plans = read_upload([("hostile.vcf", data)], c["VCF_MAX_BYTES"], c["VCF_MAX_CARDS"],
                                       c["PHOTO_MAX_BYTES"], c["PHOTO_MAX_PIXELS"])
        except UploadError as error:
            result["outcome"] = "refused: " + error.message[:60]
        else:
            batch = store_batch(user, files, plans)
            unit_of_work.commit()
            preview_page(batch, user)
            report = commit_import(batch, user)
            unit_of_work.commit()
            result["outcome"] = f"{report.created} created, {sum(1 for p in plans if p.error)} refused"
    result["seconds"] = time.perf_counter() - start
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def write_files() -> None:
    """Write the hostile files under bench/out (in a process of their own) and print [[name, path], ...]."""
    listing = []
    for index, (name, data) in enumerate(build_files().items()):
        path = OUT / f"hostile-{index}.vcf"
        path.write_bytes(data)
        listing.append([name, str(path)])
    print(json.dumps(listing))


def main() -> None:
    """The table. This process stays small: on Linux a child's ru_maxrss starts at its parent's size."""
    OUT.mkdir(exist_ok=True)
    here = [sys.executable, __file__]
    listing = json.loads(subprocess.run([*here, "--build"], check=True, capture_output=True, text=True,
                                        cwd=ROOT / "bench").stdout)
    template = OUT / "hostile-template.sqlite3"
    subprocess.run([*here, "--setup", str(template)], check=True, capture_output=True, cwd=ROOT / "bench")
    print(f"{'hostile file (<= 10 MB)':<48} {'MB':>5} {'app MB':>7} {'peak MB':>8} {'s':>6}  outcome")
    worst = 0.0
    for index, (name, path) in enumerate(listing):
        size = Path(path).stat().st_size / MB
        database = OUT / f"hostile-{index}.sqlite3"
        shutil.copyfile(template, database)
        run = subprocess.run([*here, "--case", path, str(database)], capture_output=True, text=True, timeout=600,
                             cwd=ROOT / "bench")
        try:
            result = json.loads(run.stdout.strip().splitlines()[-1])
        except (IndexError, ValueError):
            print(f"{name:<48} {size:>5.1f} failed: {run.stderr.strip().splitlines()[-1:]}")
            continue
        worst = max(worst, result["peak_mb"])
        print(f"{name:<48} {size:>5.1f} {result['baseline_mb']:>7.0f} {result['peak_mb']:>8.0f} "
              f"{result['seconds']:>6.2f}  {result['outcome']}")
    print(f"worst peak: {worst:.0f} MB (target < {TARGET_MB} MB)")


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] == "--build":
        write_files()
    elif len(sys.argv) == 3 and sys.argv[1] == "--setup":
        setup(Path(sys.argv[2]))
    elif len(sys.argv) == 4 and sys.argv[1] == "--case":
        sys.path.insert(0, str(ROOT / "bench"))
        run_case(sys.argv[2], sys.argv[3])
    else:
        main()

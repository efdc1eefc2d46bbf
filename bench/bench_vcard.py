"""Benchmark of the vCard layer against plain vobject: import, export, zip export, peak memory.

Run: .venv/bin/python bench/bench_vcard.py   (no database needed; prints a table)
Targets: import <= 2x vobject.readComponents, export <= 1.5x vobject serialize, peak memory <= 300 MB for 10 MB.
The export writes content lines with vobject's escaping helpers instead of building a vobject component per card
(webapp/services/vcard_write.py, `_card_lines`): it is compared with vobject building and serializing, and with
vobject's serializer alone.
"""
import io
import random
import sys
import time
import tracemalloc
import zipfile
from datetime import date, datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import vobject  # noqa: E402  (the benchmark compares against it)
from PIL import Image  # noqa: E402

from webapp.services.filenames import safe_filename, unique_names  # noqa: E402
from webapp.services.vcard_read import parse_vcards  # noqa: E402
from webapp.services.vcard_write import ExportAddress, ExportCard, contact_to_vcard, contacts_to_vcf  # noqa: E402

FIRST = ["Jean", "Élise", "François", "Hélène", "Jérôme", "Anaïs", "Loïc", "Gaëlle", "Cédric", "Bérénice", "Noël",
         "Zoé", "Raphaël", "Maëlys", "Grégoire", "Inès", "Thérèse", "Benoît", "Léa", "Stéphane"]
LAST = ["Dupont", "Lefèvre", "Müller", "Bézier", "D'Arcy", "Nguyễn", "Le Bihan", "Château", "Fournier", "Girard",
        "Dubœuf", "Garçon", "Mercier", "de La Fontaine", "Saint-Exupéry", "Lambert", "Rousseau", "Bonnet", "Faure"]
COMPANIES = ["Société Générale d'Études", "Assurances du Nord, SA", "Électricité & Gaz de l'Est", "Boulangeries Paul",
             "Cabinet Lefèvre; associés", "Transports Rhône-Alpes", "Crédit Mutuel", "Aéroports de Paris"]
CITIES = [("Paris", "75008"), ("Lyon", "69002"), ("Marseille", "13001"), ("Besançon", "25000"), ("Nîmes", "30000")]
TITLES = ["Directeur des achats", "Responsable informatique, infrastructure", "DSI", "Chargée de clientèle", "DPO"]


def make_photos(count: int) -> list[bytes]:
    """Small JPEGs like the thumbnails phones send (96x96, a few KB)."""
    photos = []
    for i in range(count):
        image = Image.new("RGB", (96, 96), (i * 37 % 256, i * 91 % 256, i * 53 % 256))
        for x in range(0, 96, 8):
            for y in range(0, 96, 8):
                image.putpixel((x, y), ((x * y + i) % 256, x % 256, y % 256))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=85)
        photos.append(buffer.getvalue())
    return photos


def make_cards(count: int, seed: int = 7, photo_every: int = 5) -> list[ExportCard]:
    rng = random.Random(seed)
    photos = make_photos(20)
    cards = []
    for i in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        city, code = rng.choice(CITIES)
        cards.append(ExportCard(
            last_name=last, first_name=first, org=rng.choice(COMPANIES), org_unit="Achats" if i % 3 else None,
            title=rng.choice(TITLES), emails=[f"{first.lower()}.{i}@exemple.fr"],
            phones=[(f"01 {i % 100:02d} 35 99 65", "work"), (f"06 {i % 100:02d} 12 34 56", "cell")]
            + ([("01 20 35 99 66", "fax")] if i % 4 == 0 else []),
            address=ExportAddress(street=f"{i} rue de l'Église", street2="Bâtiment B, 2e étage", postal_code=code,
                                  city=city, country="France"),
            urls=[(f"https://www.linkedin.com/in/{first.lower()}-{i}", "linkedin")] if i % 2 else [],
            photo=photos[i % len(photos)] if i % photo_every == 0 else None, photo_mime="image/jpeg",
            gender=rng.choice(["M", "F", None]), uid=f"urn:uuid:00000000-0000-4000-8000-{i:012d}",
            rev=datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
            note="Rencontré au salon, à rappeler; intéressé par l'offre.\nDeuxième ligne." if i % 3 == 0 else None,
            categories=["Client", "Prospect"] if i % 2 else [], birthday=date(1970 + i % 30, 1 + i % 12, 1 + i % 28),
        ))
    return cards


def plain_vobject_component(card: ExportCard):
    """What an app using vobject directly would build for the same contact (no workarounds)."""
    v = vobject.vCard()
    v.add("n").value = vobject.vcard.Name(family=card.last_name, given=card.first_name)
    v.add("fn").value = card.full_name
    if card.org:
        v.add("org").value = [p for p in (card.org, card.org_unit) if p]
    if card.title:
        v.add("title").value = card.title
    for email in card.emails:
        line = v.add("email")
        line.value = email
        line.type_param = "INTERNET"
    for number, kind in card.phones:
        line = v.add("tel")
        line.value = number
        line.type_param = kind
    if card.address:
        a = card.address
        v.add("adr").value = vobject.vcard.Address(street=a.street, extended=a.street2, city=a.city,
                                                   code=a.postal_code, country=a.country)
    for url, _kind in card.urls:
        v.add("url").value = url
    if card.photo:
        line = v.add("photo")
        line.value = card.photo
        line.encoding_param = "b"
        line.type_param = "JPEG"
    if card.note:
        v.add("note").value = card.note
    if card.uid:
        v.add("uid").value = card.uid
    return v


def timed(function, *args, repeat: int = 1):
    best = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function(*args)
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return best, result


def vobject_read_all(text: str) -> int:
    return sum(1 for _ in vobject.readComponents(text))


def zip_export(cards: list[ExportCard]) -> bytes:
    buffer = io.BytesIO()
    names = unique_names(safe_filename(f"{c.last_name} {c.first_name}") for c in cards)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, card in zip(names, cards):
            archive.writestr(name, contact_to_vcard(card).encode("utf-8"))
    return buffer.getvalue()


def main() -> None:
    rows = []
    cards_5k = make_cards(5000)
    data = contacts_to_vcf(cards_5k).encode("utf-8")
    text = data.decode("utf-8")

    t_ours, result = timed(parse_vcards, data, repeat=3)
    assert len(result.cards) == 5000 and not result.errors, (len(result.cards), result.errors[:3])
    t_vobject, n = timed(vobject_read_all, text, repeat=3)
    assert n == 5000
    rows.append((f"import 5,000 cards ({len(data) / 1e6:.1f} MB)", t_ours, t_vobject, 2.0))

    cards_10k = make_cards(10000, seed=11)
    t_export, vcf = timed(contacts_to_vcf, cards_10k, repeat=2)
    components = [plain_vobject_component(c) for c in cards_10k]
    t_plain, _ = timed(lambda: "".join(c.serialize() for c in components), repeat=2)
    # Building the components is part of any export; time it with the plain serializer for a fair comparison.
    t_plain_build, _ = timed(lambda: "".join(plain_vobject_component(c).serialize() for c in cards_10k), repeat=2)
    rows.append((f"export 10,000 cards, one .vcf ({len(vcf) / 1e6:.1f} MB)", t_export, t_plain_build, 1.5))
    t_zip, archive = timed(zip_export, cards_10k)
    rows.append((f"export 10,000 cards, zip of .vcf ({len(archive) / 1e6:.1f} MB)", t_zip, t_plain_build, None))

    # A 10 MB upload: as many of these cards as fit under 10 MB.
    parts, size = [], 0
    for card in make_cards(16000, seed=3, photo_every=4):
        part = contact_to_vcard(card).encode("utf-8")
        if size + len(part) > 10 * 1024 * 1024:
            break
        parts.append(part)
        size += len(part)
    big = b"".join(parts)
    tracemalloc.start()
    parsed = parse_vcards(big, max_cards=50000)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    n_big = len(parsed.cards)
    del parsed

    print(f"{'measure':<48} {'ours (s)':>9} {'vobject (s)':>12} {'ratio':>6} {'target':>7}")
    for label, ours, theirs, target in rows:
        ratio = ours / theirs
        target_text = f"<= {target}" if target else "-"
        print(f"{label:<48} {ours:>9.2f} {theirs:>12.2f} {ratio:>6.2f} {target_text:>7}")
    # The app writes content lines with vobject's escaping helpers and builds no component: compare it with vobject's
    # serializer alone too (components built beforehand, not timed).
    print(f"{'export .vcf vs serialize only, components prebuilt':<48} {t_export:>9.2f} {t_plain:>12.2f} "
          f"{t_export / t_plain:>6.2f}")
    print(f"peak memory parsing a {len(big) / 1024 / 1024:.1f} MB upload ({n_big} cards): "
          f"{peak / 1024 / 1024:.0f} MB (target <= 300 MB)")


if __name__ == "__main__":
    main()

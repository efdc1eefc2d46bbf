"""vCard fidelity (issue 15), photos: re-encoding is idempotent (a JPEG as this app writes it keeps its bytes), so a
photo's SHA-256 survives export -> import into an empty database."""
import hashlib
import io

from PIL import Image
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Contact, ContactPhoto
from webapp.services.photos import process_photo

from .conftest import image_bytes
from .test_vcard_export_app import account, admin, entity, full_contact  # noqa: F401 (fixtures)
from .test_vcard_import import flash_of, open_preview


def test_a_photo_processed_twice_keeps_the_bytes_of_the_first_time():
    exif = Image.Exif()
    exif[0x010F] = "Secret Camera"
    first = process_photo(image_bytes("JPEG", size=(1600, 1200), exif=exif.tobytes()))
    again = process_photo(first.data)
    assert again.data == first.data and again.thumbnail == first.thumbnail
    assert (again.width, again.height) == (first.width, first.height) == (800, 600)


def test_a_photo_with_metadata_or_too_big_is_still_re_encoded():
    exif = Image.Exif()
    exif[0x010F] = "Secret Camera"
    small_with_exif = image_bytes("JPEG", size=(64, 48), exif=exif.tobytes())
    assert b"Secret Camera" not in process_photo(small_with_exif).data
    plain = io.BytesIO()
    Image.new("RGB", (1200, 900), (10, 200, 30)).save(plain, "JPEG")
    assert process_photo(plain.getvalue()).width == 800  # reduced, so written anew
    with_trailer = process_photo(image_bytes("JPEG", size=(64, 48))).data + b"<?php echo 1; ?>"
    assert not process_photo(with_trailer).data.endswith(b"?>")


def test_a_photo_survives_export_and_import_into_an_empty_base(client, app, admin, account, csrf):  # noqa: F811
    contact_id = full_contact(app, account)
    with app.app_context():
        before = db.session.scalar(select(ContactPhoto.data).where(ContactPhoto.contact_id == contact_id))
    data = client.get(f"/contacts/{contact_id}/vcard").data
    with app.app_context():
        db.session.delete(db.session.get(Contact, contact_id))
        db.session.commit()
    url, _html, form = open_preview(client, csrf, ("un.vcf", data))
    flash_of(client, client.post(url, data={**form.fields, "action": "commit"}))
    with app.app_context():
        after = db.session.scalar(select(ContactPhoto.data))
    assert hashlib.sha256(after).hexdigest() == hashlib.sha256(before).hexdigest()


def test_a_heavy_jpeg_within_the_stored_size_is_still_re_encoded():
    import random

    noisy = io.BytesIO()
    Image.frombytes("RGB", (800, 800), random.Random(1).randbytes(800 * 800 * 3)).save(noisy, "JPEG", quality=100)
    assert len(noisy.getvalue()) > 512 * 1024
    assert len(process_photo(noisy.getvalue()).data) < len(noisy.getvalue())

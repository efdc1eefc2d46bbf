"""Photos: real images only, bounded, re-encoded without metadata."""
import io

import pytest
from PIL import Image

from webapp.services.photos import PhotoError, process_photo

from .conftest import image_bytes


def test_a_photo_is_reencoded_as_jpeg_without_metadata():
    exif = Image.Exif()
    exif[0x010F] = "Secret Camera"  # Make
    photo = process_photo(image_bytes("JPEG", exif=exif.tobytes()))
    assert photo.mime == "image/jpeg" and b"Secret Camera" not in photo.data
    assert Image.open(io.BytesIO(photo.thumbnail)).size[0] <= 96


@pytest.mark.parametrize("data,words", [
    (b"", "vide"), (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image lisible"), (b"GIF89a garbage", "image lisible"),
    (image_bytes("BMP"), "Format non accepté"), (image_bytes("PNG", (6000, 6000), 0, "1"), "trop grande"),
])
def test_bad_photos_are_refused_with_a_reason(data, words):
    with pytest.raises(PhotoError) as refused:
        process_photo(data)
    assert words in str(refused.value)


def test_a_declared_ten_thousand_square_image_is_refused_as_too_big():
    with pytest.raises(PhotoError) as refused:
        process_photo(image_bytes("PNG", (10_000, 10_000), 0, "1"))
    assert "trop grande" in str(refused.value)


def test_over_five_megabytes_is_refused():
    with pytest.raises(PhotoError) as refused:
        process_photo(b"\x89PNG" + b"0" * (5 * 1024 * 1024 + 1))
    assert "5 Mo" in str(refused.value)

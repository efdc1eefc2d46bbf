"""Contact photos: only real JPEG, PNG, WebP or GIF images, bounded, re-encoded without their metadata."""
import io
import warnings
from dataclasses import dataclass

from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 25_000_000
STORED_SIZE = 800  # longest side kept, in pixels
# A JPEG of at most the stored size and this many bytes, without metadata, is kept as it is (see
# _as_this_app_writes); 800 x 800 pixels at the quality written here take 100 to 300 KB.
STORED_MAX_BYTES = 512 * 1024
THUMBNAIL_SIZE = 96


class PhotoError(ValueError):
    """A photo refused, with the reason in French."""


@dataclass
class ProcessedPhoto:
    data: bytes
    thumbnail: bytes
    mime: str
    width: int
    height: int


def process_photo(raw: bytes, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS) -> ProcessedPhoto:
    """Check a photo (type, size, pixels: decompression bombs refused) and re-encode it as JPEG, metadata gone."""
    if not raw:
        raise PhotoError(_("Le fichier est vide."))
    if len(raw) > max_bytes:
        raise PhotoError(_("La photo dépasse %(size)d Mo.", size=max_bytes // (1024 * 1024)))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(raw))
            if image.format not in ALLOWED_FORMATS:
                raise PhotoError(_("Format non accepté : utilisez une image JPEG, PNG, WebP ou GIF."))
            width, height = image.size
            if width * height > max_pixels:
                raise PhotoError(_("L'image est trop grande (%(width)d × %(height)d pixels ; %(max)d mégapixels au "
                                   "plus).", width=width, height=height, max=max_pixels // 1_000_000))
            # A JPEG is decoded at the smallest scale still larger than the stored size: a 24-megapixel photo
            # decoded whole is 72 MB, and a vCard import meets dozens of them.
            image.draft("RGB", (STORED_SIZE, STORED_SIZE))
            image.load()
    except PhotoError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise PhotoError(_("L'image est trop grande (%(max)d mégapixels au plus).",
                             max=max_pixels // 1_000_000)) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise PhotoError(_("Ce fichier n'est pas une image lisible (JPEG, PNG, WebP ou GIF).")) from error
    as_written = _as_this_app_writes(image, raw)
    stored = _upright_rgb(_reduced(image))
    thumb = stored.copy()  # from the stored size: resampling a 12-megapixel original twice is wasted work
    thumb.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE))
    return ProcessedPhoto(data=raw if as_written else _jpeg(stored, 88), thumbnail=_jpeg(thumb, 80), mime="image/jpeg",
                          width=stored.width, height=stored.height)


_METADATA = ("exif", "icc_profile", "comment", "xmp", "photoshop", "adobe", "mp")


def _as_this_app_writes(image: Image.Image, raw: bytes) -> bool:
    """True for a photo already in the form this module stores (a plain RGB JPEG, no metadata, no trailing data,
    within the stored size and STORED_MAX_BYTES): it keeps its bytes, so that a photo exported and imported again (in another
    installation, say) is not re-encoded a second time and keeps its SHA-256."""
    return (image.format == "JPEG" and image.mode == "RGB" and max(image.size) <= STORED_SIZE
            and len(raw) <= STORED_MAX_BYTES
            and all(marker == "APP0" and data.startswith(b"JFIF\0") for marker, data in image.applist)
            and not any(key in image.info for key in _METADATA) and raw.endswith(b"\xff\xd9"))


def _reduced(image: Image.Image) -> Image.Image:
    """The image at most STORED_SIZE a side, reduced before any conversion so that the full-size pixels are held
    once (a palette image is expanded first: palettes resize only by dropping pixels)."""
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA" if image.mode in ("P", "PA") else "RGB")
    image.thumbnail((STORED_SIZE, STORED_SIZE))  # in place; the EXIF orientation stays in image.info
    return image


def _upright_rgb(image: Image.Image) -> Image.Image:
    from PIL import ImageOps

    image = ImageOps.exif_transpose(image)  # phones store rotation in EXIF, which re-encoding drops
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True)  # a new file: no EXIF, GPS or comments carried over
    return out.getvalue()

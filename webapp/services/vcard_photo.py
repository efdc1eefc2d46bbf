"""A vCard's PHOTO read into image bytes: base64, `data:` URIs, 3.0 base64 without ENCODING; remote ones refused."""
import base64
import binascii
import re
import urllib.parse

from .vcard_cards import ParsedCard
from .vcard_decode import MB
from .vcard_syntax import Property, unescape

_MIME = {"JPEG": "image/jpeg", "JPG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "BMP": "image/bmp",
         "TIFF": "image/tiff", "WEBP": "image/webp"}
_BASE64_TEXT = re.compile(r"^[A-Za-z0-9+/=\s]+$")
_URI = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)
_UNKNOWN_FORMAT = "Photo dans un format non reconnu : non importée."


def sniff_image(data: bytes) -> str | None:
    """The image type of `data` from its first bytes ("image/png"), or None when it is no known image."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data.startswith(b"GIF8"):
        return "image/gif"
    if data.startswith(b"BM"):
        return "image/bmp"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1"):
        return "image/heic"
    return None


def read_photo(prop: Property, card: ParsedCard, max_photo: int) -> None:
    """Inline photos only (base64 or data: URI) go into the card; a remote address is recorded as not imported."""
    value = prop.value.strip()
    if not value:
        return
    if value.lower().startswith("data:"):
        data = _data_uri(value, card, max_photo)
    else:
        data = _inline(prop, value, card, max_photo)
    if data:
        mime = sniff_image(data)
        if mime is None:
            # Not an image (Symbian writes a base64 file:// path): the CRM could not show it anyway.
            card.warn(_UNKNOWN_FORMAT)
            return
        card.photo = data
        card.photo_mime = mime


def _data_uri(value: str, card: ParsedCard, max_photo: int) -> bytes | None:
    """The bytes of a 4.0 `data:` URI."""
    # Some writers escape the URI as text (data:image/jpeg\;base64\,...): base64 has no backslash to lose.
    header, comma, payload = unescape(value)[5:].partition(",")
    if not comma:
        card.warn("Photo illisible (adresse data: incomplète) : non importée.")
        return None
    if ";base64" in header.lower():
        return _b64(payload, card, max_photo)
    return urllib.parse.unquote_to_bytes(payload)


def _inline(prop: Property, value: str, card: ParsedCard, max_photo: int) -> bytes | None:
    """The bytes of a 2.1/3.0 PHOTO: ENCODING=b, or bare base64 that decodes to an image; a URL is refused."""
    encoding = {v.upper() for v in prop.params.get("ENCODING", ())} | {v.upper() for v in prop.bare}
    value_type = {v.upper() for v in prop.params.get("VALUE", ())} | {v.upper() for v in prop.bare}
    if encoding & {"B", "BASE64", "B64"}:
        return _b64(value, card, max_photo)
    if value_type & {"URI", "URL"} or _URI.match(value):
        card.warn("Photo désignée par une adresse (URL) : non importée.")
        if "PHOTO (URL)" not in card.ignored:
            card.ignored.append("PHOTO (URL)")
        return None
    if _BASE64_TEXT.match(value) and sniff_image(_b64(value, card, max_photo) or b""):
        # 3.0 producers that forget ENCODING=b still write base64: accepted when it decodes to an image.
        return _b64(value, card, max_photo)
    card.warn(_UNKNOWN_FORMAT)
    return None


def _b64(text: str, card: ParsedCard, max_photo: int) -> bytes | None:
    """Base64 text decoded, padding forgiven; None (and a warning) past max_photo or when it is not base64."""
    compact = "".join(text.split())
    if len(compact) * 3 // 4 > max_photo:
        card.warn(f"Photo de plus de {max_photo // MB or 1} Mo : non importée.")
        return None
    try:
        return base64.b64decode(compact + "=" * (-len(compact) % 4), validate=False)
    except (binascii.Error, ValueError):
        card.warn("Photo illisible (base64 invalide) : non importée.")
        return None

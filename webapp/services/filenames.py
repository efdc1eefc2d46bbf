"""Safe names for downloaded files: a name from a contact or an attachment, unique inside a zip, and the
Content-Disposition header that carries it."""
import re
import unicodedata
import urllib.parse
from collections.abc import Iterable

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}


def safe_filename(name: str, extension: str = ".vcf", max_length: int = 100) -> str:
    """A file name from a contact's name, safe on every system: "Dupont Jean.vcf"."""
    text = unicodedata.normalize("NFC", name or "")
    # Bidi controls (right-to-left override...) and other format characters could disguise the extension.
    # (isprintable() is False as soon as one character is of category C* or Z* other than the space: the usual
    # name skips the loop.)
    if not text.isprintable():
        text = "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in text
                       if unicodedata.category(ch) not in ("Cf", "Cs", "Co"))
    text = _UNSAFE.sub(" ", text)
    text = " ".join(text.split()).strip(" .")
    if text.split(".")[0].upper() in _RESERVED:
        text = "_" + text
    encoded = text.encode("utf-8")
    limit = max_length - len(extension.encode("utf-8"))
    if len(encoded) > limit:
        text = encoded[:limit].decode("utf-8", "ignore").rstrip(" .")
    return (text or "contact") + extension


class UniqueNames:
    """File names made unique inside one zip as they come: "Dupont Jean.vcf", then "Dupont Jean (2).vcf"..."""

    def __init__(self):
        self._seen: set[str] = set()

    def __call__(self, name: str) -> str:
        """`name`, or `name (n)` when an earlier call already gave it."""
        stem, dot, extension = name.rpartition(".")
        if not dot:
            stem, extension = name, ""
        suffix = f".{extension}" if dot else ""
        candidate, n = name, 1
        while candidate.casefold() in self._seen:
            n += 1
            candidate = f"{stem} ({n}){suffix}"
        self._seen.add(candidate.casefold())
        return candidate


def unique_names(names: Iterable[str]) -> list[str]:
    """Make file names unique inside one zip: "Dupont Jean.vcf", "Dupont Jean (2).vcf"..."""
    unique = UniqueNames()
    return [unique(name) for name in names]


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """A Content-Disposition header value (RFC 6266): an ASCII fallback and the UTF-8 name."""
    fallback = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    fallback = re.sub(r'[^A-Za-z0-9 ._()-]', "_", fallback).strip() or "contacts"
    quoted = urllib.parse.quote(filename, safe="")
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quoted}"

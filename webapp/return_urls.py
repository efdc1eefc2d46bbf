r"""Where to send the user back to: a path on this site taken from a `next`/`back` field or the Referer, never
another host (open redirects), a scheme, a backslash (browsers read `/\evil` as `//evil`) or a control character."""
from urllib.parse import urlsplit

from flask import request

MAX_LENGTH = 2000


def local_url(value: str | None, default: str, under: str | None = None) -> str:
    """`value` when it is a path on this site (and, given `under`, that path itself with any query), else `default`."""
    if not value or len(value) > MAX_LENGTH or "\\" in value or any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//"):
        return default
    if under is not None and parts.path != under:
        return default
    return value


def referrer_url(default: str, under: str | None = None) -> str:
    """The page the request came from (the Referer, sent for this site's own pages) as a local URL, else `default`."""
    parts = urlsplit(request.referrer or "")
    if parts.scheme not in ("http", "https") or parts.netloc != request.host:
        return default
    return local_url(parts.path + (f"?{parts.query}" if parts.query else ""), default, under)

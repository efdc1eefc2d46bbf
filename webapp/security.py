"""Headers every response carries: content security policy, no sniffing, no caching of private pages."""
from flask import Flask, request, session

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def init_security_headers(app: Flask) -> None:
    """Set the headers on every response, error pages included; registered last so that it runs first."""

    @app.after_request
    def set_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        headers["X-Frame-Options"] = "DENY"
        if request.endpoint != "static":
            headers.add("Vary", "HX-Request")
            # Private pages are never stored; a response that chose its own policy (a photo revalidated by
            # its ETag) keeps it. The session says who is logged in without asking the database, which may be
            # the very thing that failed.
            if "_user_id" in session and "Cache-Control" not in headers:
                headers["Cache-Control"] = "no-store"
        return response

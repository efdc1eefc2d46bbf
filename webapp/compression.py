"""Responses compressed when the client accepts it (brotli, else gzip), by Flask-Compress: HTML, CSS, JS, JSON
and SVG. The first page of the list (50 rows) goes from about 78 KB to about 10 KB."""
from flask import Flask, request
from flask_compress import Compress

compress = Compress()


def init_compression(app: Flask) -> None:
    """Compress responses; registered first among the after_request hooks, so that it runs last, on the final body.

    A request another site made the browser send (Sec-Fetch-Site: cross-site) is answered uncompressed: a page
    that reflects a search beside the CSRF token must not tell, by its compressed size, how much of the search
    matches the token (BREACH). The session cookie (SameSite=Lax) already keeps most such requests logged out."""
    app.config.setdefault("COMPRESS_REGISTER", False)  # the hook below decides
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    # Streamed responses (exports) stay as they are: their download shows its progress.
    app.config.setdefault("COMPRESS_STREAMS", False)
    app.config.setdefault("COMPRESS_MIMETYPES", ["text/html", "text/css", "text/javascript", "application/javascript",
                                                 "application/json", "image/svg+xml"])
    compress.init_app(app)

    @app.after_request
    def compressed(response):
        if request.headers.get("Sec-Fetch-Site") == "cross-site":
            # One Vary header (the session's "Cookie" is added to the first one only).
            values = [value.strip() for header in response.headers.getlist("Vary") for value in header.split(",")]
            response.headers["Vary"] = ", ".join(dict.fromkeys([*values, "Accept-Encoding"]))
            return response
        if request.endpoint == "static" and response.status_code == 200:
            # Static files (a few KB) are sent from disk as a stream: read them so that they are compressed,
            # the file closed with the response.
            response.direct_passthrough = False
            response.make_sequence()
        return compress.after_request(response)

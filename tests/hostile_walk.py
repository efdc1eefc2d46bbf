"""The machinery of the hostile-input walk (tests/test_hostile_input.py): find every form and every read parameter
of the app by crawling it as a logged-in administrator, then send each field each hostile value.

- Pages: every GET rule without arguments, then every local URL their attributes hold (href, src, hx-get, a cell's
  data-edit-url), for up to 3 records per endpoint and non-id arguments (a slug, a picker's kind, a cell's field).
  Forms: every <form> of those pages and of the answers to their valid submissions (a bulk action's dialog, the
  import preview after an upload), once per endpoint, non-id arguments and field names, and every URL that an
  answer's HX-Trigger hands to the page's script (the bulk reassignment's "Annuler"). Each form is submitted filled
  validly first (its rendered values, plus what the test says an empty form needs), which must be accepted.
- Fields: the form's controls, plus every name the view looked up in request.form, request.files or request.args
  while answering the valid submission (a recording MultiDict), so a field read but not rendered is walked too.
- Isolation: each form's walk runs in one transaction of one connection, each request in a savepoint of it that is
  rolled back, so the world never changes and an accepted request cannot spoil the next. The app's own commit
  releases its savepoint: a write is "kept" when statements changing a table run inside a savepoint that the
  request released (or in a real commit elsewhere), which the listener below sees, and the row counts are compared
  besides.
- Cost: each field takes every value once per form; its twins (the same field in the same form on another screen,
  or in the add form when the edit form took them) take TWIN_VALUES, which probe what differs between them.
"""
import re
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote, urldefrag, urljoin, urlsplit

from sqlalchemy import event, text
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from webapp.extensions import db

RAW_FF = object()  # "%FF" as the byte 0xFF (a lone percent-escape no browser would send), not three characters
# The list: empty, spaces, 10,000 characters, NUL, %FF, U+202E, emoji, a leading = + - @, -1, 1e308, 2^63,
# 2024-02-30; and 2^31, the first id past PostgreSQL's INTEGER.
HOSTILE = ["", "   ", "x" * 10_000, "a\x00b", RAW_FF, "\u202egnp.exe", "😀", "=cmd|' /C calc'!A0", "+33 1 23",
           "-1", "@SUM(A1)", "1e308", str(2**63), "2024-02-30", str(2**31)]
# What differs between twin forms (one endpoint, one form, another parameter screen, bulk action or cell) is the table
# or column behind: a length, a type, an id's range. These probe that; the twin walked first takes every value.
TWIN_VALUES = ["x" * 10_000, "a\x00b", RAW_FF, str(2**63)]
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|sqlalchemy\.exc|psycopg\.errors|OperationalError")
WRITE = re.compile(r"^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.I)


def shown(value) -> str:
    return "%FF" if value is RAW_FF else repr(value)[:24]


# ---------------------------------------------------------------------------------------------------------------
# Which names a view reads


class RecordingDict(ImmutableMultiDict):
    """request.args / request.form / request.files that note every name looked up."""

    read: set = set()

    def __getitem__(self, key):
        RecordingDict.read.add(key)
        return super().__getitem__(key)

    def getlist(self, key, type=None):  # noqa: A002 - werkzeug's signature
        RecordingDict.read.add(key)
        return super().getlist(key, type)

    def __contains__(self, key):
        RecordingDict.read.add(key)
        return super().__contains__(key)


# ---------------------------------------------------------------------------------------------------------------
# Forms and links in a page


@dataclass
class Control:
    tag: str
    name: str
    type: str = ""
    value: str = ""
    checked: bool = False
    options: list = field(default_factory=list)  # (value, selected) of a select
    multiple: bool = False
    form_id: str = ""
    attrs: dict = field(default_factory=dict)


@dataclass
class Form:
    method: str
    action: str
    multipart: bool
    controls: list
    submitter: Control | None = None

    def names(self) -> frozenset:
        return frozenset(c.name for c in self.controls if c.name and c.tag != "button")

    def baseline(self) -> list:
        """What a browser sends when the form is submitted untouched: (name, value) pairs; files as (name, bytes)."""
        pairs = []
        for c in self.controls:
            if not c.name or c.tag == "button" or c.type in ("submit", "image", "reset", "button", "file"):
                continue
            if c.type in ("checkbox", "radio"):
                if c.checked:
                    pairs.append((c.name, c.value or "on"))
            elif c.tag == "select":
                chosen = [v for v, selected in c.options if selected]
                if not chosen and c.options and not c.multiple:
                    chosen = [c.options[0][0]]
                pairs.extend((c.name, v) for v in chosen)
            else:
                pairs.append((c.name, c.value))
        submitter = self.submitter or next((c for c in self.controls if c.type == "submit" and c.name), None)
        if submitter is not None and submitter.name:
            pairs.append((submitter.name, submitter.value))
        return pairs


class PageParser(HTMLParser):
    """The forms (with their controls) and the links of one HTML page or fragment."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.forms, self.loose, self.fills = [], [], [], defaultdict(set)
        self._form = self._select = self._option = self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        # href, src, hx-get, and the URLs the page's script reads from data- attributes (a cell's editor), some of
        # them patterns it fills from a row ("/contacts/{id}/cells/{field}": the row's id, a cell's data-field).
        self.links.extend(v for v in a.values() if v.startswith("/") and not v.startswith("//"))
        if match := re.fullmatch(r"[a-z-]+-(\d+)", a.get("id", "")):
            self.fills["id"].add(match.group(1))
        for name, value in a.items():
            if name.startswith("data-") and value and not value.startswith("/"):
                self.fills[name[5:]].add(value)
        if tag == "form":
            method = "post" if a.get("hx-post") or a.get("method", "get").lower() == "post" else "get"
            action = a.get("hx-post") or a.get("action") or a.get("hx-get") or ""
            multipart = "multipart" in (a.get("enctype", "") + a.get("hx-encoding", ""))
            self._form = dict(attrs=a, method=method, action=action, multipart=multipart, controls=[])
            self.forms.append(self._form)
            return
        if tag in ("input", "button", "select", "textarea"):
            control = Control(tag=tag, name=a.get("name", ""), type=a.get("type", "submit" if tag == "button"
                                                                              else "text").lower(),
                              value=a.get("value", ""), checked="checked" in a, multiple="multiple" in a,
                              form_id=a.get("form", ""))
            control.attrs = a
            target = self._form["controls"] if self._form is not None and not control.form_id else self.loose
            target.append(control)
            if tag == "select":
                self._select = control
            elif tag == "textarea":
                self._textarea = control
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "selected" in a, ""]
            self._select.options.append(self._option)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "option":
            self._close_option()

    def _close_option(self):
        if self._option is not None and self._select is not None:
            index = self._select.options.index(self._option)
            value = self._option[0] if self._option[0] is not None else self._option[2].strip()
            self._select.options[index] = (value, self._option[1])
        self._option = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data
        if self._option is not None:
            self._option[2] += data

    def close(self):
        super().close()
        for select in [c for f in self.forms for c in f["controls"] if c.tag == "select"] + \
                [c for c in self.loose if c.tag == "select"]:
            select.options = [o if isinstance(o, tuple) else
                              (o[0] if o[0] is not None else o[2].strip(), o[1]) for o in select.options]


def _filled(pattern: str, fills: dict) -> list:
    """A URL pattern's {placeholders} filled with the page's values for them (a few of each), or the URL as is."""
    urls = [pattern]
    for name in re.findall(r"\{(\w+)\}", pattern):
        values = sorted(fills.get(name, ()))[:PATTERN_FILLS]
        urls = [url.replace("{" + name + "}", value) for url in urls for value in values]
    return urls


PATTERN_FILLS = 12  # values tried per placeholder: every editable cell of a row, a few rows


def parse_page(html: str, page_url: str) -> tuple[list, list[Form]]:
    """The page's links (absolute paths) and its forms, one Form per submit target (a button's formaction too)."""
    parser = PageParser()
    parser.feed(html)
    parser.close()
    links = [urljoin(page_url, link) for pattern in parser.links for link in _filled(pattern, parser.fills)]
    forms = []
    for raw in parser.forms:
        controls = raw["controls"] + [c for c in parser.loose if c.form_id and c.form_id == raw["attrs"].get("id")]
        action = urljoin(page_url, raw["action"] or page_url)
        forms.append(Form(raw["method"], action, raw["multipart"] or any(c.type == "file" for c in controls),
                          controls))
        for button in controls:
            target = button.attrs.get("hx-post") or button.attrs.get("formaction")
            if button.type == "submit" and target:
                forms.append(Form("post", urljoin(page_url, target), forms[-1].multipart, controls, button))
    return links, forms


# ---------------------------------------------------------------------------------------------------------------
# Requests, isolated


def encode(pairs: list, multipart: bool) -> tuple[bytes, str]:
    """The body and content type of a submission; RAW_FF is the byte 0xFF, a (name, bytes, filename) a file."""
    if not multipart:
        body = "&".join(f"{quote(name, safe='')}=" + ("%FF" if value is RAW_FF else quote(value, safe=""))
                        for name, value, *_ in pairs)
        return body.encode(), "application/x-www-form-urlencoded"
    boundary = "hostile-walk-boundary"
    parts = []
    for name, value, *filename in pairs:
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"'
        if filename:
            head += f'; filename="{filename[0]}"\r\nContent-Type: application/octet-stream'
        data = b"\xff" if value is RAW_FF else value if isinstance(value, bytes) else value.encode()
        parts.append(head.encode() + b"\r\n\r\n" + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


class Writes:
    """Which tables a request changed and kept: statements run in a savepoint (or transaction) that was then
    released (or committed)."""

    def __init__(self, engine):
        self.engine, self.pending, self.kept = engine, defaultdict(set), set()
        self._listeners = [("before_cursor_execute", self._statement), ("release_savepoint", self._release),
                           ("commit", self._commit), ("rollback_savepoint", self._forget),
                           ("rollback", self._forget_all)]

    def __enter__(self):
        for name, fn in self._listeners:
            event.listen(self.engine, name, fn)
        return self

    def __exit__(self, *exc):
        for name, fn in self._listeners:
            event.remove(self.engine, name, fn)

    def reset(self):
        self.pending.clear()
        self.kept = set()

    def _statement(self, conn, cursor, statement, parameters, context, executemany):
        if match := WRITE.match(statement):
            self.pending[id(conn)].add(match.group(1).lower())

    def _release(self, conn, name, context):
        self.kept |= self.pending.pop(id(conn), set())

    def _commit(self, conn):
        self.kept |= self.pending.pop(id(conn), set())

    def _forget(self, conn, name, context):
        self.pending.pop(id(conn), None)

    def _forget_all(self, conn):
        self.pending.pop(id(conn), None)


@dataclass
class Answer:
    status: int
    body: str
    headers: dict
    reads: set
    location: str = ""
    error: str = ""


@dataclass(eq=False)
class Spec:
    """How to reach one form: GET a page (`url`), or submit a parent form validly and read its answer (`follow`:
    the answer itself, or the page it redirects to), then pick the form of `endpoint` with these field `names`."""

    endpoint: str
    names: frozenset
    args: tuple = ()  # the route's arguments that are not ids (a bulk action, a parameter screen)
    index: int = 0  # the first form so keyed that a valid submission is accepted by (not a used item's delete)
    url: str = ""
    hx: bool = False
    parent: "Spec | None" = None
    follow: bool = False
    synthetic: list | None = None  # a POST that no page renders a form for: its URL and fields
    reads: set = field(default_factory=set)
    status: int = 0
    refusal: str = ""
    kept: set = field(default_factory=set)  # the tables the valid submission wrote

    def key(self):
        return (self.endpoint, self.args, self.names)


class Walker:
    """Crawls and walks the app through the test client, inside transactions rolled back after each request."""

    def __init__(self, app, client, csrf_token, valid: dict):
        self.app, self.client, self.csrf, self.valid = app, client, csrf_token, valid
        self.adapter = app.url_map.bind("localhost")
        self.connection = self.transaction = None

    # -- isolation --

    @contextmanager
    def installed(self):
        """Route every session of the app through one connection whose transaction the walk controls."""
        from webapp.limits import limiter
        from webapp.services import sessions

        # No app context stays pushed: each request must get its own (its own session, g and current_user).
        engines = db._app_engines[self.app]
        engine = engines[None]
        self.connection = engine.connect()
        self.sqlite = engine.dialect.name == "sqlite"
        if self.sqlite:
            # pysqlite's own transaction handling breaks SAVEPOINT; BEGIN is emitted by hand (SQLAlchemy's recipe).
            self.connection.connection.driver_connection.isolation_level = None
        saved = (self.app.request_class, limiter.enabled, sessions.SEEN_EVERY)
        self.app.request_class = type("RecordingRequest", (saved[0],), {"parameter_storage_class": RecordingDict})
        limiter.enabled = False  # the walk uploads and exports hundreds of times in a minute
        sessions.SEEN_EVERY = sessions.SEEN_EVERY * 10_000  # no "seen" write on a connection of its own
        factory = db.session.session_factory
        saved_mode = factory.kw.get("join_transaction_mode")
        factory.configure(join_transaction_mode="create_savepoint")
        engines[None] = self.connection
        try:
            with Writes(engine) as self.writes:
                yield self
        finally:
            engines[None] = engine
            if saved_mode is None:
                factory.kw.pop("join_transaction_mode", None)
            else:
                factory.configure(join_transaction_mode=saved_mode)
            self.app.request_class, limiter.enabled, sessions.SEEN_EVERY = saved
            if self.transaction is not None and self.transaction.is_active:
                self.transaction.rollback()
            if self.sqlite:
                self.connection.connection.driver_connection.isolation_level = ""
            self.connection.invalidate()
            self.connection.close()

    @contextmanager
    def isolated(self):
        """One transaction, rolled back at the end whatever happened inside."""
        self.transaction = self.connection.begin()
        if self.sqlite:
            self.connection.exec_driver_sql("BEGIN")
        try:
            yield
        finally:
            if self.transaction.is_active:
                self.transaction.rollback()
            self.transaction = None

    @contextmanager
    def savepoint(self):
        nested = self.connection.begin_nested()
        try:
            yield
        finally:
            if nested.is_active:
                nested.rollback()

    def row_counts(self) -> dict:
        tables = [table.name for table in db.metadata.sorted_tables]
        union = " UNION ALL ".join(f"SELECT '{name}', count(*) FROM \"{name}\"" for name in tables)
        return dict(self.connection.execute(text(union)).all())

    # -- requests --

    def request(self, method: str, url: str, pairs=(), multipart=False, hx=True) -> Answer:
        headers = {"X-CSRFToken": self.csrf}
        if hx:
            headers["HX-Request"] = "true"
        RecordingDict.read = set()
        try:
            if method == "get":
                response = self.client.get(url, headers=headers)
            else:
                body, content_type = encode(list(pairs), multipart)
                response = self.client.post(url, data=body, content_type=content_type, headers=headers)
        except Exception as error:  # noqa: BLE001 - TESTING propagates what would be a 500
            return Answer(500, "", {}, set(RecordingDict.read), error=f"{type(error).__name__}: {error}"[:300])
        body = response.get_data(as_text=True) if response.mimetype.startswith("text") else ""
        return Answer(response.status_code, body, dict(response.headers), set(RecordingDict.read),
                      response.headers.get("Location", "") or response.headers.get("HX-Redirect", ""))

    def match(self, url: str, method: str):
        """(endpoint, arguments) of a local URL, or None."""
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
            return None
        try:
            return self.adapter.match(parts.path, method=method.upper())
        except (HTTPException, RequestRedirect):
            return None

    # -- forms --

    def forms_in(self, answer: Answer, page_url: str) -> tuple[list, list[Form]]:
        links, forms = parse_page(answer.body, page_url) if answer.body else ([], [])
        # URLs the answer hands to the page's script (a toast's "Annuler"): a POST with no field of its own.
        for name, value in answer.headers.items():
            if name.lower().startswith("hx-trigger"):
                for url in re.findall(r'"(/[^"\s]*)"', value):
                    if self.match(url, "post"):
                        forms.append(Form("post", urljoin(page_url, url), False, []))
        return links, forms

    def values(self, form: Form, endpoint: str) -> tuple[list, bool]:
        """The form's untouched values with the valid ones this endpoint needs; (pairs, multipart)."""
        pairs = form.baseline()
        extra = self.valid.get(endpoint, {})
        pairs = [p for p in pairs if p[0] not in extra]
        multipart = form.multipart
        for name, value in extra.items():
            values = value if isinstance(value, list) else [value]
            for item in values:
                if isinstance(item, tuple):  # a file: (filename, bytes)
                    pairs.append((name, item[1], item[0]))
                    multipart = True
                else:
                    pairs.append((name, str(item)))
        return pairs, multipart

    def locate(self, spec: Spec) -> tuple[Form, str] | None:
        """Reach the spec's form in the current transaction (replaying its parent's valid submission)."""
        if spec.synthetic is not None:
            url, pairs = spec.synthetic
            return Form("post", url, False, [Control("input", name, value=value) for name, value in pairs]), url
        if spec.parent is None:
            page = self.request("get", spec.url, hx=spec.hx)
            page_url = spec.url
        else:
            located = self.locate(spec.parent)
            if located is None:
                return None
            answer = self.submit(spec.parent, *located)
            page, page_url = answer, located[0].action
            if spec.follow:
                page_url = urljoin(page_url, answer.location)
                page = self.request("get", page_url, hx=spec.hx)
        # A form reached through a submission may carry a new token in its URL (an import's preview): endpoint and
        # fields tell it then.
        def same(key):
            if key is None or spec.parent is None:
                return key == spec.key()
            return key[0] == spec.endpoint and key[2] == spec.names

        forms = [form for form in self.forms_in(page, page_url)[1] if same(self.key(form))]
        return (forms[spec.index], page_url) if spec.index < len(forms) else None

    def key(self, form: Form):
        """What tells one form from another: its endpoint, the route's non-id arguments and its field names without
        the ids they hold (rights-7, item-3-label): a form shown again after a replayed submission names a new
        record's id on PostgreSQL, whose sequences never give one twice, and must not count as a new form."""
        matched = self.match(form.action, form.method) if form.method == "post" else None
        return (matched[0], _key_args(matched[1]), frozenset(map(unindexed, form.names()))) if matched else None

    def submit(self, spec: Spec, form: Form, page_url: str, spoil=None) -> Answer:
        """Submit the form validly, or with `spoil` = (name, value) replacing every value of that name."""
        pairs, multipart = self.values(form, spec.endpoint)
        if spoil is not None:
            name, value = spoil
            pairs = [p for p in pairs if p[0] != name] + [(name, value)]
        return self.request("post", form.action, pairs, multipart)


# ---------------------------------------------------------------------------------------------------------------
# The crawl


@dataclass
class Crawl:
    pages: dict = field(default_factory=dict)  # (endpoint, non-id args, hx) -> URL
    params: dict = field(default_factory=lambda: defaultdict(set))  # GET endpoint -> names it reads or links use
    specs: dict = field(default_factory=dict)  # (endpoint, non-id args, field names) -> Spec
    candidates: dict = field(default_factory=lambda: defaultdict(list))  # the same key -> other places to try


def _key_args(args: dict) -> tuple:
    """The arguments that choose what a page is (slug, kind, field...), not which record it shows (an id, or an
    import's token: each replayed upload makes a new one)."""
    return tuple(sorted((k, v) for k, v in args.items() if not isinstance(v, int) and k != "token"))


RECORDS_PER_PAGE_KIND = 3  # a page kind is visited for up to 3 records (the first contact may have no task)
TRIES = 4  # forms of one kind tried on a page before a valid submission is given up


def _local(url: str) -> str:
    return urldefrag(urljoin("http://localhost/", url))[0].removeprefix("http://localhost")


def crawl(walker: Walker, synthetic: list, skip: set, seeds=()) -> Crawl:
    """Every page reachable from the argument-less GET rules (and the `seeds`), and every form they (or valid
    submissions) show, but the forms of the `skip` endpoints (logout), which are never submitted."""
    found = Crawl()
    visits = found.visits = defaultdict(set)
    # The seeds first: a page is visited once per path, and a seed may be an argument-less rule with a query that
    # makes it show its form (the merge screen with the contacts to merge).
    queue = [(url, hx) for url in seeds for hx in (False, True)]
    queue += [(rule.rule, hx) for rule in walker.app.url_map.iter_rules()
              if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static" for hx in (False, True)]
    form_queue = []

    def take_links(links):
        for link in links:
            matched = walker.match(link, "get")
            if matched is None or matched[0] == "static":
                continue
            found.params[matched[0]] |= {name for name, _ in parse_qsl(urlsplit(link).query, keep_blank_values=True)}
            queue.extend((_local(link), hx) for hx in (False, True))

    def take_forms(forms, make_spec):
        seen = defaultdict(int)
        for form in forms:
            if form.method == "get":
                if matched := walker.match(form.action, "get"):
                    found.params[matched[0]] |= form.names()
                continue
            key = walker.key(form)
            if key is None or key[0] in skip:
                continue
            seen[key] += 1
            if len(found.candidates[key]) < TRIES:
                spec = make_spec(key)
                spec.index = seen[key] - 1
                found.candidates[key].append(spec)
                if key not in found.specs:
                    found.specs[key] = spec
                    form_queue.append(key)

    def visit(url, hx):
        endpoint, args = walker.match(url, "get")
        key = (endpoint, _key_args(args), hx)
        path = url.split("?")[0]
        if path in visits[key] or len(visits[key]) >= RECORDS_PER_PAGE_KIND:
            return
        visits[key].add(path)
        found.pages.setdefault(key, path)
        with walker.isolated():
            answer = walker.request("get", url, hx=hx)
        found.params[endpoint] |= answer.reads
        links, forms = walker.forms_in(answer, url)
        take_links(links)
        take_forms(forms, lambda key: Spec(key[0], key[2], key[1], url=url, hx=hx))

    def submit(key):
        """A valid submission of the key's form, trying its next place while refused; the forms it leads to."""
        for spec in found.candidates[key]:
            found.specs[key] = spec
            with walker.isolated():
                located = walker.locate(spec)
                if located is None:
                    continue
                walker.writes.reset()
                answer = walker.submit(spec, *located)
                spec.status, spec.reads, spec.kept = answer.status, answer.reads, set(walker.writes.kept)
                spec.refusal = " ".join(re.findall(r'class="[^"]*(?:error|notice)[^"]*"[^>]*>([^<]{1,120})',
                                                   answer.body))[:300] or answer.error
                page_url = located[0].action
                links, forms = walker.forms_in(answer, page_url)
                take_forms(forms, lambda key, s=spec: Spec(key[0], key[2], key[1], parent=s))
                target = _local(urljoin(page_url, answer.location)) if answer.location else ""
                if target and walker.match(target, "get"):
                    page = walker.request("get", target, hx=False)
                    found.params[walker.match(target, "get")[0]] |= page.reads
                    more_links, forms = walker.forms_in(page, target)
                    links += more_links
                    take_forms(forms, lambda key, s=spec: Spec(key[0], key[2], key[1], parent=s, follow=True))
                take_links(links)
                if answer.status < 400:
                    return

    while queue or form_queue:
        while queue:
            url, hx = queue.pop(0)
            if walker.match(url, "get"):
                visit(url, hx)
        if form_queue:
            submit(form_queue.pop(0))
    for endpoint, url, pairs in synthetic:
        names = frozenset(name for name, _ in pairs)
        spec = Spec(endpoint, names, (("url", url),), synthetic=(url, pairs))
        found.specs[spec.key()] = spec
        found.candidates[spec.key()] = [spec]
        submit(spec.key())
    return found


def unindexed(name: str) -> str:
    """A field's name without the index of its list entry or record: links-2-url -> links-N-url, item-7-label."""
    return re.sub(r"-\d+(?=-|$)", "-N", name)


def plan(found: Crawl) -> list:
    """(spec, field, values) for each field of each form. A list of entries is walked through its first
    (links-0-url stands for links-N-url). A field that took every value in a twin form already takes TWIN_VALUES:
    a form of the same endpoint (another parameter screen, bulk action, cell or record), or of another endpoint
    showing nearly the same fields (the add and edit forms of one thing)."""
    walks, walked = [], defaultdict(set)  # endpoint -> fields (unindexed) that took every value
    for spec in found.specs.values():
        fields = {}
        for name in sorted((spec.names | spec.reads) - {"csrf_token"}):
            fields.setdefault(unindexed(name), name)
        twins = [done for endpoint, done in walked.items()
                 if endpoint == spec.endpoint or len(done & fields.keys()) >= 0.8 * len(fields.keys() | done)]
        for plain, name in fields.items():
            twin = any(plain in done for done in twins)
            walks.append((spec, name, TWIN_VALUES if twin else HOSTILE))
            if not twin:
                walked[spec.endpoint].add(plain)
    return walks


def page_plan(found: Crawl) -> list:
    """(url, parameter, values) for each parameter of each page kind read through htmx; a parameter that took every
    value on another page (the list's filters, read again by its pickers) takes TWIN_VALUES."""
    walks, walked = [], set()
    for (endpoint, _args, hx), url in sorted(found.pages.items()):
        if hx:
            for name in sorted(found.params.get(endpoint, set()) - {"csrf_token"}):
                walks.append((url, name, TWIN_VALUES if name in walked else HOSTILE))
                walked.add(name)
    return walks

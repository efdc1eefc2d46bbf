"""What every list whose state lives in the query string shares: its declared columns, reading the sort and the
page from the URL, and building its URLs, sort links and page links (after Django's ChangeList and
`result_headers`). Each list keeps only what is its own: its filters, its SELECT, its base URL."""
from dataclasses import dataclass
from urllib.parse import urlencode

MAX_PAGE_DIGITS = 9


@dataclass(frozen=True)
class Column:
    """One column of a list, declared once: the header, the cells, the sort links and the editor read it."""

    key: str
    label: str  # a lazy translation, read when the header renders
    sort: tuple = ()  # the expressions it orders by; empty when the column cannot be sorted
    cell: str = ""  # the branch of the list's row macro that renders its cell (partials/contacts/_cells.html)
    edit_field: str | None = None  # the field the cell edits in place, None when it is read-only
    css_class: str = ""

    @property
    def sortable(self) -> bool:
        """Whether its header is a sort link."""
        return bool(self.sort)

    @property
    def editable(self) -> bool:
        """Whether its cells open an editor in place."""
        return self.edit_field is not None


@dataclass(frozen=True)
class Header:
    """A column's header as the template shows it: its label, and for a sortable column its link and state."""

    column: Column
    sort_url: str | None
    aria_sort: str
    arrow: str
    label: str  # the column's label in the request's language, translated once


def read_page(value: str | None) -> int:
    """The page number asked for; anything but a plain positive number is the first page."""
    # isdigit() alone accepts "²", which int() refuses.
    return max(1, int(value)) if value and value.isascii() and value.isdigit() and len(value) <= MAX_PAGE_DIGITS else 1


def last_page(total: int, per_page: int) -> int:
    """The number of the last page (1 for an empty list)."""
    return max(1, -(-total // per_page))


class Listing:
    """The URL, sort and page logic of a list; subclasses set the class attributes and `state()`/`base_url()`.

    State lives in `sort`, `descending`, `page` and `per_page` attributes; parameters equal to their default are
    left out of URLs so they stay short, and any change but the page (or the page size) goes back to page 1."""

    sort_arg = "sort"
    page_arg = "page"
    per_page_arg = "per_page"
    default_sort = ""  # as written in the URL: "-due_at" is due_at descending
    descending_first: frozenset = frozenset()  # keys whose first click sorts descending (dates: newest first)
    sorts: dict = {}  # sort key -> expressions
    columns: tuple[Column, ...] = ()

    def read_sort(self, value: str | None) -> None:
        """Set the order from its URL form; an unknown key gives the default order."""
        key = (value or "").lstrip("-")
        if key not in self.sorts:
            value, key = self.default_sort, self.default_sort.lstrip("-")
        self.sort, self.descending = key, value.startswith("-")

    @property
    def sort_param(self) -> str:
        """The order as the URL writes it ("-name" for descending)."""
        return f"-{self.sort}" if self.descending else self.sort

    @property
    def last_page(self) -> int:
        """The last page of a list that counts its matches in `total`."""
        return last_page(self.total, self.per_page)

    def clamp_page(self) -> None:
        """A page past the end shows the last one (counted in `total`)."""
        self.page = min(self.page, self.last_page)

    def state(self) -> dict:
        """The list's parameters as they would appear in its URL (lists for repeated ones), before defaults."""
        raise NotImplementedError

    def defaults(self) -> dict:
        """The value each parameter takes when it is absent from the URL."""
        return {self.sort_arg: self.default_sort, self.page_arg: 1}

    def base_url(self) -> str:
        """The list's URL without parameters."""
        raise NotImplementedError

    def params(self, **changes) -> list[tuple[str, str]]:
        """The query string of this state with `changes`, leaving defaults out so URLs stay short."""
        state = {**self.state(), **changes}
        if self.page_arg not in changes and set(changes) - {self.per_page_arg}:
            state[self.page_arg] = 1  # a new filter or order starts on the first page
        defaults = self.defaults()
        pairs = []
        for key, value in state.items():
            for item in value if isinstance(value, list) else [value]:
                if item in ("", None) or defaults.get(key) == item:
                    continue
                pairs.append((key, str(item)))
        return pairs

    def url(self, **changes) -> str:
        """The list's URL with this state and `changes`."""
        params = self.params(**changes)
        return self.base_url() + ("?" + urlencode(params) if params else "")

    def sort_url(self, key: str) -> str:
        """A header click sorts by its column (ascending unless said otherwise), or flips the current order."""
        descending = not self.descending if self.sort == key else key in self.descending_first
        return self.url(**{self.sort_arg: f"-{key}" if descending else key})

    def aria_sort(self, key: str) -> str:
        """The header's aria-sort value for column `key`."""
        if self.sort != key:
            return "none"
        return "descending" if self.descending else "ascending"

    def headers(self) -> list[Header]:
        """The header of each declared column, in order, with the sort link of the sortable ones.

        Built once per state and order: a page shows them twice (the table's header row, the phone's "Trier par"),
        and each sort link is a URL to build."""
        order = (getattr(self, "sort", None), getattr(self, "descending", None))  # a list may have no order
        key = (tuple(column.key for column in self.columns), *order)
        built = self.__dict__.get("_built_headers")
        if built is not None and built[0] == key:
            return built[1]
        headers = []
        for column in self.columns:
            sortable = column.key in self.sorts
            arrow = ("▼" if self.descending else "▲") if sortable and self.sort == column.key else ""
            headers.append(Header(column, self.sort_url(column.key) if sortable else None,
                                  self.aria_sort(column.key) if sortable else "", arrow, str(column.label)))
        self.__dict__["_built_headers"] = (key, headers)
        return headers

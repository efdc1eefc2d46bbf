"""What the vCard and spreadsheet import screens share: the answers to an upload (refused, or on to its next
screen), when an upload's batch is gone, and the links of the preview's pages."""
from urllib.parse import urlencode

from flask import flash, make_response, redirect, url_for
from flask_babel import gettext as _

from ..htmx import is_partial, render
from ..services.vcard_preview import PAGE_SIZE


def upload_refused(message: str):
    """The drop zone (htmx) or the import page again, saying why the file was refused (422)."""
    if is_partial():
        return render("partials/contacts/_vcf_dropzone.html", error=message), 422
    return render("contacts/import.html", error=message), 422


def go_to(target: str):
    """After an upload: its next screen, by HX-Redirect for htmx, else a redirect."""
    if is_partial():
        response = make_response("", 204)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target, 303)


def batch_gone():
    """Back to the list, saying the preview is gone."""
    flash(_("Cet aperçu n'existe plus : l'import a déjà été fait, annulé, ou date de plus d'un jour."), "info")
    return redirect(url_for("contacts.index"), 303)


class PreviewLinks:
    """The import preview's links, built here and never in the templates: its status filters, its pages, the
    page of its accounts; each also as the query string a button of the preview's form sends ("show:...")."""

    def __init__(self, preview):
        self.token = preview.token
        self._preview = preview
        self._shown: set[int] | None = None
        self.state = {"status": preview.status, "page": min(preview.page, preview.page_count),
                      "accounts_page": min(preview.groups_page, preview.groups_page_count)}

    @staticmethod
    def of(token: str, status: str = "", page: int = 1, groups_page: int = 1) -> str:
        """The URL of one page of a preview (defaults left out)."""
        args = {name: value for name, value in (("status", status), ("page", page), ("accounts_page", groups_page))
                if value not in ("", 1)}
        return url_for("contacts.import_preview", token=token, **args)

    def _with(self, **changes) -> dict:
        return {**self.state, **changes}

    def here(self) -> str:
        """This page again."""
        return self.of(self.token, self.state["status"], self.state["page"], self.state["accounts_page"])

    def query(self, **changes) -> str:
        """The query string of this page with `changes` (what a button of the form sends after "show:")."""
        return urlencode({name: value for name, value in self._with(**changes).items() if value not in ("", 1)})

    def card(self, index: int) -> str:
        """The card on this page, else in the unfiltered pages of the preview."""
        if self._shown is None:
            self._shown = {row.card.index for row in self._preview.page_rows}
        if index in self._shown:
            return f"#import-card-{index}"
        return self.of(self.token, page=index // PAGE_SIZE + 1) + f"#import-card-{index}"

    def status(self, status: str) -> str:
        """The query string of a status filter's first page."""
        return self.query(status=status, page=1)

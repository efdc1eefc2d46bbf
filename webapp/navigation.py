"""Where the user is: the section the navigation marks (aria-current) and the breadcrumb of the screen."""
from flask import Flask, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup

# blueprint -> (section, the section's home screen); deals and tasks are reached from a contact.
SECTION_OF = {"contacts": ("contacts", "contacts.index"), "deals": ("contacts", "contacts.index"),
              "tasks": ("contacts", "contacts.index"), "clients": ("clients", "clients.index"),
              "parameters": ("parameters", "parameters.index"), "admin": ("admin", "admin.users"),
              "documents": ("documents", "documents.index")}


def current_section() -> str | None:
    """The navigation section of the screen shown ("contacts", "clients", "documents", "parameters", "admin")."""
    section = SECTION_OF.get(request.blueprint or "")
    return section[0] if section else None


def _section_label(section: str) -> str:
    return {"contacts": _("Contacts clients"), "clients": _("Comptes clients"),
            "parameters": _("Ecrans de paramètres"), "admin": _("Utilisateurs"), "documents": _("Documents")}[section]


def trail(title, *between: tuple[str, str]) -> list[tuple[str, str | None]]:
    """The breadcrumb after "Commercial › Comptes & Contacts": the section's home, the `between` (label, url)
    steps, then the screen's `title` (the last crumb, the current page); the home alone on the home itself."""
    found = SECTION_OF.get(request.blueprint or "")
    if found is None:
        return [(Markup(title).striptags() if title else "", None)]
    section, home = found
    crumbs = [(_section_label(section), url_for(home))]
    if request.endpoint == home:
        return crumbs
    crumbs += list(between)
    crumbs.append((Markup(title).striptags() if title else "", None))
    return crumbs


def init_navigation(app: Flask) -> None:
    app.jinja_env.globals.update(current_section=current_section, trail=trail)

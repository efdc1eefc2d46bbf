"""Contacts clients: the list, the record, the forms, editing in place, vCard import and export, mass actions,
the spreadsheet export."""
from flask import Blueprint

bp = Blueprint("contacts", __name__)

from . import routes  # noqa: E402,F401  (the list, its pickers and the record)
from . import columns  # noqa: E402,F401  (the column chooser: the columns each user shows)
from . import edit_routes  # noqa: E402,F401  (add, edit, duplicate, delete)
from . import inline_routes  # noqa: E402,F401  (editing in place)
from . import extra_routes  # noqa: E402,F401  (the record's photo, QR code, skills and mailing lists)
from . import vcard_routes  # noqa: E402,F401  (the vCard import and export)
from . import import_routes  # noqa: E402,F401  (the import preview, its choices and corrections, the commit)
from . import sheet_routes  # noqa: E402,F401  (the spreadsheet import: mapping, then the vCard preview)
from . import duplicate_routes  # noqa: E402,F401  (possible duplicates)
from . import merge_routes  # noqa: E402,F401  (merging duplicates)
from . import bulk_routes  # noqa: E402,F401  (the mass actions)
from . import export_routes  # noqa: E402,F401  (the list exported to CSV or Excel)
from . import view_routes  # noqa: E402,F401  (the saved views and the view switcher)

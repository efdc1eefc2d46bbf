"""What one card of an upload becomes in the CRM (CardPlan): plain JSON-able values, kept in import_batch
between the upload, the preview and the commit."""
from dataclasses import dataclass, field


@dataclass
class CardPlan:
    """One card of the upload as the CRM would store it (JSON-able: kept in import_batch between requests)."""

    index: int  # 0-based, over every file of the upload
    file: int
    number: int  # 1-based inside its file, as the user counts cards
    name: str = ""
    error: str | None = None
    org: str | None = None
    units: list[str] = field(default_factory=list)
    values: dict = field(default_factory=dict)  # Contact columns among FIELDS; birthday as ISO text
    e164: dict = field(default_factory=dict)  # phone / mobile / fax
    links: list = field(default_factory=list)  # [kind, url]
    extras: list = field(default_factory=list)  # [kind, label, value]
    photo: dict | None = None  # processed photo, base64, and the sha256 of the file's own bytes
    warnings: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    nameless: bool = False  # refused only for want of a name: a name typed in the preview makes it importable
    edited: bool = False  # corrected in the preview
    refused_email: str | None = None  # an e-mail the form would refuse: not imported, offered to correct

    @property
    def email(self) -> str | None:
        """The e-mail the contact would get."""
        return self.values.get("email")

    @property
    def phone(self) -> str | None:
        """The phone shown in the preview: the office line, else the mobile."""
        return self.values.get("phone") or self.values.get("mobile")

"""The French labels of a contact's fields, for the history, the conflict messages and the import's warnings."""
from flask_babel import lazy_gettext as _l

FIELD_LABELS = {
    "client_id": _l("Société"), "gender": _l("Genre"), "last_name": _l("Nom"), "first_name": _l("Prénom"),
    "department_id": _l("Service"), "function": _l("Fonction"), "is_dpo": _l("DPO"), "is_rssi": _l("RSSI"),
    "left_company": _l("A quitté l'entreprise"), "owner_id": _l("Affecté à"), "email": _l("Email"),
    "phone": _l("Téléphone"), "mobile": _l("Mobile"), "fax": _l("Fax"), "street": _l("Adresse"),
    "street2": _l("Complément d'adresse"), "postal_code": _l("Code postal"), "city": _l("Ville"),
    "country": _l("Pays"), "notes": _l("Notes"), "links": _l("Réseaux sociaux"), "photo": _l("Photo"),
    "skills": _l("Environnement / Compétences"), "mailing_lists": _l("Listes de diffusion"),
    "vcard_uid": _l("UID vCard"), "birthday": _l("Anniversaire"), "categories": _l("Catégories"),
    "vcard_role": _l("Rôle"),
    # What the CSV import's snapshots name by name, and the vCard import's other properties.
    "client": _l("Société"), "department": _l("Service"), "owner": _l("Affecté à"), "linkedin": "LinkedIn",
    "extras": _l("Autres informations"),
    # A merge's trail (services/merge.py).
    "merged": _l("Contacts fusionnés"), "moved": _l("Repris des contacts fusionnés"),
    "merged_into": _l("Fusionné dans"), "unmerged": _l("Contacts rétablis"), "unmerged_from": _l("Rétabli depuis"),
}


def field_label(name: str | None) -> str:
    """The French label of a contact field, for the history and conflict messages."""
    return str(FIELD_LABELS.get(name, name or ""))

"""The named rights and the default roles (the decorator that checks one on a route is in access.py)."""
from flask_babel import lazy_gettext as _l

CONTACTS_LIST = "contacts.list"
CONTACTS_EDIT = "contacts.edit"
CONTACTS_DELETE = "contacts.delete"
CONTACTS_BULK_ASSIGN = "contacts.bulk_assign"
CONTACTS_IMPORT = "contacts.import"
CONTACTS_EXPORT = "contacts.export"
CONTACTS_EXPORT_LIST = "contacts.export_list"
CONTACTS_MERGE = "contacts.merge"
MAILING_LISTS = "contacts.mailing_lists"
TASKS = "tasks.manage"
DEALS = "deals.manage"
CLIENTS_EDIT = "clients.edit"
PARAMETERS = "parameters.edit"
USERS = "users.manage"
ALL_ENTITIES = "entities.all"
DOCUMENTS_VIEW = "documents.view"
DOCUMENTS_FILE = "documents.file"

RIGHTS = {
    CONTACTS_LIST: _l("Comptes & Contacts - Liste des contacts clients"),
    CONTACTS_EDIT: _l("Comptes & Contacts - Créer et modifier les contacts"),
    CONTACTS_DELETE: _l("Comptes & Contacts - Supprimer les contacts"),
    CONTACTS_BULK_ASSIGN: _l("Comptes & Contacts - Modifier l'affectation en masse"),
    CONTACTS_IMPORT: _l("Comptes & Contacts - Importer des fichiers vcf"),
    CONTACTS_EXPORT: _l("Comptes & Contacts - Exporter en VCF"),
    CONTACTS_EXPORT_LIST: _l("Comptes & Contacts - Exporter la liste"),
    CONTACTS_MERGE: _l("Comptes & Contacts - Fusionner des contacts"),
    MAILING_LISTS: _l("Comptes & Contacts - Gérer les abonnements aux listes de diffusion"),
    TASKS: _l("Tâches - Gérer les tâches"),
    DEALS: _l("Affaires - Gérer opportunités, propositions et affaires"),
    CLIENTS_EDIT: _l("Comptes & Contacts - Créer et modifier les comptes clients"),
    PARAMETERS: _l("Commercial - Ecrans de paramètres"),
    USERS: _l("Administration - Gérer les utilisateurs et les droits"),
    ALL_ENTITIES: _l("Voir toutes les entités"),
    DOCUMENTS_VIEW: _l("Documents - Consulter les documents"),
    DOCUMENTS_FILE: _l("Documents - Classer des documents"),
}

# The role of a salesperson: a contact this user adds is theirs unless they choose otherwise.
SALESPERSON_ROLE = "Commercial"

_SALES = {CONTACTS_LIST, CONTACTS_EDIT, CONTACTS_IMPORT, CONTACTS_EXPORT, CONTACTS_EXPORT_LIST, MAILING_LISTS, TASKS, DEALS,
          CLIENTS_EDIT, DOCUMENTS_VIEW, DOCUMENTS_FILE}
DEFAULT_ROLES = {
    "Commercial": _SALES,
    "Responsable commercial": _SALES | {CONTACTS_DELETE, CONTACTS_MERGE, CONTACTS_BULK_ASSIGN, PARAMETERS, ALL_ENTITIES},
    "Administrateur": set(RIGHTS),
}

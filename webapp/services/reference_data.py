"""The reference lists, rights and roles a new installation starts with (`crm init`); idempotent."""
from sqlalchemy import select

from ..extensions import db
from ..models import (Department, DocumentCategory, Entity, Origin, RevenueRange, Role, RoleRight, Sector, SizeBand, Skill,
                      SkillCategory, TaskType)
from ..rights import DEFAULT_ROLES

# INSEE headcount bands, grouped as the company categories (TPE, PE, ME, ETI, GE) use them.
SIZE_BANDS = ["1-9", "10-49", "50-249", "250-999", "1000+"]
REVENUE_RANGES = ["< 1 M€", "1-10 M€", "10-50 M€", "50-250 M€", "> 250 M€"]
SECTORS = [
    "Agroalimentaire", "Aéronautique & Défense", "Assurance", "Automobile", "Banque", "BTP", "Conseil & Services",
    "Distribution", "Énergie", "Industrie", "Médias & Divertissement", "Santé", "Secteur public", "Télécoms",
    "Transport & Logistique",
]
ORIGINS = ["Prospection", "Site web", "Recommandation", "Salon", "Partenaire"]
DEPARTMENTS = {
    "Direction générale": [],
    "DSI": ["Infrastructure", "Études et développement", "Data"],
    "Achats": [],
    "Ressources humaines": [],
    "Finance": [],
    "Juridique": [],
    "Marketing": [],
    "Commercial": [],
    "Production": [],
    "R&D": [],
    "Qualité": [],
    "Sécurité": [],
    "Logistique": [],
}
DOCUMENT_CATEGORIES = ["Contrat", "CV", "Proposition", "Carte de visite", "Compte-rendu", "Devis", "Facture", "Autre"]
TASK_TYPES = ["Rendez-vous", "Rendez-vous téléphonique", "Appel", "E-mail", "Relance", "Démonstration"]
SKILLS = {
    "Langages": ["Java", "Python", "JavaScript", "TypeScript", ".NET", "C#", "C++", "Go", "PHP", "COBOL"],
    "Données": ["SQL", "PostgreSQL", "Oracle", "MongoDB", "Power BI", "Tableau", "Snowflake", "Spark",
                "Data science", "Machine learning"],
    "Cloud & Infrastructure": ["AWS", "Azure", "GCP", "Kubernetes", "Docker", "Terraform", "Ansible", "Linux",
                               "Windows Server", "VMware", "Cisco", "Fortinet", "Cybersécurité"],
    "Progiciels": ["SAP", "Salesforce", "ServiceNow"],
    "Frameworks": ["React", "Angular", "Vue.js", "Node.js", "Spring", "Django"],
    "Méthodes": ["ITIL", "Agile/Scrum"],
}


def _ensure(model, label: str, position: int, **values):
    item = db.session.scalars(select(model).where(model.label == label)).first()
    if item is None:
        item = model(label=label, position=position, **values)
        db.session.add(item)
    return item


def load_reference_data() -> None:
    """Create the missing reference values, rights and roles; existing ones are left as they are."""
    for model, labels in ((SizeBand, SIZE_BANDS), (RevenueRange, REVENUE_RANGES), (Sector, SECTORS),
                          (Origin, ORIGINS), (TaskType, TASK_TYPES),
                          (DocumentCategory, DOCUMENT_CATEGORIES)):
        for position, label in enumerate(labels):
            _ensure(model, label, position)
    position = 0
    for parent_label, children in DEPARTMENTS.items():
        parent = _ensure(Department, parent_label, position)
        position += 1
        db.session.flush()
        for child in children:
            _ensure(Department, child, position, parent_id=parent.id)
            position += 1
    position = 0
    for category_position, (category_label, labels) in enumerate(SKILLS.items()):
        category = _ensure(SkillCategory, category_label, category_position)
        db.session.flush()
        for label in labels:
            _ensure(Skill, label, position, category_id=category.id)
            position += 1
    for name, codes in DEFAULT_ROLES.items():
        role = db.session.scalars(select(Role).where(Role.name == name)).first()
        if role is None:
            role = Role(name=name, rights=[RoleRight(right=code) for code in sorted(codes)])
            db.session.add(role)


def ensure_entity(label: str) -> Entity:
    """The entity with this label, created when missing."""
    entity = db.session.scalars(select(Entity).where(Entity.label == label)).first()
    if entity is None:
        entity = Entity(label=label)
        db.session.add(entity)
        db.session.flush()
    return entity

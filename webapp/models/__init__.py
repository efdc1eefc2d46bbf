"""Every model, importable from one place."""
from .accounts import Client, client_entities
from .audit import AUDIT_CHANNELS, AuditEntry
from .carddav import AppPassword, CardName, SyncSnapshot
from .contacts import Contact, ContactExtra, ContactLink, ContactPhoto, MailingListSubscription, contact_skills
from .documents import Document, DocumentCategory, DocumentChunk, DocumentVersion, document_contacts
from .duplicates import ContactMerge, ContactUidAlias, DuplicateDismissal, DuplicateKey
from .idempotency import IdempotencyKey
from .imports import ImportBatch, ImportMapping  # noqa: F401  (uploads between preview and commit, saved mappings)
from .people import Entity, LoginThrottle, Role, RoleRight, User, UserSession, user_entities, user_roles
from .preferences import UserPreference
from .saved_views import SavedView, saved_view_entities
from .reference import (Department, MailingList, Origin, ReferenceMixin, RevenueRange, Sector, SizeBand, Skill,
                        SkillCategory, TaskType)
from .work import TASK_PRIORITIES, TASK_STATUSES, Deal, Opportunity, Proposal, Task, TaskAttachment

__all__ = [
    "AUDIT_CHANNELS", "AppPassword", "AuditEntry", "CardName", "Client", "Contact", "ContactExtra", "ContactLink", "ContactMerge", "ContactPhoto",
    "ContactUidAlias", "Deal", "Document", "DocumentCategory", "DocumentChunk", "DocumentVersion", "DuplicateDismissal", "DuplicateKey",
    "Department", "Entity", "IdempotencyKey", "LoginThrottle", "MailingList", "MailingListSubscription", "Opportunity", "Origin", "Proposal",
    "ReferenceMixin", "RevenueRange", "Role", "RoleRight", "SavedView", "Sector", "SizeBand", "Skill", "SkillCategory", "SyncSnapshot",
    "TASK_PRIORITIES", "TASK_STATUSES", "Task", "TaskAttachment", "TaskType", "User", "UserPreference", "UserSession",
    "client_entities", "contact_skills", "document_contacts", "saved_view_entities", "user_entities", "user_roles",
]

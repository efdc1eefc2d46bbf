"""User administration: create, edit, deactivate users, set passwords, edit the rights of each role.
Every change is audited; the caller's unit of work commits."""
import unicodedata
from collections.abc import Mapping

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from .. import unit_of_work
from ..extensions import db
from ..models import Entity, Role, RoleRight, User
from ..rights import RIGHTS, USERS
from ..text import fold
from .accounts import deactivate, set_password
from .audit import record_changes, record_created
from .sessions import end_sessions, live_session_count

MIN_PASSWORD_LENGTH = 12


class UserError(ValueError):
    """A change refused; `field` names the form field the message belongs to (None: the whole form)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def search_users(search: str = "", limit: int = 500) -> list[User]:
    """Users whose name or e-mail contains the search (case and accents ignored), by name."""
    query = select(User).order_by(User.name_key, User.id).limit(limit)
    # Control characters can match nothing, and PostgreSQL refuses NUL in a parameter.
    search = "".join(ch for ch in search if unicodedata.category(ch) != "Cc")
    needle = fold(search)
    if needle:
        query = query.where(or_(User.name_key.contains(needle, autoescape=True),
                                func.lower(User.email).contains(search.strip().lower(), autoescape=True)))
    return list(db.session.scalars(query))


def all_roles() -> list[Role]:
    """Every role, by name."""
    return list(db.session.scalars(select(Role).order_by(Role.name)))


def all_entities() -> list[Entity]:
    """Every entity, in the order of the Entités screen."""
    return list(db.session.scalars(select(Entity).order_by(Entity.position, Entity.id)))


def snapshot(user: User) -> dict:
    """The audited values of a user (never the password hash)."""
    return {
        "last_name": user.last_name, "first_name": user.first_name, "email": user.email,
        "language": user.language, "active": user.active,
        "roles": sorted(role.name for role in user.roles),
        "entities": sorted(entity.label for entity in user.entities),
    }


def create_user(values: Mapping, acting: User) -> User:
    """Create a user with their roles and entities; with a password, they can log in."""
    _check_email(values["email"], None)
    user = User(email=values["email"], language=values.get("language") or None, active=True)
    user.set_names(values["last_name"], values.get("first_name") or "")
    user.roles = _roles(values.get("role_ids", ()))
    user.entities = _entities(values.get("entity_ids", ()))
    if values.get("password"):
        set_password(user, values["password"])
    db.session.add(user)
    _flush_or_duplicate_email()
    record_created("user", user.id, snapshot(user) | {"password": "***" if user.password_hash else None},
                   via="form", user_id=acting.id)
    return user


def update_user(user: User, values: Mapping, acting: User) -> int:
    """Change a user's names, e-mail, language, roles, entities and active flag; returns how many fields changed.

    Deactivating ends the user's sessions at once. Nobody can take their own administration
    right away, nor deactivate themselves: the application would be left without anyone to give it back."""
    _check_email(values["email"], user.id)
    roles = _roles(values.get("role_ids", ()))
    active = bool(values.get("active", user.active))
    if user.id == acting.id:
        if not active:
            raise UserError(_("Vous ne pouvez pas désactiver votre propre compte."), "active")
        if not any(USERS in role.right_codes for role in roles):
            raise UserError(_("Vous ne pouvez pas retirer votre propre droit d'administration."), "role_ids")
    before = snapshot(user)
    user.set_names(values["last_name"], values.get("first_name") or "")
    user.email = values["email"]
    user.language = values.get("language") or None
    user.roles = roles
    user.entities = _entities(values.get("entity_ids", ()))
    if user.active and not active:
        deactivate(user)
    user.active = active
    _flush_or_duplicate_email()
    after = snapshot(user)
    changed = record_changes("user", user.id, {key: (before[key], after[key]) for key in after}, "form", acting.id)
    return changed


def set_user_active(user: User, active: bool, acting: User) -> bool:
    """Deactivate a user (all their sessions end) or reactivate them; False if unchanged."""
    if user.active == active:
        return False
    if user.id == acting.id and not active:
        raise UserError(_("Vous ne pouvez pas désactiver votre propre compte."), "active")
    record_changes("user", user.id, {"active": (user.active, active)}, "inline", acting.id)
    if active:
        user.active = True
    else:
        deactivate(user)
    return True


def set_user_password(user: User, password: str, acting: User) -> User:
    """Give a user a new password; their sessions end, except the one changing it when it is their own."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(_("Le mot de passe doit faire au moins %(num)d caractères.", num=MIN_PASSWORD_LENGTH),
                        "password")
    had_password = user.password_hash is not None
    set_password(user, password, keep_session=acting.session_key if acting.id == user.id else None)
    # The audit says that the password changed, never what it is.
    record_changes("user", user.id, {"password": ("***" if had_password else None, "*** (nouveau)")}, "form",
                   acting.id)
    return user


def end_user_sessions(user: User, acting: User) -> int:
    """End every session of a user (a lost laptop, a shared password); returns how many were live.

    An administrator ending their own sessions keeps the one they are using, as with a new password."""
    live = live_session_count(user.id)
    end_sessions(user.id, keep=acting.session_key if acting.id == user.id else None)
    record_changes("user", user.id, {"sessions": (live, 0)}, "form", acting.id)
    return live


def create_role(name: str, acting: User) -> Role:
    """Add a role without any right; rights are then ticked in the matrix."""
    wanted = fold(name)
    if any(fold(other) == wanted for other in db.session.scalars(select(Role.name))):
        raise UserError(_("Le rôle « %(name)s » existe déjà.", name=name), "name")
    role = Role(name=name)
    db.session.add(role)
    try:
        db.session.flush()
    except IntegrityError:
        unit_of_work.rollback()  # a failed flush leaves the session unusable: the unit of work is abandoned
        raise UserError(_("Le rôle « %(name)s » existe déjà.", name=name), "name") from None
    record_created("role", role.id, {"name": name}, via="form", user_id=acting.id)
    return role


def save_rights(matrix: Mapping[int, set[str]], acting: User) -> int:
    """Give each role exactly the rights ticked for it; returns how many roles changed.

    Refused when the user saving would lose their own administration right. Rights are read at every
    request, so the change applies to everyone at their next click."""
    roles = all_roles()
    wanted = {role.id: {code for code in matrix.get(role.id, set()) if code in RIGHTS} for role in roles}
    acting_role_ids = {role.id for role in acting.roles}
    if not any(USERS in wanted[role_id] for role_id in acting_role_ids if role_id in wanted):
        raise UserError(_("Vous ne pouvez pas retirer votre propre droit d'administration."))
    changed = 0
    for role in roles:
        before = role.right_codes
        if before == wanted[role.id]:
            continue
        role.rights = [right for right in role.rights if right.right in wanted[role.id]] + [
            RoleRight(right=code) for code in sorted(wanted[role.id] - before)
        ]
        record_changes("role", role.id, {"rights": (sorted(before), sorted(wanted[role.id]))}, "form", acting.id)
        changed += 1
    return changed


def _roles(ids) -> list[Role]:
    ids = set(ids)
    return list(db.session.scalars(select(Role).where(Role.id.in_(ids)))) if ids else []


def _entities(ids) -> list[Entity]:
    ids = set(ids)
    return list(db.session.scalars(select(Entity).where(Entity.id.in_(ids)))) if ids else []


def _check_email(email: str, user_id: int | None) -> None:
    """E-mail addresses log users in: two users cannot share one, whatever the case."""
    query = select(User.id).where(func.lower(User.email) == email.strip().lower())
    if user_id is not None:
        query = query.where(User.id != user_id)
    if db.session.scalar(query) is not None:
        raise UserError(_("Cette adresse e-mail est déjà utilisée par un autre utilisateur."), "email")


def _flush_or_duplicate_email() -> None:
    try:
        db.session.flush()
    except IntegrityError:
        unit_of_work.rollback()  # a failed flush leaves the session unusable: the unit of work is abandoned
        raise UserError(_("Cette adresse e-mail est déjà utilisée par un autre utilisateur."), "email") from None

"""Who may administer the instance: changing a user's role (admin, moderator, user), audited.

The last admin cannot step down or be demoted, so that an instance is never left without
someone who can manage it.
"""

from __future__ import annotations

from sqlalchemy import func, select, update

from fediverse import audit
from fediverse.accounts import ROLES
from fediverse.errors import NotFoundError, ValidationError
from fediverse.reports import Moderator
from fediverse.storage.database import Store
from fediverse.storage.tables import users


async def set_user_role(store: Store, account_id: int, role: str, by: Moderator) -> None:
    """Give the local user of ``account_id`` a role; written to the audit log."""
    if role not in ROLES:
        raise ValidationError(f"role must be one of {', '.join(ROLES)}")
    async with store.write() as conn:
        before = await conn.fetch_val(select(users.c.role).where(users.c.account_id == account_id))
        if before is None:
            raise NotFoundError("Record not found")
        if before == role:
            return
        if before == "admin":
            admins = await conn.fetch_val(
                select(func.count()).select_from(users).where(users.c.role == "admin")
            )
            if int(admins or 0) <= 1:
                raise ValidationError("The last administrator cannot lose the role")
        await conn.execute(update(users).where(users.c.account_id == account_id).values(role=role))
        await audit.record(
            store,
            conn,
            actor=by.actor,
            action="user.role",
            target_type="account",
            target=str(account_id),
            account_id=by.account_id,
            data={"role": role, "was": str(before)},
        )

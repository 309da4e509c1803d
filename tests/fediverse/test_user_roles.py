"""Changing a user's role: audited, and the last admin keeps the role (one test per database:
making users is slow)."""

from __future__ import annotations

import pytest

from fediverse import moderation, user_roles
from fediverse.accounts import NewUser, create_user
from fediverse.errors import NotFoundError, ValidationError
from fediverse.moderation import AuditFilter
from fediverse.paging import PageQuery
from fediverse.reports import Moderator
from fediverse.storage.database import Store

BASE = "http://kommun-a.test"


async def _user(store: Store, name: str, role: str = "user") -> int:
    made = await create_user(store, BASE, NewUser(name, f"{name}@kommun-a.se", "password123", role))
    return made.account_id


async def test_set_user_role__audited_keeps_the_last_admin_refuses_unknowns(store: Store) -> None:
    admin, bertil = await _user(store, "anna", "admin"), await _user(store, "bertil")
    by = Moderator(admin, "anna")
    await user_roles.set_user_role(store, bertil, "moderator", by)
    assert (await moderation.admin_account(store, bertil))["role"] == "moderator"
    [entry] = await moderation.audit_page(store, AuditFilter(action="user.role"), PageQuery())
    assert (entry["actor"], entry["target"]) == ("anna", str(bertil))
    assert entry["data"] == {"role": "moderator", "was": "user"}
    with pytest.raises(ValidationError):  # the last admin keeps the role
        await user_roles.set_user_role(store, admin, "user", by)
    await user_roles.set_user_role(store, bertil, "admin", by)
    await user_roles.set_user_role(store, admin, "user", Moderator(bertil, "bertil"))
    assert (await moderation.admin_account(store, admin))["role"] == "user"
    with pytest.raises(ValidationError):
        await user_roles.set_user_role(store, admin, "owner", by)
    with pytest.raises(NotFoundError):
        await user_roles.set_user_role(store, 12345, "user", by)

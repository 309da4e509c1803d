"""Changing a user's role: audited, and the last admin keeps the role."""

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


async def test_set_user_role__changes_the_role_and_audits_it(store: Store) -> None:
    admin, bertil = await _user(store, "anna", "admin"), await _user(store, "bertil")
    by = Moderator(admin, "anna")
    await user_roles.set_user_role(store, bertil, "moderator", by)
    assert (await moderation.admin_account(store, bertil))["role"] == "moderator"
    [entry] = await moderation.audit_page(store, AuditFilter(action="user.role"), PageQuery())
    assert (entry["actor"], entry["target"]) == ("anna", str(bertil))
    assert entry["data"] == {"role": "moderator", "was": "user"}


async def test_set_user_role__the_last_admin_keeps_the_role(store: Store) -> None:
    admin = await _user(store, "anna", "admin")
    with pytest.raises(ValidationError):
        await user_roles.set_user_role(store, admin, "user", Moderator(admin, "anna"))
    second = await _user(store, "greta", "admin")
    await user_roles.set_user_role(store, admin, "user", Moderator(second, "greta"))
    assert (await moderation.admin_account(store, admin))["role"] == "user"


async def test_set_user_role__refuses_unknown_roles_and_accounts(store: Store) -> None:
    admin = await _user(store, "anna", "admin")
    by = Moderator(admin, "anna")
    with pytest.raises(ValidationError):
        await user_roles.set_user_role(store, admin, "owner", by)
    with pytest.raises(NotFoundError):
        await user_roles.set_user_role(store, 12345, "user", by)

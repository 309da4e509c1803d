"""What every admin route shares: the role check, the acting moderator, and Admin::Account
entities loaded in batches."""

from __future__ import annotations

from collections.abc import Iterable

from fediverse import directory, moderation
from fediverse.errors import ForbiddenError
from fediverse.reports import STAFF_ROLES, Moderator
from web.mastodon.endpoint import Call
from web.mastodon.render import accounts_by_ids_json
from web.mastodon.serializers.admin import Entity, serialize_admin_account


def require_staff(call: Call) -> None:
    """Admins and moderators; others get Mastodon's 403."""
    if call.viewer is None or call.viewer.role not in STAFF_ROLES:
        raise ForbiddenError("This action is not allowed")


def require_admin(call: Call) -> None:
    if call.viewer is None or call.viewer.role != "admin":
        raise ForbiddenError("This action is not allowed")


async def acting(call: Call) -> Moderator:
    """The signed-in moderator, named by handle in the audit log."""
    row = await directory.account_by_id(call.store, call.account_id)
    return Moderator(call.account_id, str(row["username"]))


async def admin_accounts_json(call: Call, ids: Iterable[int | None]) -> dict[int, Entity]:
    wanted = {i for i in ids if i is not None}
    rows = await moderation.admin_accounts_by_id(call.store, wanted)
    entities = await accounts_by_ids_json(call, list(rows))
    return {i: serialize_admin_account(row, entities.get(i)) for i, row in rows.items()}

"""Who may see which status, as SQL conditions shared by every query that reads statuses."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select, true

from fediverse.domain_blocks import blocked_account_ids
from fediverse.storage.tables import blocks, follows, mentions, mutes, statuses

VISIBILITIES = ("public", "unlisted", "private", "direct")


def following_ids(account_id: int) -> Any:
    return select(follows.c.target_account_id).where(follows.c.account_id == account_id)


def mentioned_status_ids(account_id: int) -> Any:
    return select(mentions.c.status_id).where(mentions.c.account_id == account_id)


def can_see(viewer_account_id: int | None, table: Any = statuses) -> ColumnElement[bool]:
    """Statuses of ``table`` the viewer may read: a status they may not see is a 404."""
    if viewer_account_id is None:
        # Local-only posts are internal: signed-out visitors never see them.
        return and_(table.c.visibility.in_(("public", "unlisted")), table.c.local_only == false())
    return and_(
        or_(
            table.c.visibility.in_(("public", "unlisted")),
            table.c.account_id == viewer_account_id,
            and_(
                table.c.visibility == "private",
                table.c.account_id.in_(following_ids(viewer_account_id)),
            ),
            # a members-only post of a group: its members (the group's followers) see it
            and_(
                table.c.visibility == "private",
                table.c.group_id.in_(following_ids(viewer_account_id)),
            ),
            table.c.id.in_(mentioned_status_ids(viewer_account_id)),
        ),
        table.c.account_id.not_in(
            select(blocks.c.account_id).where(blocks.c.target_account_id == viewer_account_id)
        ),
    )


def not_hidden_from(viewer_account_id: int | None, table: Any = statuses) -> ColumnElement[bool]:
    """For timelines: leave out accounts the viewer blocked or muted, or whose domain the
    viewer blocked."""
    if viewer_account_id is None:
        return true()
    hidden = select(blocks.c.target_account_id).where(blocks.c.account_id == viewer_account_id)
    muted = select(mutes.c.target_account_id).where(mutes.c.account_id == viewer_account_id)
    return and_(
        table.c.account_id.not_in(hidden),
        table.c.account_id.not_in(muted),
        table.c.account_id.not_in(blocked_account_ids(viewer_account_id)),
    )

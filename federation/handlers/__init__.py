"""One handler per activity type, in one table. A type not here is stored and ignored."""

from __future__ import annotations

from federation.handlers import (
    accept,
    add,
    announce,
    block,
    create,
    delete,
    flag,
    follow,
    like,
    move,
    reject,
    remove,
    undo,
    update,
)
from federation.handlers.base import Context, Handler

HANDLERS: dict[str, Handler] = {
    "Follow": follow.handle,
    "Accept": accept.handle,
    "Reject": reject.handle,
    "Undo": undo.handle,
    "Create": create.handle,
    "Update": update.handle,
    "Delete": delete.handle,
    "Announce": announce.handle,
    "Like": like.handle,
    "Block": block.handle,
    "Flag": flag.handle,
    "Move": move.handle,
    "Add": add.handle,
    "Remove": remove.handle,
}

__all__ = ["HANDLERS", "Context", "Handler"]

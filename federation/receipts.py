"""The worker's receipt for a stored activity: whether its processed mark is written yet.

A handler whose last write can carry the mark (a new remote post, say) runs it in that
transaction; the worker then spends no transaction of its own on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from fediverse.ids import now_ms

PROCESSED = "UPDATE received_activities SET processed_at = ? WHERE id = ?"


@dataclass(slots=True)
class Receipt:
    """The stored activity a handler works on, and whether its processed mark was written
    already, in the handler's own transaction (the worker then writes none)."""

    received_id: int | None = None
    marked: bool = False

    def statements(self) -> list[tuple[str, list[object]]]:
        """The statement marking the activity processed, for the handler's last write to run
        (``fediverse.rawsql``), which then sets ``marked``; none without a stored activity."""
        if self.received_id is None:
            return []
        return [(PROCESSED, [now_ms(), self.received_id])]

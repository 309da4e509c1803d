"""Time-ordered 64-bit ids: ``unix_ms << 16 | node << 10 | sequence``, as Mastodon's snowflakes.

The 16 low bits are split so that processes sharing one database never collide: each
process claims a node number (0-63) from the database (see ``storage.nodes``) and counts
up to 1,024 ids per millisecond on it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

NODE_BITS = 6
SEQUENCE_BITS = 10
MAX_NODE = (1 << NODE_BITS) - 1
MAX_SEQUENCE = (1 << SEQUENCE_BITS) - 1


def now_ms() -> int:
    return time.time_ns() // 1_000_000


class SnowflakeGenerator:
    """Hands out strictly increasing ids for one process."""

    def __init__(self, node: int, clock: Callable[[], int] = now_ms) -> None:
        if not 0 <= node <= MAX_NODE:
            raise ValueError(f"node must be between 0 and {MAX_NODE}")
        self.node = node
        self._clock = clock
        self._last_ms = 0
        self._sequence = 0
        # A write plan (Store.write_plan) makes ids on the SQLite writer's thread while the
        # event loop makes others; the lock keeps that safe whatever the interpreter does.
        self._lock = threading.Lock()

    def next_id(self) -> int:
        with self._lock:
            # A clock that steps back must not produce a smaller or repeated id.
            ms = max(self._clock(), self._last_ms)
            if ms == self._last_ms:
                self._sequence += 1
                if self._sequence > MAX_SEQUENCE:
                    ms, self._sequence = ms + 1, 0
            else:
                self._sequence = 0
            self._last_ms = ms
            return ms << 16 | self.node << SEQUENCE_BITS | self._sequence


def id_at(ms: int) -> int:
    """The smallest id of millisecond ``ms``, for keyset bounds by time."""
    return ms << 16


def ms_of(snowflake: int) -> int:
    """The unix milliseconds an id was made at."""
    return snowflake >> 16

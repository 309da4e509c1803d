"""When a failed job runs again: exponential backoff with jitter."""

from __future__ import annotations

import random

BASE_MS = 10_000
CAP_MS = 6 * 3_600_000
JITTER = 0.25


def retry_delay_ms(attempts: int, rng: random.Random | None = None) -> int:
    """Delay before the next try after ``attempts`` failed tries (1 for the first failure).

    The delay doubles each time from 10 s, is capped at 6 hours, and is spread by ±25% so
    that jobs which failed together (a peer that went down) do not retry together.
    """
    exact = min(BASE_MS * 2 ** max(attempts - 1, 0), CAP_MS)
    spread = (rng or random).uniform(1 - JITTER, 1 + JITTER)
    return int(exact * spread)

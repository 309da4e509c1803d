"""Job handlers, registered by name."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fediverse.errors import JobError

Handler = Callable[[dict[str, Any]], Awaitable[None]]


class JobRegistry:
    """Maps a job name to the coroutine that runs it."""

    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}
        self._closers: list[Callable[[], Awaitable[None]]] = []

    def register(self, name: str, handler: Handler) -> None:
        if name in self._handlers:
            raise JobError(f"a handler for job {name!r} is registered already")
        self._handlers[name] = handler

    def handler(self, name: str) -> Handler:
        try:
            return self._handlers[name]
        except KeyError:
            raise JobError(f"no handler registered for job {name!r}") from None

    def names(self) -> list[str]:
        return sorted(self._handlers)

    def on_close(self, closer: Callable[[], Awaitable[None]]) -> None:
        """Something the handlers hold open (a connection pool), closed by ``close``."""
        self._closers.append(closer)

    async def close(self) -> None:
        """Once the worker has stopped: close what the handlers held open."""
        closers, self._closers = self._closers, []
        for closer in closers:
            await closer()

"""The uvicorn server of `kollegium serve`, which tells open streams when it begins to stop."""

from __future__ import annotations

import asyncio
import contextlib
from types import FrameType

import uvicorn

from web.streaming.render import stopping


class StoppingServer(uvicorn.Server):
    """Sets ``app.state.stopping`` at the first SIGTERM, so streams end now with a reconnect
    hint rather than be cancelled when the graceful shutdown times out."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        with contextlib.suppress(RuntimeError):  # no running loop: nothing is streaming yet
            asyncio.get_running_loop().call_soon_threadsafe(stopping(self.config.app).set)
        super().handle_exit(sig, frame)

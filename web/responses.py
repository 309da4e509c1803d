"""JSON responses rendered with orjson, in Mastodon's shapes."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import JSONResponse


class OrjsonResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def error_response(status: int, message: str) -> OrjsonResponse:
    """Mastodon's error shape: ``{"error": "..."}``."""
    return OrjsonResponse({"error": message}, status_code=status)

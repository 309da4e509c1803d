"""``GET /healthz``: the process is up and its database answers."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from web.responses import OrjsonResponse, error_response


async def healthz(request: Request) -> Response:
    store = request.app.state.runtime.store
    try:
        async with store.read() as conn:
            await conn.fetch_val("SELECT 1")
    except Exception:  # any database failure means "not healthy", which is the answer
        return error_response(503, "Database unavailable")
    return OrjsonResponse({"status": "ok"})

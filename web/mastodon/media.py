"""Media routes: upload (v1 and v2), show and describe; and serving the stored files."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from fediverse import media
from fediverse.errors import BadRequestError, ValidationError
from fediverse.runtime import Runtime
from web.mastodon.endpoint import Call, api, json
from web.mastodon.serializers.statuses import serialize_media
from web.responses import error_response

STATIC = Path(__file__).resolve().parent.parent / "static"


async def _upload(call: Call, *, later: bool) -> Response:
    upload = call.params.file("file")
    if upload is None:
        raise BadRequestError("param is missing or the value is empty: file")
    data = await upload.read(media.IMAGE_SIZE_LIMIT + 1)
    store_it = media.upload_later if later else media.upload
    media_id = await store_it(
        call.store,
        Path(call.settings.media_dir),
        call.account_id,
        data,
        description=call.params.text("description", max_length=10_000),
        focus=call.params.text("focus", max_length=50),
    )
    row = await media.get_own(call.store, call.account_id, media_id)
    status = 200 if row["processing"] == "complete" else 202
    return json(serialize_media(row, call.settings.base_url), status)


@api("write:media")
async def upload_v1(call: Call) -> Response:
    return await _upload(call, later=False)


@api("write:media")
async def upload_v2(call: Call) -> Response:
    """Large images are processed by the worker: 202, and ``url`` is null until it is done
    (``GET /api/v1/media/:id`` answers 206 meanwhile), as Mastodon does."""
    return await _upload(call, later=True)


@api("write:media")
async def show(call: Call) -> Response:
    row = await media.get_own(call.store, call.account_id, call.path_id())
    if row["processing"] == "failed":
        raise ValidationError("Error processing thumbnail for uploaded media")
    status = 206 if row["processing"] != "complete" else 200
    return json(serialize_media(row, call.settings.base_url), status)


@api("write:media")
async def update(call: Call) -> Response:
    await media.update_media(
        call.store,
        call.account_id,
        call.path_id(),
        description=call.params.text("description", max_length=10_000),
        focus=call.params.text("focus", max_length=50),
    )
    row = await media.get_own(call.store, call.account_id, call.path_id())
    return json(serialize_media(row, call.settings.base_url))


def _file(root: Path, relative: str) -> Response:
    target = (root / relative).resolve()
    if not target.is_relative_to(root.resolve()) or not target.is_file():
        return error_response(404, "Record not found")
    kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    response = FileResponse(target, media_type=kind)
    response.headers["cache-control"] = "public, max-age=31536000, immutable"
    response.headers["x-content-type-options"] = "nosniff"
    response.headers["access-control-allow-origin"] = "*"
    return response


async def serve_media(request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    return _file(Path(runtime.settings.media_dir), str(request.path_params["path"]))


async def serve_static(request: Request) -> Response:
    return _file(STATIC, str(request.path_params["path"]))

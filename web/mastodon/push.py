"""``/api/v1/push/subscription``: Web Push for the calling access token (one each)."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

from fediverse import oauth, push
from fediverse.errors import BadRequestError
from fediverse.hydrate import Row
from web.mastodon.auth import UnauthorizedError, bearer_token
from web.mastodon.endpoint import Call, api, json
from web.mastodon.params import Params


async def _token_id(call: Call) -> int:
    """The subscription belongs to the token itself, which the viewer does not name."""
    token = bearer_token(call.request)
    grant = await oauth.authenticate(call.store, token) if token else None
    if grant is None:
        raise UnauthorizedError("The access token is invalid")
    return int(grant.token_id)


def _alerts(data: Params) -> dict[str, bool]:
    alerts = data.sub("alerts")
    return {name: bool(alerts.flag(name, False)) for name in alerts.data}


async def _entity(call: Call, row: Row) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "endpoint": row["endpoint"],
        "standard": True,
        "alerts": orjson.loads(row["alerts"]),
        "policy": row["policy"],
        "server_key": await push.vapid_public_key(call.store),
    }


@api("push")
async def subscribe(call: Call) -> Response:
    sub = call.params.sub("subscription")
    keys = sub.sub("keys")
    data = call.params.sub("data")
    new = push.NewSubscription(
        endpoint=sub.required_str("endpoint", max_length=2000),
        p256dh=keys.required_str("p256dh", max_length=200),
        auth=keys.required_str("auth", max_length=100),
        alerts=_alerts(data),
        policy=data.text("policy", "all"),
    )
    token = bearer_token(call.request)
    sealed = push.seal_token(call.settings.secret_key, token) if token else None
    row = await push.subscribe(
        call.store, call.account_id, await _token_id(call), new, sealed_token=sealed
    )
    return json(await _entity(call, row))


@api("push")
async def show(call: Call) -> Response:
    return json(await _entity(call, await push.get_subscription(call.store, await _token_id(call))))


@api("push")
async def update(call: Call) -> Response:
    data = call.params.sub("data")
    if not data.data:
        raise BadRequestError("param is missing or the value is empty: data")
    row = await push.update_data(
        call.store, await _token_id(call), _alerts(data), data.text("policy")
    )
    return json(await _entity(call, row))


@api("push")
async def unsubscribe(call: Call) -> Response:
    await push.unsubscribe(call.store, await _token_id(call))
    return json({})

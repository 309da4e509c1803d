"""A bovine-herd server with one actor and a small control API, for Kollegium's interop tests.

Runs in tests/interop/.venv (bovine-herd pins older Quart and aiosqlite than Kollegium):

    BOVINE_HOST=127.0.0.6 BOVINE_PORT=8091 BOVINE_DB=/tmp/x.sqlite3 .venv/bin/python herd.py

bovine-herd itself verifies every signature on its inbox (``g.retriever`` is the verified
signer, 401 without one) and signs what it delivers. The herd answers nothing but signed
GETs for its actor, as authorized fetch does. Control API:

    GET  /_test/actor    {"id", "acct", "followers"}
    GET  /_test/lookup?acct=user@host:port&origin=http://host:port   the actor found
    GET  /_test/inbox    [{"signer", "activity"}] for every activity its inbox accepted
    POST /_test/outbox   an activity without id -> {"id"}: bovine assigns ids, stores it and
                         delivers it to the addressed actors and followers (signed)
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

from bovine.clients import lookup_uri_with_webfinger
from bovine_herd import BovineHerd, build_default_background_task_inbox
from bovine_process import handle_outbox_item, process_outbox_item
from bovine_process.types import ProcessingItem
from bovine_store import bovine_admin_store
from quart import Quart, current_app, g, request
from tortoise import Tortoise

HOST = os.environ.get("BOVINE_HOST", "127.0.0.6")
PORT = int(os.environ.get("BOVINE_PORT", "8091"))
DB_URL = f"sqlite://{os.environ.get('BOVINE_DB', 'bovine.sqlite3')}"
HANDLE = os.environ.get("BOVINE_HANDLE", "bob")
DOMAIN = f"{HOST}:{PORT}"

received: list[dict[str, Any]] = []
app = Quart(__name__)
process_in_background = build_default_background_task_inbox(app)


async def record_then_process(item: ProcessingItem, actor: Any) -> None:
    received.append({"signer": g.retriever, "activity": item.data})
    await process_in_background(item, actor)


BovineHerd(app, start_background_task_inbox=record_then_process, db_url=DB_URL)


async def the_actor() -> Any:
    store = current_app.config["bovine_store"]
    return await store.actor_for_name(app.config["bovine_name"])


@app.get("/_test/actor")
async def actor_info() -> dict[str, str]:
    actor = await the_actor()
    followers = actor.actor_object.followers
    return {"id": actor.actor_id, "acct": f"{HANDLE}@{DOMAIN}", "followers": followers}


@app.get("/_test/inbox")
async def inbox() -> list[dict[str, Any]]:
    return received


@app.get("/_test/lookup")
async def lookup() -> tuple[dict[str, Any], int]:
    """WebFinger for ``acct`` on ``origin`` (plain http here), then a signed GET of the actor."""
    actor = await the_actor()
    actor.session = current_app.config["session"]
    acct, origin = request.args["acct"], request.args["origin"]
    url, _ = await lookup_uri_with_webfinger(actor.session, f"acct:{acct}", domain=origin)
    if url is None:
        return {"error": f"no WebFinger answer for {acct}"}, 404
    return await actor.retrieve(url), 200


@app.post("/_test/outbox")
async def outbox() -> tuple[dict[str, Any], int]:
    actor = await the_actor()
    actor.session = current_app.config["session"]
    activity = await request.get_json()
    activity["actor"] = actor.actor_id
    item = await handle_outbox_item(ProcessingItem(actor.actor_id, activity), actor)
    await process_outbox_item(item, actor)
    return {"id": item.data["id"], "object": item.data.get("object")}, 200


async def register() -> str:
    """Registers the one actor, domain with port and plain http, as bovine's e2e tests do."""
    async with bovine_admin_store(db_url=DB_URL, domain=f"http://{DOMAIN}") as store:
        await Tortoise.generate_schemas()
        return await store.register(HANDLE)


if __name__ == "__main__":
    from hypercorn.asyncio import serve
    from hypercorn.config import Config

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
    app.config["bovine_name"] = asyncio.run(register())
    config = Config()
    config.bind = [DOMAIN]
    config.accesslog = "-"
    asyncio.run(serve(app, config))  # type: ignore[arg-type]

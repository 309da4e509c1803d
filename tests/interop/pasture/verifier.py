"""fediverse-pasture's actor verifier, served on loopback over plain http, for the interop tests.

Runs in tests/interop/.venv, from a scratch directory (the verifier writes its generated
actors' keys to ./data.toml):

    VERIFIER_HOST=127.0.0.8 VERIFIER_PORT=2909 .venv/bin/python pasture/verifier.py

Then ``GET /?actor_uri=...`` with ``Accept: application/json`` answers the verifier's result:
for each of its actors (alice ... frank: with or without WebFinger, signing their inbox
POSTs or not, serving their own actor only to signed GETs or not) whether the actor could
be fetched and whether a POST to its inbox was taken, and whether WebFinger matches.
"""

from __future__ import annotations

import asyncio
import os

from fediverse_pasture.verify_actor import build_app
from hypercorn.asyncio import serve
from hypercorn.config import Config

HOST = os.environ.get("VERIFIER_HOST", "127.0.0.8")
PORT = int(os.environ.get("VERIFIER_PORT", "2909"))

if __name__ == "__main__":
    app = build_app(False, f"{HOST}:{PORT}", False, 10)
    config = Config()
    config.bind = [f"{HOST}:{PORT}"]
    asyncio.run(serve(app, config))  # type: ignore[arg-type]

"""A minimal ActivityPub peer that speaks RFC 9421 HTTP Message Signatures only, through
http-message-signatures (an implementation independent of Kollegium's), for the interop tests.

Runs in tests/interop/.venv:

    PEER_HOST=127.0.0.10 PEER_PORT=8092 .venv/bin/python rfc9421/peer.py

One actor, ``carol``, with an RSA key; WebFinger; an inbox that takes only RFC 9421
signatures covering @method, @target-uri and content-digest (checked against the body),
with the key fetched from the signer's actor document, and answers 401 to anything else
(a draft-cavage signature included). Control API:

    GET  /_test/inbox      [{"keyid", "activity"}] of every accepted POST
    GET  /_test/requests   [{"status", "scheme"}] of every POST to the inbox
    POST /_test/send       {"inbox", "activity"} -> {"status"}: signed (RFC 9421) and POSTed
"""

from __future__ import annotations

import datetime
import json
import os
from dataclasses import dataclass
from typing import Any

import http_sf
from aiohttp import ClientSession, web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from http_message_signatures import (
    HTTPMessageSigner,
    HTTPMessageVerifier,
    InvalidSignature,
    MappingKeyResolver,
    algorithms,
)

HOST = os.environ.get("PEER_HOST", "127.0.0.10")
PORT = int(os.environ.get("PEER_PORT", "8092"))
ORIGIN = f"http://{HOST}:{PORT}"
ACTOR = f"{ORIGIN}/users/carol"
KEY_ID = f"{ACTOR}#main-key"
COVERED = ("@method", "@target-uri", "content-digest")
AS = "application/activity+json"

private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
public_pem = (
    private_key.public_key()
    .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    .decode()
)
signer = HTTPMessageSigner(
    signature_algorithm=algorithms.RSA_V1_5_SHA256,
    key_resolver=MappingKeyResolver(public_keys={}, private_keys={KEY_ID: private_key}),
)
received: list[dict[str, Any]] = []
requests: list[dict[str, Any]] = []


@dataclass
class Message:
    """What http-message-signatures reads of a request: method, url, headers."""

    method: str
    url: str
    headers: dict[str, str]


def actor_document() -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "id": ACTOR,
        "type": "Person",
        "preferredUsername": "carol",
        "name": "Carol RFC 9421",
        "inbox": f"{ACTOR}/inbox",
        "endpoints": {"sharedInbox": f"{ACTOR}/inbox"},
        "followers": f"{ACTOR}/followers",
        "publicKey": {"id": KEY_ID, "owner": ACTOR, "publicKeyPem": public_pem},
    }


async def actor(_request: web.Request) -> web.Response:
    return web.json_response(actor_document(), content_type=AS)


async def webfinger(request: web.Request) -> web.Response:
    if request.query.get("resource") != f"acct:carol@{HOST}:{PORT}":
        return web.json_response({"error": "not found"}, status=404)
    link = {"rel": "self", "type": AS, "href": ACTOR}
    return web.json_response({"subject": request.query["resource"], "links": [link]})


def signed_keyid(headers: dict[str, str]) -> str | None:
    """The keyid of the first RFC 9421 signature, or None when there is none."""
    value = headers.get("signature-input")
    if not value:
        return None
    members = http_sf.parse(value.encode(), tltype="dictionary")
    for _label, (_components, params) in members.items():
        keyid = params.get("keyid")
        return keyid if isinstance(keyid, str) else None
    return None


async def public_key(session: ClientSession, keyid: str) -> Any:
    async with session.get(keyid, headers={"Accept": AS}) as response:
        document = await response.json(content_type=None)
    key = document.get("publicKey", document)
    if key.get("id") != keyid:
        raise InvalidSignature(f"no key {keyid} in its document")
    return serialization.load_pem_public_key(key["publicKeyPem"].encode())


async def inbox(request: web.Request) -> web.Response:
    body = await request.read()
    headers = {k.lower(): v for k, v in request.headers.items()}
    keyid = signed_keyid(headers)
    scheme = "rfc9421" if keyid else ("cavage" if "signature" in headers else None)
    status = 401
    try:
        if keyid is None:
            raise InvalidSignature("only RFC 9421 signatures are taken here")
        async with ClientSession() as session:
            key = await public_key(session, keyid)
        verifier = HTTPMessageVerifier(
            signature_algorithm=algorithms.RSA_V1_5_SHA256,
            key_resolver=MappingKeyResolver(public_keys={keyid: key}, private_keys={}),
        )
        message = Message(request.method, f"{ORIGIN}{request.path_qs}", dict(request.headers))
        verifier.verify(
            message,
            max_age=datetime.timedelta(minutes=5),
            require_components=COVERED,
            body=body,
        )
        received.append({"keyid": keyid, "activity": json.loads(body)})
        status = 202
    except (InvalidSignature, ValueError, KeyError) as exc:
        requests.append({"status": status, "scheme": scheme, "error": repr(exc)})
        return web.json_response({"error": str(exc)}, status=status)
    requests.append({"status": status, "scheme": scheme})
    return web.json_response({}, status=status)


async def send(request: web.Request) -> web.Response:
    command = await request.json()
    body = json.dumps(command["activity"]).encode()
    message = Message("POST", command["inbox"], {"Content-Type": AS})
    signer.sign(message, key_id=KEY_ID, covered_component_ids=COVERED, body=body)
    async with (
        ClientSession() as session,
        session.post(command["inbox"], data=body, headers=message.headers) as response,
    ):
        return web.json_response({"status": response.status, "body": await response.text()})


async def listing(request: web.Request) -> web.Response:
    return web.json_response(received if request.path.endswith("inbox") else requests)


def build() -> web.Application:
    app = web.Application()
    app.router.add_get("/users/carol", actor)
    app.router.add_get("/.well-known/webfinger", webfinger)
    app.router.add_post("/users/carol/inbox", inbox)
    app.router.add_post("/_test/send", send)
    app.router.add_get("/_test/inbox", listing)
    app.router.add_get("/_test/requests", listing)
    return app


if __name__ == "__main__":
    web.run_app(build(), host=HOST, port=PORT, print=None)

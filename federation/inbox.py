"""The inbox: size cap, parse, policy, verify the signature, deduplicate, store, 202.

Nothing here acts on an activity: it is stored with a job in one transaction, and the
worker processes it (federation.processing), so a crash after the 202 loses nothing.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from dataclasses import dataclass

import orjson

from activitypub.errors import ActivityPubError, InvalidSignatureError, SignatureError
from activitypub.signatures import key_id_of, verify_request
from activitypub.vocab import ACTIVITY_TYPES, RawObject, parse_activity
from activitypub.vocab.fields import check_url, id_of, same_origin
from federation.actors import VerifyingKey
from federation.errors import (
    FetchError,
    InvalidActivityError,
    PayloadTooLargeError,
    SignerMismatchError,
    UnauthorizedError,
)
from federation.policy import domain_of
from federation.service import Federation

MAX_INBOX_BYTES = 1_048_576


@dataclass(frozen=True, slots=True)
class SignedRequest:
    """An inbox POST as it arrived."""

    method: str
    path: str  # with the query string
    headers: Mapping[str, str]
    body: bytes
    scheme: str = "https"


@dataclass(frozen=True, slots=True)
class Received:
    """An accepted activity: stored (``stored``) or a replay of one stored before."""

    activity_id: str
    activity_type: str
    actor: str
    stored: bool


def parse_body(body: bytes) -> RawObject:
    if len(body) > MAX_INBOX_BYTES:
        raise PayloadTooLargeError(f"activity is larger than {MAX_INBOX_BYTES} bytes")
    try:
        raw = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise InvalidActivityError("the body is not valid JSON") from exc
    if not isinstance(raw, dict):
        raise InvalidActivityError("the body is not a JSON object")
    return raw


def actor_of(raw: RawObject) -> str:
    try:
        return check_url(id_of(raw.get("actor")), "actor")
    except ActivityPubError as exc:
        raise InvalidActivityError(exc.message) from exc


def check_activity(raw: RawObject, actor: str) -> str:
    """Parse known types fully (origins checked); unknown ones only need a sane id and type."""
    kind = raw.get("type")
    if not isinstance(kind, str):
        raise InvalidActivityError("the activity has no type")
    if kind in ACTIVITY_TYPES:
        try:
            parse_activity(raw)
        except ActivityPubError as exc:
            raise InvalidActivityError(exc.message) from exc
    activity_id = raw.get("id")
    if activity_id is None:
        return "urn:sha256:" + hashlib.sha256(orjson.dumps(raw)).hexdigest()
    if not isinstance(activity_id, str) or not same_origin(activity_id, actor):
        raise InvalidActivityError("the activity id is not on its actor's origin")
    return activity_id


async def verified_key(fed: Federation, request: SignedRequest) -> VerifyingKey:
    """The key that signed ``request``; fetched again once if it fails (key rotation)."""
    try:
        key_id = key_id_of(request.headers)
    except SignatureError as exc:
        raise UnauthorizedError(f"signature: {exc.message}") from exc
    await fed.policy.check(domain_of(key_id))
    key = await _key(fed, key_id, refresh=False)
    try:
        _verify(request, key)
    except InvalidSignatureError:
        key = await _key(fed, key_id, refresh=True)
        _verify(request, key)
    return key


async def _key(fed: Federation, key_id: str, *, refresh: bool) -> VerifyingKey:
    try:
        return await fed.actors.key(key_id, refresh=refresh)
    except (FetchError, ActivityPubError) as exc:
        raise UnauthorizedError(f"cannot get the signing key {key_id}") from exc


def _verify(request: SignedRequest, key: VerifyingKey) -> None:
    try:
        verify_request(
            method=request.method,
            path=request.path,
            headers=request.headers,
            body=request.body,
            key=key.key,
            now=time.time(),
            scheme=request.scheme,
        )
    except InvalidSignatureError:
        raise
    except SignatureError as exc:
        raise UnauthorizedError(f"signature: {exc.message}") from exc


async def receive(fed: Federation, request: SignedRequest) -> Received:
    """Check an inbox POST all the way to storage; raise a FederationError to refuse it."""
    raw = parse_body(request.body)
    actor = actor_of(raw)
    await fed.policy.check(domain_of(actor))
    activity_id = check_activity(raw, actor)
    try:
        key = await verified_key(fed, request)
    except InvalidSignatureError as exc:
        raise UnauthorizedError("signature does not verify") from exc
    if key.actor_uri != actor:
        raise SignerMismatchError("the activity was signed by another actor than its own")
    stored = await store_received(fed, activity_id, str(raw["type"]), actor, request.body)
    return Received(activity_id, str(raw["type"]), actor, stored)


async def store_received(
    fed: Federation, activity_id: str, kind: str, actor: str, body: bytes
) -> bool:
    """Store the activity and its processing job at once; False if it was seen before."""
    return await fed.inbox_writer.store(activity_id, kind, actor, body)

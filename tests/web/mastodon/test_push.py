"""Web Push: RFC 8291 encryption (its worked example), VAPID, subscriptions through the API,
and a notification pushed, encrypted, to a push service (a mock transport)."""

from __future__ import annotations

import struct

import httpx
import orjson
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select

from federation.push_delivery import deliver_push
from federation.webpush import (
    _hkdf,
    b64url,
    b64url_decode,
    encrypt,
    public_bytes,
    vapid_authorization,
)
from fediverse.push import PUSH_NOTIFICATION, unseal_token
from fediverse.storage.tables import jobs, push_subscriptions
from tests.web.mastodon.conftest import Instance, snapshot
from tests.web.mastodon.part2_support import member
from web.push_titles import push_title

RFC_BODY = (
    "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYW"
    "AmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxs"
    "j_Qulcy4a-fN"
)


def key_of(encoded: str) -> ec.EllipticCurvePrivateKey:
    return ec.derive_private_key(int.from_bytes(b64url_decode(encoded), "big"), ec.SECP256R1())


def decrypt(body: bytes, ua_private: ec.EllipticCurvePrivateKey, auth: bytes) -> bytes:
    """What a browser does with a push message (RFC 8291 and RFC 8188, one record)."""
    salt, (_size, id_length) = body[:16], struct.unpack("!IB", body[16:21])
    as_public = body[21 : 21 + id_length]
    ua_public = public_bytes(ua_private.public_key())
    shared = ua_private.exchange(
        ec.ECDH(), ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), as_public)
    )
    ikm = _hkdf(auth, shared, b"WebPush: info\x00" + ua_public + as_public, 32)
    cek = _hkdf(salt, ikm, b"Content-Encoding: aes128gcm\x00", 16)
    nonce = _hkdf(salt, ikm, b"Content-Encoding: nonce\x00", 12)
    plain = AESGCM(cek).decrypt(nonce, body[21 + id_length :], None)
    assert plain.endswith(b"\x02")
    return plain[:-1]


def test_encryption_gives_rfc_8291s_worked_example() -> None:
    body = encrypt(
        b"When I grow up, I want to be a watermelon",
        b64url_decode(
            "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"
        ),
        b64url_decode("BTBZMqHH6r4Tts7J_aSIgg"),
        as_private=key_of("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"),
        salt=b64url_decode("DGv6ra1nlYgDCS1FRnbzlw"),
    )
    assert b64url(body) == RFC_BODY
    ua = key_of("q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94")
    assert decrypt(body, ua, b64url_decode("BTBZMqHH6r4Tts7J_aSIgg")).startswith(b"When I grow")


def test_vapid_header_is_a_jwt_for_the_push_services_origin_signed_with_es256() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    header = vapid_authorization("https://push.example/send/abc", key, "mailto:a@b.se", now=1000)
    token, _, k = header.removeprefix("vapid t=").partition(", k=")
    head, claims, signature = token.split(".")
    assert orjson.loads(b64url_decode(claims)) == {
        "aud": "https://push.example",
        "exp": 1000 + 12 * 3600,
        "sub": "mailto:a@b.se",
    }
    raw = b64url_decode(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key.public_key().verify(der, f"{head}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
    assert b64url_decode(k) == public_bytes(key.public_key())


async def test_push__subscribe_and_a_mention_arrives_encrypted(instance: Instance) -> None:
    anna, bo = (
        await member(instance, "anna", scopes="read write push"),
        await member(instance, "bo"),
    )
    c = instance.client
    ua = ec.generate_private_key(ec.SECP256R1())
    auth = b"0123456789abcdef"
    body = {
        "subscription": {
            "endpoint": "https://push.example/send/anna",
            "keys": {"p256dh": b64url(public_bytes(ua.public_key())), "auth": b64url(auth)},
        },
        "data": {"alerts": {"mention": True, "follow": False}, "policy": "all"},
    }
    made = await c.post("/api/v1/push/subscription", json=body, headers=anna.headers)
    assert made.status_code == 200, made.text
    entity = made.json()
    assert entity["alerts"]["mention"] is True and entity["alerts"]["follow"] is False
    v2 = (await c.get("/api/v2/instance")).json()
    assert entity["server_key"] == v2["configuration"]["vapid"]["public_key"] != ""
    app = await c.post(
        "/api/v1/apps", data={"client_name": "app", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"}
    )
    assert app.json()["vapid_key"] == entity["server_key"]  # where older apps look for it
    shown = await c.get("/api/v1/push/subscription", headers=anna.headers)
    assert shown.json()["endpoint"] == "https://push.example/send/anna"

    await c.post("/api/v1/statuses", json={"status": "@anna hej!"}, headers=bo.headers)
    await c.post(f"/api/v1/accounts/{anna.account_id}/follow", headers=bo.headers)
    async with instance.store.read() as conn:
        payloads = [
            orjson.loads(r[0])
            for r in await conn.fetch_all(
                select(jobs.c.payload).where(jobs.c.name == PUSH_NOTIFICATION)
            )
        ]
    assert len(payloads) == 2, "one job per notification of a subscribed user"
    sent: list[httpx.Request] = []

    def push_service(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(201)

    async with httpx.AsyncClient(transport=httpx.MockTransport(push_service)) as http:
        for payload in payloads:
            await deliver_push(instance.runtime, http, payload, push_title)
    [request] = sent  # the follow is not an alert anna asked for
    assert request.headers["content-encoding"] == "aes128gcm"
    assert request.headers["authorization"].startswith("vapid t=")
    message = orjson.loads(decrypt(request.content, ua, auth))
    assert message["notification_type"] == "mention"
    assert message["access_token"] == anna.token  # the subscribing token, as Mastodon sends
    async with instance.store.read() as conn:
        stored = await conn.fetch_val(select(push_subscriptions.c.access_token_sealed))
    assert anna.token not in stored  # kept encrypted, never in the clear
    assert unseal_token("another secret key", stored) is None  # SECRET_KEY changed: no token
    assert unseal_token(instance.settings.secret_key, None) is None
    assert message["title"] == "bo nämnde dig"  # anna's language: Swedish, the default
    assert message["body"] == "@anna hej!"

    changed = await c.put(
        "/api/v1/push/subscription",
        json={"data": {"alerts": {"follow": True}, "policy": "followed"}},
        headers=anna.headers,
    )
    assert changed.json()["alerts"]["follow"] is True and changed.json()["policy"] == "followed"

    def gone(request: httpx.Request) -> httpx.Response:
        return httpx.Response(410)

    await c.put("/api/v1/push/subscription", json={"data": {"policy": "all"}}, headers=anna.headers)
    async with httpx.AsyncClient(transport=httpx.MockTransport(gone)) as http:
        await deliver_push(instance.runtime, http, payloads[1], push_title)
    async with instance.store.read() as conn:
        left = await conn.fetch_all(select(push_subscriptions))
    assert left == [], "a subscription its push service calls gone is forgotten"
    assert (await c.get("/api/v1/push/subscription", headers=anna.headers)).status_code == 404


async def test_push__bad_subscriptions_and_tokens_without_push_are_refused(
    instance: Instance,
) -> None:
    anna = await member(instance, "anna", scopes="read write push")
    no_push = await member(instance, "bo", scopes="read write")
    c = instance.client
    key = b64url(public_bytes(ec.generate_private_key(ec.SECP256R1()).public_key()))
    good = {
        "endpoint": "https://push.example/x",
        "keys": {"p256dh": key, "auth": b64url(b"a" * 16)},
    }
    before = await snapshot(instance.store)
    for subscription, data, status in [
        ({}, {}, 400),
        ({**good, "endpoint": "inte en adress"}, {}, 422),
        ({**good, "keys": {"p256dh": "kort", "auth": b64url(b"a" * 16)}}, {}, 422),
        ({**good, "keys": {"p256dh": key, "auth": "a"}}, {}, 422),
        (good, {"alerts": {"everything": True}}, 422),
        (good, {"policy": "some"}, 422),
    ]:
        answer = await c.post(
            "/api/v1/push/subscription",
            json={"subscription": subscription, "data": data},
            headers=anna.headers,
        )
        assert answer.status_code == status, (subscription, data)
        assert "error" in answer.json()
    denied = await c.post(
        "/api/v1/push/subscription", json={"subscription": good}, headers=no_push.headers
    )
    assert denied.status_code == 403
    assert (
        await c.put("/api/v1/push/subscription", json={}, headers=anna.headers)
    ).status_code == 400
    assert (await c.get("/api/v1/push/subscription", headers=anna.headers)).status_code == 404
    assert await snapshot(instance.store) == before

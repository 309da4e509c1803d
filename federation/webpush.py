"""Web Push to a browser's or app's push service: the payload encrypted as RFC 8291 requires
(``aes128gcm``, RFC 8188), and the request signed with VAPID (RFC 8292).

``encrypt`` and ``vapid_authorization`` are pure (keys and a clock in, bytes out); ``send``
posts through the federation HTTP client, so push services on private addresses are refused
as any other server is.
"""

from __future__ import annotations

import base64
import os
import struct
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
import orjson
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hmac import HMAC

RECORD_SIZE = 4096
TTL_SECONDS = 48 * 3600
VAPID_LIFETIME_SECONDS = 12 * 3600


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _hmac(key: bytes, data: bytes) -> bytes:
    mac = HMAC(key, hashes.SHA256())
    mac.update(data)
    return mac.finalize()


def _hkdf(salt: bytes, ikm: bytes, info: bytes, length: int) -> bytes:
    """HKDF-SHA256 with one expand block (every length here is at most 32)."""
    prk = _hmac(salt, ikm)
    return _hmac(prk, info + b"\x01")[:length]


def public_bytes(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


def encrypt(
    plaintext: bytes,
    ua_public: bytes,
    auth_secret: bytes,
    *,
    as_private: ec.EllipticCurvePrivateKey | None = None,
    salt: bytes | None = None,
) -> bytes:
    """The ``aes128gcm`` body of a push message for the user agent's key and secret.

    ``as_private`` and ``salt`` are fresh for every message; tests pass them to compare with
    RFC 8291's worked example.
    """
    as_private = as_private or ec.generate_private_key(ec.SECP256R1())
    salt = salt or os.urandom(16)
    as_public = public_bytes(as_private.public_key())
    ua_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), ua_public)
    shared = as_private.exchange(ec.ECDH(), ua_key)
    ikm = _hkdf(auth_secret, shared, b"WebPush: info\x00" + ua_public + as_public, 32)
    cek = _hkdf(salt, ikm, b"Content-Encoding: aes128gcm\x00", 16)
    nonce = _hkdf(salt, ikm, b"Content-Encoding: nonce\x00", 12)
    record = AESGCM(cek).encrypt(nonce, plaintext + b"\x02", None)  # one, final record
    header = salt + struct.pack("!IB", RECORD_SIZE, len(as_public)) + as_public
    return header + record


def vapid_authorization(
    endpoint: str, private_key: ec.EllipticCurvePrivateKey, contact: str, now: float | None = None
) -> str:
    """The ``Authorization: vapid t=..., k=...`` header value for ``endpoint``'s origin."""
    parts = urlsplit(endpoint)
    claims = {
        "aud": f"{parts.scheme}://{parts.netloc}",
        "exp": int((now if now is not None else time.time()) + VAPID_LIFETIME_SECONDS),
        "sub": contact,
    }
    head = b64url(orjson.dumps({"typ": "JWT", "alg": "ES256"}))
    body = b64url(orjson.dumps(claims))
    der = private_key.sign(f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    signature = b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))
    key = b64url(public_bytes(private_key.public_key()))
    return f"vapid t={head}.{body}.{signature}, k={key}"


@dataclass(frozen=True, slots=True)
class PushTarget:
    endpoint: str
    p256dh: str  # base64url, as the subscription gave them
    auth: str


async def send(
    http: httpx.AsyncClient,
    target: PushTarget,
    payload: dict[str, object],
    private_key: ec.EllipticCurvePrivateKey,
    contact: str,
) -> int:
    """POST one push message; returns the push service's status (404/410: subscription gone)."""
    body = encrypt(orjson.dumps(payload), b64url_decode(target.p256dh), b64url_decode(target.auth))
    response = await http.post(
        target.endpoint,
        content=body,
        headers={
            "authorization": vapid_authorization(target.endpoint, private_key, contact),
            "content-encoding": "aes128gcm",
            "content-type": "application/octet-stream",
            "ttl": str(TTL_SECONDS),
            "urgency": "normal",
        },
    )
    return response.status_code

"""Body digests: the ``Digest`` header of draft-cavage and RFC 9530's ``Content-Digest``."""

from __future__ import annotations

import hashlib
import hmac
import string
from collections.abc import Iterable

import http_sf

from activitypub.errors import DigestMismatchError, MalformedSignatureError
from activitypub.signatures._common import b64encode

# RFC 9530 algorithms we compute, by their registered names.
CONTENT_DIGEST_ALGORITHMS = {"sha-256": hashlib.sha256, "sha-512": hashlib.sha512}
_HEX_DIGITS = frozenset(string.hexdigits)


def digest_header(body: bytes) -> str:
    """The ``Digest`` value Mastodon expects: ``SHA-256=`` and the base64 of the hash."""
    return "SHA-256=" + b64encode(hashlib.sha256(body).digest())


def check_digest_header(value: str, body: bytes) -> None:
    """Check a ``Digest`` header against the body; only SHA-256 is accepted, as by Mastodon."""
    expected = b64encode(hashlib.sha256(body).digest())
    # A digest of a body the sender shows us is no secret, so plain equality will do.
    if value == "SHA-256=" + expected:
        return
    offered = _digest_pairs(value)
    given = offered.get("sha-256")
    if given is None:
        names = ", ".join(offered) or "none"
        raise DigestMismatchError(f"Digest must include SHA-256 (offered: {names})")
    if given != expected:
        raise DigestMismatchError(_mismatch_reason(given))


def _digest_pairs(value: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for part in value.split(","):
        name, _, encoded = part.strip().partition("=")
        pairs[name.lower()] = encoded.strip()
    return pairs


def _mismatch_reason(given: str) -> str:
    # Some servers send the hash in hex; name that mistake rather than a bare mismatch.
    if len(given) == 64 and set(given) <= _HEX_DIGITS:
        return "Digest SHA-256 value is hex; it must be base64"
    return "Digest does not match the body"


def content_digest_header(body: bytes, algorithms: Iterable[str] = ("sha-256",)) -> str:
    """An RFC 9530 ``Content-Digest`` value, e.g. ``sha-256=:<base64>:``."""
    members: dict[str, object] = {}
    for name in algorithms:
        members[name] = _hash(name, body)
    return http_sf.ser(members)  # type: ignore[arg-type]


def check_content_digest(value: str, body: bytes) -> None:
    """Check every digest we know in a ``Content-Digest`` header; at least one must be known."""
    digests = _parse_content_digest(value)
    known = [name for name in digests if name in CONTENT_DIGEST_ALGORITHMS]
    if not known:
        names = ", ".join(digests) or "none"
        raise DigestMismatchError(f"Content-Digest has no sha-256 or sha-512 (offered: {names})")
    for name in known:
        if not hmac.compare_digest(digests[name], _hash(name, body)):
            raise DigestMismatchError(f"Content-Digest {name} does not match the body")


def _parse_content_digest(value: str) -> dict[str, bytes]:
    try:
        parsed = http_sf.parse(value.encode("ascii"), tltype="dictionary")
    except (http_sf.StructuredFieldError, UnicodeEncodeError) as exc:
        raise MalformedSignatureError("Content-Digest is not a structured dictionary") from exc
    assert isinstance(parsed, dict)
    digests: dict[str, bytes] = {}
    for name, member in parsed.items():
        item = member[0] if isinstance(member, tuple) else member
        if not isinstance(item, bytes):
            raise MalformedSignatureError(f"Content-Digest {name} is not a byte sequence")
        digests[name] = item
    return digests


def _hash(name: str, body: bytes) -> bytes:
    return CONTENT_DIGEST_ALGORITHMS[name](body).digest()

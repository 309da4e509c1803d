"""Sign and verify HTTP requests with either signature scheme, and remember which a peer takes."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from urllib.parse import urlsplit

from activitypub.errors import MalformedSignatureError
from activitypub.keys import PrivateKey
from activitypub.signatures import cavage, rfc9421
from activitypub.signatures._common import Clock, KeySource, format_http_date, to_epoch
from activitypub.signatures.digest import content_digest_header, digest_header
from activitypub.signatures.rfc9421 import VerifyKey

__all__ = [
    "DoubleKnock",
    "Scheme",
    "detect_scheme",
    "key_id_of",
    "sign_request",
    "verify_request",
]


class Scheme(StrEnum):
    """The two ways of signing HTTP requests in the fediverse."""

    CAVAGE = "draft-cavage-http-signatures-12"
    RFC9421 = "rfc9421"


def detect_scheme(headers: Mapping[str, str]) -> Scheme:
    """Signature-Input means RFC 9421; a bare Signature (or Authorization) means draft-cavage."""
    names = {name.lower() for name in headers}
    if "signature-input" in names:
        return Scheme.RFC9421
    if "signature" in names or "authorization" in names:
        return Scheme.CAVAGE
    raise MalformedSignatureError("request is not signed")


def key_id_of(headers: Mapping[str, str]) -> str:
    """The keyId a request claims, without verifying anything; to fetch the key first."""
    lowered = {name.lower(): value for name, value in headers.items()}
    if detect_scheme(lowered) is Scheme.RFC9421:
        key_id = rfc9421.parse_signatures(lowered)[0].key_id
        if key_id is None:
            raise MalformedSignatureError("signature has no keyid")
        return key_id
    return cavage.parse_signature_header(cavage.signature_header_value(lowered)).key_id


def verify_request(
    *,
    method: str,
    path: str,
    headers: Mapping[str, str],
    body: bytes,
    key: KeySource[VerifyKey],
    now: Clock,
    scheme: str = "https",
) -> str:
    """Verify a request by whichever scheme its headers use; return the keyId that signed it.

    ``path`` includes the query string, ``headers`` may be any mapping (names are matched
    case-insensitively), ``key`` is a loaded public key or a callable from keyId to key,
    and ``now`` is the caller's clock. Raises the ``SignatureError`` subclass naming the
    rule that failed.
    """
    if detect_scheme(headers) is Scheme.RFC9421:
        return rfc9421.verify_request(
            method=method, path=path, headers=headers, body=body, key=key, now=now, scheme=scheme
        )
    return cavage.verify_request(
        method=method, path=path, headers=headers, body=body, key=key, now=now
    )


def sign_request(
    *,
    scheme: Scheme,
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    key: PrivateKey,
    key_id: str,
    now: Clock,
) -> dict[str, str]:
    """Return ``headers`` plus Host, Date, the body digest and the signature for ``scheme``.

    ``key`` is the already loaded private key; ``now`` sets Date and ``created``.
    """
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    signed = {"Host": parts.netloc, "Date": format_http_date(now), **headers}
    if scheme is Scheme.RFC9421:
        if _has_content(method, body):
            signed["Content-Digest"] = content_digest_header(body)
        signed |= rfc9421.sign_request(
            method=method,
            path=path,
            headers=signed,
            key=key,
            key_id=key_id,
            created=int(to_epoch(now)),
            scheme=parts.scheme or "https",
        )
        return signed
    if _has_content(method, body):
        signed["Digest"] = digest_header(body)
    signed["Signature"] = cavage.sign_request(
        method=method, path=path, headers=signed, key=key, key_id=key_id
    )
    return signed


def _has_content(method: str, body: bytes) -> bool:
    # Every method but GET and HEAD gets a digest, even of an empty body, as cavage signs it.
    return bool(body) or method.upper() not in cavage.BODYLESS_METHODS


class DoubleKnock:
    """Which scheme each peer domain accepts, learned by trying one and falling back.

    Pure and small: the caller persists ``remembered()`` and passes it back in.
    """

    def __init__(
        self, known: Mapping[str, Scheme] | None = None, first: Scheme = Scheme.RFC9421
    ) -> None:
        self._known = {domain.lower(): Scheme(value) for domain, value in (known or {}).items()}
        self._first = first

    def scheme_for(self, domain: str) -> Scheme:
        """The scheme to sign with first for ``domain``."""
        return self._known.get(domain.lower(), self._first)

    def fallback_for(self, domain: str, failed: Scheme) -> Scheme | None:
        """The scheme to retry with after ``failed`` was refused, or None to give up.

        A scheme that once worked for the domain is not second-guessed: a refusal then
        is about something else than the signature scheme.
        """
        if domain.lower() in self._known:
            return None
        return Scheme.CAVAGE if failed is Scheme.RFC9421 else Scheme.RFC9421

    def record_success(self, domain: str, scheme: Scheme) -> None:
        """Remember that ``domain`` accepted ``scheme``."""
        self._known[domain.lower()] = scheme

    def forget(self, domain: str) -> None:
        """Forget ``domain``, e.g. after it was upgraded."""
        self._known.pop(domain.lower(), None)

    def remembered(self) -> dict[str, Scheme]:
        """A snapshot to persist."""
        return dict(self._known)

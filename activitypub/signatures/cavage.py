"""HTTP Signatures as draft-cavage-http-signatures-12 defines them and Mastodon speaks them."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import NamedTuple, TypeGuard

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from activitypub.errors import (
    InsufficientCoverageError,
    InvalidSignatureError,
    MalformedSignatureError,
)
from activitypub.keys import PrivateKey, PublicKey
from activitypub.signatures._common import (
    Clock,
    KeySource,
    b64decode,
    b64encode,
    check_time_window,
    lower_headers,
    parse_http_date,
    to_epoch,
)
from activitypub.signatures.digest import check_digest_header

REQUEST_TARGET = "(request-target)"
CREATED = "(created)"
EXPIRES = "(expires)"
_PSEUDO_HEADERS = (CREATED, EXPIRES)
_SPECIAL_NAMES = frozenset({REQUEST_TARGET, CREATED, EXPIRES})
ALGORITHMS = frozenset({"rsa-sha256", "hs2019"})
BODYLESS_METHODS = frozenset({"GET", "HEAD"})
POST_HEADERS = (REQUEST_TARGET, "host", "date", "digest", "content-type")
GET_HEADERS = (REQUEST_TARGET, "host", "date", "accept")
# Signed when the message has them; the others are required.
_OPTIONAL_HEADERS = frozenset({"accept", "content-type"})
_PARAMETER_NAMES = ("keyId", "algorithm", "headers", "signature", "created", "expires")

# One `name="quoted"` or `name=token` parameter and the comma after it.
_PARAM = re.compile(r'\s*([A-Za-z]+)\s*=\s*(?:"([^"\\]*(?:\\.[^"\\]*)*)"|([^\s,"]*))\s*(?:,|$)')
_QUOTED_PAIR = re.compile(r"\\(.)")
# Old node-http-signature versions prefix the header value with the scheme name.
_BUGGY_PREFIX = "Signature "

_PKCS1 = padding.PKCS1v15()
_SHA256 = hashes.SHA256()


class CavageSignature(NamedTuple):
    """The parameters of a ``Signature`` header (a tuple, as one is built per request)."""

    key_id: str
    algorithm: str
    headers: tuple[str, ...]
    signature: bytes
    created: int | None = None
    expires: int | None = None


def parse_signature_header(value: str) -> CavageSignature:
    """Parse a ``Signature`` (or ``Authorization: Signature``) header value."""
    params = _parse_params(value.removeprefix(_BUGGY_PREFIX))
    key_id = params.get("keyId")
    encoded = params.get("signature")
    if not key_id or not encoded:
        raise MalformedSignatureError("Signature needs both keyId and signature")
    algorithm = params.get("algorithm", "hs2019")
    created = _int_param(params, "created") if "created" in params else None
    expires = _int_param(params, "expires") if "expires" in params else None
    names = _signed_header_names(params.get("headers"), algorithm)
    signature = b64decode(encoded, "Signature signature")
    # NamedTuple's own __new__ is a Python function; this is what it calls.
    return _new_tuple(CavageSignature, (key_id, algorithm, names, signature, created, expires))


_new_tuple = tuple.__new__


def _parse_params(value: str) -> dict[str, str]:
    return _parse_canonical_params(value) or _parse_params_strictly(value)


# The parameter names as they appear between quotes in the canonical shape, first or later.
_FIRST_NAMES = {f"{name}=": name for name in _PARAMETER_NAMES}
_NEXT_NAMES = {f",{name}=": name for name in _PARAMETER_NAMES}


def _parse_canonical_params(value: str) -> dict[str, str] | None:
    """Fast path for the shape every server sends: ``a="x",b="y"``; None for anything else.

    Split at the quotes, such a value alternates ``a=``, ``x``, ``,b=``, ``y`` and ends
    with an empty piece; anything else (spaces, escapes, unknown names) takes the strict
    parser, which reads these values the same way.
    """
    if "\\" in value:
        return None
    pieces = value.split('"')
    if len(pieces) % 2 == 0 or pieces[-1]:
        return None
    name = _FIRST_NAMES.get(pieces[0])
    params: dict[str, str] = {}
    for index in range(1, len(pieces) - 1, 2):
        if name is None or name in params:
            return None
        params[name] = pieces[index]
        name = _NEXT_NAMES.get(pieces[index + 1])
    return params


def _parse_params_strictly(value: str) -> dict[str, str]:
    params: dict[str, str] = {}
    position, end = 0, len(value)
    while position < end:
        match = _PARAM.match(value, position)
        if match is None or match.end() == position:
            raise MalformedSignatureError("Signature header cannot be parsed")
        name, quoted, token = match.groups()
        if name in params:
            raise MalformedSignatureError(f"Signature parameter {name} appears twice")
        params[name] = _unquote(quoted) if token is None else token
        position = match.end()
    return params


def _unquote(quoted: str) -> str:
    return _QUOTED_PAIR.sub(r"\1", quoted) if "\\" in quoted else quoted


# Every server of one kind signs the same list; a memo of a pure function, bounded.
_NAMES_CACHE: dict[str, tuple[str, ...]] = {}
_NAMES_CACHE_SIZE = 64


def _signed_header_names(value: str | None, algorithm: str) -> tuple[str, ...]:
    if value is None:
        # The draft's default: `(created)` for hs2019, `date` for the older names.
        return (CREATED,) if algorithm == "hs2019" else ("date",)
    names = _NAMES_CACHE.get(value)
    if names is None:
        names = tuple(value.lower().split())
        if not names:
            raise MalformedSignatureError("Signature headers parameter is empty")
        if len(_NAMES_CACHE) >= _NAMES_CACHE_SIZE:
            _NAMES_CACHE.clear()
        _NAMES_CACHE[value] = names
    return names


def _int_param(params: Mapping[str, str], name: str) -> int:
    try:
        return int(params[name])
    except ValueError as exc:
        raise MalformedSignatureError(f"Signature {name} is not an integer") from exc


def build_signing_string(
    signature: CavageSignature, *, method: str, target: str, headers: Mapping[str, str]
) -> str:
    """The string the signature covers; ``headers`` must be keyed by lowercase name."""
    return _signing_string(signature, method, target, headers)


def _signing_string(
    signature: CavageSignature, method: str, target: str, headers: Mapping[str, str]
) -> str:
    # Positional: a keyword call costs a tenth of this function on the verify path.
    lines = []
    for name in signature.headers:
        value = headers.get(name)
        if value is not None and name not in _SPECIAL_NAMES:
            lines.append(f"{name}: {value.strip()}")
        elif name == REQUEST_TARGET:
            lines.append(f"{REQUEST_TARGET}: {method.lower()} {target}")
        elif name in _PSEUDO_HEADERS:
            lines.append(f"{name}: {_pseudo_header_value(name, signature)}")
        else:
            raise MalformedSignatureError(f"signed header {name} is not in the request")
    return "\n".join(lines)


def _pseudo_header_value(name: str, signature: CavageSignature) -> int:
    if signature.algorithm != "hs2019":
        raise MalformedSignatureError(f"{name} may only be signed with hs2019")
    value = signature.created if name == CREATED else signature.expires
    if value is None:
        raise MalformedSignatureError(f"{name} is signed but its parameter is missing")
    return value


def check_signature(
    signature: CavageSignature, signing_string: str, key: PublicKey | bytes
) -> None:
    """Verify the signature bytes over ``signing_string``; raise if they do not match."""
    data = signing_string.encode("utf-8")
    try:
        if _is_rsa_public_key(key):
            key.verify(signature.signature, data, _PKCS1, _SHA256)
        elif isinstance(key, ed25519.Ed25519PublicKey) and signature.algorithm == "hs2019":
            key.verify(signature.signature, data)
        else:
            raise MalformedSignatureError(f"key type cannot verify {signature.algorithm}")
    except InvalidSignature as exc:
        raise InvalidSignatureError("signature does not verify") from exc


# Concrete classes seen to implement RSAPublicKey: an ABC isinstance check costs as much as
# a tenth of our whole verification overhead, a set lookup almost nothing.
_RSA_PUBLIC_KEY_TYPES: set[type] = set()


def _is_rsa_public_key(key: object) -> TypeGuard[rsa.RSAPublicKey]:
    if type(key) in _RSA_PUBLIC_KEY_TYPES:
        return True
    if isinstance(key, rsa.RSAPublicKey):
        _RSA_PUBLIC_KEY_TYPES.add(type(key))
        return True
    return False


def verify_request(
    *,
    method: str,
    path: str,
    headers: Mapping[str, str],
    body: bytes,
    key: KeySource[PublicKey | bytes],
    now: Clock,
) -> str:
    """Verify a signed request by Mastodon's rules and return the keyId that signed it.

    ``path`` includes the query string; ``key`` is the public key or a callable that
    resolves a keyId to one; ``now`` is the caller's clock (epoch seconds or a datetime).
    """
    # This runs for every inbox POST; the few lines inlined here are measured to matter.
    lowered = {name.lower(): value for name, value in headers.items()}
    signature = parse_signature_header(lowered.get("signature") or signature_header_value(lowered))
    if signature.algorithm not in ALGORITHMS:
        raise MalformedSignatureError("unsupported algorithm (only rsa-sha256 and hs2019)")
    check_coverage(signature.headers, method)
    check_time_window(_created_time(signature, lowered), signature.expires, to_epoch(now))
    if "digest" in signature.headers:
        _check_body_digest(lowered, body)
    public_key = key(signature.key_id) if callable(key) else key
    signing_string = _signing_string(signature, method, path, lowered)
    try:
        check_signature(signature, signing_string, public_key)
    except InvalidSignatureError:
        _check_without_query(signature, method, path, lowered, public_key)
    return signature.key_id


def signature_header_value(headers: Mapping[str, str]) -> str:
    """The ``Signature`` header, or an ``Authorization: Signature`` one; keys are lowercase."""
    value = headers.get("signature")
    if value is not None:
        return value
    authorization = headers.get("authorization", "")
    if authorization.startswith(_BUGGY_PREFIX):
        return authorization
    raise MalformedSignatureError("request is not signed")


def check_coverage(signed: Sequence[str], method: str) -> None:
    """Mastodon's minimum: a time, the target or digest, host on GET and digest on POST."""
    if "date" not in signed and CREATED not in signed:
        raise InsufficientCoverageError("the Date header or (created) must be signed")
    if REQUEST_TARGET not in signed and "digest" not in signed:
        raise InsufficientCoverageError("(request-target) or the Digest header must be signed")
    verb = method.upper()
    if verb == "GET" and "host" not in signed:
        raise InsufficientCoverageError("the Host header must be signed on GET")
    if verb == "POST" and "digest" not in signed:
        raise InsufficientCoverageError("the Digest header must be signed on POST")


def _created_time(signature: CavageSignature, headers: Mapping[str, str]) -> float | None:
    if signature.algorithm == "hs2019" and signature.created is not None:
        return float(signature.created)
    date = headers.get("date")
    return None if date is None else parse_http_date(date)


def _check_body_digest(headers: Mapping[str, str], body: bytes) -> None:
    value = headers.get("digest")
    if value is None:
        raise MalformedSignatureError("Digest is signed but the header is missing")
    check_digest_header(value, body)


def _check_without_query(
    signature: CavageSignature,
    method: str,
    path: str,
    headers: Mapping[str, str],
    key: PublicKey | bytes,
) -> None:
    """Mastodon before 4.2 left the query out of (request-target); accept that form too."""
    bare_path, has_query, _ = path.partition("?")
    if not has_query or REQUEST_TARGET not in signature.headers:
        raise InvalidSignatureError("signature does not verify")
    bare = _signing_string(signature, method, bare_path, headers)
    check_signature(signature, bare, key)


def default_signed_headers(method: str, headers: Mapping[str, str]) -> tuple[str, ...]:
    """What we sign: POST-like requests cover the digest, GET covers accept."""
    names = GET_HEADERS if method.upper() in BODYLESS_METHODS else POST_HEADERS
    return tuple(name for name in names if name not in _OPTIONAL_HEADERS or name in headers)


def sign_request(
    *,
    method: str,
    path: str,
    headers: Mapping[str, str],
    key: PrivateKey,
    key_id: str,
    signed_headers: Sequence[str] | None = None,
    algorithm: str | None = None,
) -> str:
    """Return the ``Signature`` header value for a request whose headers are already set.

    ``headers`` must already hold Host, Date and (for a body) Digest; ``key`` is a loaded
    key, never PEM, so nothing is parsed per request.
    """
    lowered = lower_headers(headers)
    names = tuple(signed_headers or default_signed_headers(method, lowered))
    algorithm = algorithm or ("rsa-sha256" if isinstance(key, rsa.RSAPrivateKey) else "hs2019")
    unsigned = CavageSignature(key_id=key_id, algorithm=algorithm, headers=names, signature=b"")
    signing_string = _signing_string(unsigned, method, path, lowered)
    raw = _sign_bytes(key, algorithm, signing_string.encode("utf-8"))
    return (
        f'keyId="{key_id}",algorithm="{algorithm}",'
        f'headers="{" ".join(names)}",signature="{b64encode(raw)}"'
    )


def _sign_bytes(key: PrivateKey, algorithm: str, data: bytes) -> bytes:
    if isinstance(key, rsa.RSAPrivateKey) and algorithm in ALGORITHMS:
        return key.sign(data, _PKCS1, _SHA256)
    if isinstance(key, ed25519.Ed25519PrivateKey) and algorithm == "hs2019":
        return key.sign(data)
    raise MalformedSignatureError(f"key type cannot sign {algorithm}")

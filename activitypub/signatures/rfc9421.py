"""HTTP Message Signatures (RFC 9421) with RFC 9530 Content-Digest."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import http_sf
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from http_sf.innerlist import ser_innerlist

from activitypub.errors import (
    InsufficientCoverageError,
    InvalidSignatureError,
    MalformedSignatureError,
)
from activitypub.keys import PrivateKey, PublicKey
from activitypub.signatures._common import (
    Clock,
    KeySource,
    check_time_window,
    to_epoch,
)
from activitypub.signatures.components import (
    Component,
    HttpMessage,
    Params,
    component_identifier,
    component_value,
)
from activitypub.signatures.digest import check_content_digest

SignKey: TypeAlias = PrivateKey | bytes
VerifyKey: TypeAlias = PublicKey | bytes

ALGORITHMS = ("rsa-v1_5-sha256", "rsa-pss-sha512", "ecdsa-p256-sha256", "ed25519", "hmac-sha256")
# Signature parameters in the order we write them, which is also RFC 9421's examples' order.
_PARAM_ORDER = ("created", "keyid", "alg", "expires", "nonce", "tag")
_P256_HALF = 32

_PKCS1 = padding.PKCS1v15()
_PSS = padding.PSS(mgf=padding.MGF1(hashes.SHA512()), salt_length=64)
_ECDSA = ec.ECDSA(hashes.SHA256())


@dataclass(frozen=True, slots=True)
class MessageSignature:
    """One labelled signature from Signature-Input and Signature."""

    label: str
    components: tuple[Component, ...]
    params: Params
    signature: bytes

    @property
    def key_id(self) -> str | None:
        value = self.params.get("keyid")
        return value if isinstance(value, str) else None

    @property
    def covered_names(self) -> frozenset[str]:
        return frozenset(name for name, _ in self.components)

    def params_value(self) -> str:
        """The ``@signature-params`` value: the inner list exactly as serialized."""
        items: list[Any] = list(self.components)
        return ser_innerlist((items, self.params))  # type: ignore[arg-type]


def parse_signatures(headers: Mapping[str, str]) -> list[MessageSignature]:
    """Every labelled signature in a message; ``headers`` keyed by lowercase name."""
    inputs = _parse_dictionary(headers, "signature-input")
    values = _parse_dictionary(headers, "signature")
    return [_one_signature(label, member, values.get(label)) for label, member in inputs.items()]


def _parse_dictionary(headers: Mapping[str, str], name: str) -> dict[str, object]:
    value = headers.get(name)
    if value is None:
        raise MalformedSignatureError(f"{name} header is missing")
    try:
        parsed = http_sf.parse(value.encode("ascii"), tltype="dictionary")
    except (http_sf.StructuredFieldError, UnicodeEncodeError) as exc:
        raise MalformedSignatureError(f"{name} is not a structured dictionary") from exc
    assert isinstance(parsed, dict)
    return dict(parsed)


def _one_signature(label: str, member: object, value: object) -> MessageSignature:
    if not (isinstance(member, tuple) and isinstance(member[0], list)):
        raise MalformedSignatureError(f"Signature-Input {label} is not an inner list")
    if not (isinstance(value, tuple) and isinstance(value[0], bytes)):
        raise MalformedSignatureError(f"Signature {label} is missing or not a byte sequence")
    components = tuple(_component(item) for item in member[0])
    return MessageSignature(label, components, dict(member[1]), value[0])


def _component(item: object) -> Component:
    if isinstance(item, tuple) and type(item[0]) is str:
        return item[0], dict(item[1])
    raise MalformedSignatureError("a covered component is not a string")


def signature_base(message: HttpMessage, signature: MessageSignature) -> str:
    """The text a signature covers (RFC 9421 section 2.5)."""
    lines = []
    seen: set[str] = set()
    for component in signature.components:
        identifier = component_identifier(component)
        if identifier in seen or component[0] == "@signature-params":
            raise MalformedSignatureError(f"component {identifier} cannot be covered here")
        seen.add(identifier)
        lines.append(f"{identifier}: {component_value(component, message)}")
    lines.append(f'"@signature-params": {signature.params_value()}')
    base = "\n".join(lines)
    if not base.isascii():
        raise MalformedSignatureError("signature base holds non-ASCII characters")
    return base


def sign_message(
    message: HttpMessage,
    *,
    key: SignKey,
    key_id: str,
    components: Sequence[str | Component],
    created: int,
    expires: int | None = None,
    nonce: str | None = None,
    tag: str | None = None,
    label: str = "sig1",
    algorithm: str | None = None,
    include_alg: bool = False,
) -> tuple[str, str]:
    """Sign ``message``; return the Signature-Input and Signature dictionary members."""
    alg = algorithm or _default_algorithm(key)
    values = {"created": created, "keyid": key_id, "alg": alg if include_alg else None}
    values |= {"expires": expires, "nonce": nonce, "tag": tag}
    params: Params = {name: values[name] for name in _PARAM_ORDER if values[name] is not None}
    unsigned = MessageSignature(label, tuple(map(_as_component, components)), params, b"")
    base = signature_base(message, unsigned).encode("ascii")
    raw = _sign_bytes(alg, key, base)
    return f"{label}={unsigned.params_value()}", http_sf.ser({label: (raw, {})})


def _as_component(component: str | Component) -> Component:
    return (component, {}) if isinstance(component, str) else component


def verify_message(
    message: HttpMessage,
    *,
    key: KeySource[VerifyKey],
    label: str | None = None,
    algorithm: str | None = None,
) -> MessageSignature:
    """Verify one signature (the first, or ``label``) and return it; no policy, no clock.

    ``algorithm`` is what the application knows of the key (RFC 9421 section 3.2); an
    ``alg`` parameter in the signature must agree with it.
    """
    signature = _select(parse_signatures(message.headers), label)
    if signature.key_id is None:
        raise MalformedSignatureError("signature has no keyid")
    resolved = key(signature.key_id) if callable(key) else key
    alg = _choose_algorithm(signature.params.get("alg"), algorithm, resolved)
    base = signature_base(message, signature).encode("ascii")
    _verify_bytes(alg, resolved, signature.signature, base)
    return signature


def _select(signatures: list[MessageSignature], label: str | None) -> MessageSignature:
    for signature in signatures:
        if label is None or signature.label == label:
            return signature
    raise MalformedSignatureError(f"no signature labelled {label}" if label else "no signature")


def _choose_algorithm(declared: object, known: str | None, key: VerifyKey) -> str:
    if declared is not None and known is not None and declared != known:
        raise MalformedSignatureError("alg parameter disagrees with the key's algorithm")
    alg = declared or known or _default_algorithm(key)
    if not isinstance(alg, str) or alg not in ALGORITHMS:
        raise MalformedSignatureError(f"unsupported algorithm {alg}")
    return alg


def _default_algorithm(key: SignKey | VerifyKey) -> str:
    if isinstance(key, bytes):
        return "hmac-sha256"
    if isinstance(key, ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey):
        return "ed25519"
    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        return "ecdsa-p256-sha256"
    # Mastodon signs and expects RSASSA-PKCS1-v1_5 for RSA keys.
    return "rsa-v1_5-sha256"


def _sign_bytes(alg: str, key: SignKey, data: bytes) -> bytes:
    signer = _SIGNERS.get(alg)
    if signer is None:
        raise MalformedSignatureError(f"unsupported algorithm {alg}")
    return signer(key, data)


def _verify_bytes(alg: str, key: VerifyKey, signature: bytes, data: bytes) -> None:
    try:
        _VERIFIERS[alg](key, signature, data)
    except InvalidSignature as exc:
        raise InvalidSignatureError("signature does not verify") from exc


def _wrong_key(alg: str) -> MalformedSignatureError:
    return MalformedSignatureError(f"key type cannot be used with {alg}")


def _sign_rsa_v15(key: SignKey, data: bytes) -> bytes:
    if not isinstance(key, rsa.RSAPrivateKey):
        raise _wrong_key("rsa-v1_5-sha256")
    return key.sign(data, _PKCS1, hashes.SHA256())


def _sign_rsa_pss(key: SignKey, data: bytes) -> bytes:
    if not isinstance(key, rsa.RSAPrivateKey):
        raise _wrong_key("rsa-pss-sha512")
    return key.sign(data, _PSS, hashes.SHA512())


def _sign_ecdsa(key: SignKey, data: bytes) -> bytes:
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not _is_p256(key.curve):
        raise _wrong_key("ecdsa-p256-sha256")
    r, s = decode_dss_signature(key.sign(data, _ECDSA))
    # RFC 9421 wants the raw r || s form, not DER.
    return r.to_bytes(_P256_HALF, "big") + s.to_bytes(_P256_HALF, "big")


def _sign_ed25519(key: SignKey, data: bytes) -> bytes:
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise _wrong_key("ed25519")
    return key.sign(data)


def _sign_hmac(key: SignKey | VerifyKey, data: bytes) -> bytes:
    if not isinstance(key, bytes):
        raise _wrong_key("hmac-sha256")
    return hmac.new(key, data, hashlib.sha256).digest()


def _is_p256(curve: ec.EllipticCurve) -> bool:
    return isinstance(curve, ec.SECP256R1)


def _verify_rsa_v15(key: VerifyKey, signature: bytes, data: bytes) -> None:
    if not isinstance(key, rsa.RSAPublicKey):
        raise _wrong_key("rsa-v1_5-sha256")
    key.verify(signature, data, _PKCS1, hashes.SHA256())


def _verify_rsa_pss(key: VerifyKey, signature: bytes, data: bytes) -> None:
    if not isinstance(key, rsa.RSAPublicKey):
        raise _wrong_key("rsa-pss-sha512")
    key.verify(signature, data, _PSS, hashes.SHA512())


def _verify_ecdsa(key: VerifyKey, signature: bytes, data: bytes) -> None:
    if not isinstance(key, ec.EllipticCurvePublicKey) or not _is_p256(key.curve):
        raise _wrong_key("ecdsa-p256-sha256")
    if len(signature) != 2 * _P256_HALF:
        raise InvalidSignature
    r = int.from_bytes(signature[:_P256_HALF], "big")
    s = int.from_bytes(signature[_P256_HALF:], "big")
    key.verify(encode_dss_signature(r, s), data, _ECDSA)


def _verify_ed25519(key: VerifyKey, signature: bytes, data: bytes) -> None:
    if not isinstance(key, ed25519.Ed25519PublicKey):
        raise _wrong_key("ed25519")
    key.verify(signature, data)


def _verify_hmac(key: VerifyKey, signature: bytes, data: bytes) -> None:
    if not hmac.compare_digest(_sign_hmac(key, data), signature):
        raise InvalidSignature


_SIGNERS: dict[str, Callable[[SignKey, bytes], bytes]] = {
    "rsa-v1_5-sha256": _sign_rsa_v15,
    "rsa-pss-sha512": _sign_rsa_pss,
    "ecdsa-p256-sha256": _sign_ecdsa,
    "ed25519": _sign_ed25519,
    "hmac-sha256": _sign_hmac,
}
_VERIFIERS: dict[str, Callable[[VerifyKey, bytes, bytes], None]] = {
    "rsa-v1_5-sha256": _verify_rsa_v15,
    "rsa-pss-sha512": _verify_rsa_pss,
    "ecdsa-p256-sha256": _verify_ecdsa,
    "ed25519": _verify_ed25519,
    "hmac-sha256": _verify_hmac,
}

# What we cover when we sign a request for another server, and what we demand of theirs.
REQUEST_COMPONENTS = ("@method", "@target-uri", "@authority", "date")
BODY_COMPONENTS = ("content-digest",)


def default_components(method: str, headers: Mapping[str, str]) -> tuple[str, ...]:
    """``@method @target-uri @authority date``, plus ``content-digest`` when there is one."""
    extra = BODY_COMPONENTS if "content-digest" in headers else ()
    present = tuple(name for name in REQUEST_COMPONENTS if name != "date" or "date" in headers)
    return present + extra


def sign_request(
    *,
    method: str,
    path: str,
    headers: Mapping[str, str],
    key: SignKey,
    key_id: str,
    created: int,
    components: Sequence[str | Component] | None = None,
    scheme: str = "https",
    label: str = "sig1",
) -> dict[str, str]:
    """Return the Signature-Input and Signature headers for a request whose headers are set."""
    message = HttpMessage.request(method, path, headers, scheme)
    covered = components or default_components(method, message.headers)
    signature_input, signature = sign_message(
        message, key=key, key_id=key_id, components=covered, created=created, label=label
    )
    return {"Signature-Input": signature_input, "Signature": signature}


def verify_request(
    *,
    method: str,
    path: str,
    headers: Mapping[str, str],
    body: bytes,
    key: KeySource[VerifyKey],
    now: Clock,
    scheme: str = "https",
    algorithm: str | None = None,
) -> str:
    """Verify a signed request by Mastodon's rules and return the keyid that signed it.

    The first signature is checked: it must carry ``created`` and ``keyid``, fall in the
    time window, cover ``@method`` and ``@target-uri`` (and ``content-digest`` on POST),
    and the body must match Content-Digest before the signature itself is checked.
    """
    message = HttpMessage.request(method, path, headers, scheme)
    signature = _select(parse_signatures(message.headers), None)
    _check_policy(signature, method, to_epoch(now))
    if "content-digest" in signature.covered_names:
        _check_body_digest(message.headers, body)
    verify_message(message, key=key, label=signature.label, algorithm=algorithm)
    return signature.key_id or ""


def _check_body_digest(headers: Mapping[str, str], body: bytes) -> None:
    value = headers.get("content-digest")
    if value is None:
        raise MalformedSignatureError("Content-Digest is signed but the header is missing")
    check_content_digest(value, body)


def _check_policy(signature: MessageSignature, method: str, now: float) -> None:
    created, expires = signature.params.get("created"), signature.params.get("expires")
    if signature.key_id is None or not isinstance(created, int):
        raise MalformedSignatureError("signature needs keyid and created parameters")
    check_time_window(created, expires if isinstance(expires, int) else None, now)
    covered = signature.covered_names
    if "@method" not in covered or "@target-uri" not in covered:
        raise InsufficientCoverageError("@method and @target-uri must be signed")
    if method.upper() == "POST" and "content-digest" not in covered:
        raise InsufficientCoverageError("Content-Digest must be signed on POST")

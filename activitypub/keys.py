"""Generate, load and serialize the RSA and Ed25519 keys actors sign with."""

from __future__ import annotations

from typing import TypeAlias

import base58
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from activitypub.errors import KeyFormatError

PrivateKey: TypeAlias = rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey
PublicKey: TypeAlias = rsa.RSAPublicKey | ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey

# Multicodec table entries, as unsigned varints (FEP-521a, multiformats/multicodec).
ED25519_PUB_PREFIX = b"\xed\x01"
ED25519_PRIV_PREFIX = b"\x80\x26"
RSA_PUB_PREFIX = b"\x85\x24"
MULTIBASE_BASE58BTC = "z"

RSA_KEY_SIZE = 2048
RSA_PUBLIC_EXPONENT = 65537


def generate_rsa_private_key() -> rsa.RSAPrivateKey:
    """A new RSA-2048 key, the kind every fediverse server can verify."""
    return rsa.generate_private_key(public_exponent=RSA_PUBLIC_EXPONENT, key_size=RSA_KEY_SIZE)


def generate_ed25519_private_key() -> ed25519.Ed25519PrivateKey:
    """A new Ed25519 key, for RFC 9421 signatures and FEP-8b32 proofs."""
    return ed25519.Ed25519PrivateKey.generate()


def private_key_to_pem(key: PrivateKey) -> str:
    """Serialize a private key as unencrypted PKCS#8 PEM."""
    return key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    ).decode("ascii")


def public_key_to_pem(public_key: PublicKey) -> str:
    """Serialize a public key as SPKI PEM, the form of an actor's ``publicKeyPem``."""
    return public_key.public_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PublicFormat.SubjectPublicKeyInfo,
    ).decode("ascii")


def load_private_key_pem(pem: str) -> PrivateKey:
    """Load an unencrypted PKCS#8 (or PKCS#1 / SEC1) PEM private key."""
    try:
        key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
    except (ValueError, TypeError, UnicodeEncodeError, UnsupportedAlgorithm) as exc:
        raise KeyFormatError("private key is not a readable PEM key") from exc
    return _require_supported_private(key)


def load_public_key_pem(pem: str) -> PublicKey:
    """Load a PEM public key: SPKI, or the PKCS#1 ``RSA PUBLIC KEY`` some servers publish."""
    try:
        key = serialization.load_pem_public_key(pem.strip().encode("ascii"))
    except (ValueError, UnicodeEncodeError, UnsupportedAlgorithm) as exc:
        raise KeyFormatError("public key is not a readable PEM key") from exc
    return _require_supported_public(key)


def ed25519_public_key_to_multibase(pk: ed25519.Ed25519PublicKey) -> str:
    """Encode an Ed25519 public key as a FEP-521a ``publicKeyMultibase`` value."""
    raw = pk.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return _multibase_encode(ED25519_PUB_PREFIX + raw)


def multibase_to_ed25519_public_key(s: str) -> ed25519.Ed25519PublicKey:
    """Decode a FEP-521a ``publicKeyMultibase`` value that must hold an Ed25519 key."""
    key = multibase_to_public_key(s)
    if not isinstance(key, ed25519.Ed25519PublicKey):
        raise KeyFormatError("multikey is not an Ed25519 key")
    return key


def ed25519_private_key_to_multibase(key: ed25519.Ed25519PrivateKey) -> str:
    """Encode an Ed25519 private key as multibase ``ed25519-priv``, as FEP test vectors do."""
    raw = key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    return _multibase_encode(ED25519_PRIV_PREFIX + raw)


def multibase_to_ed25519_private_key(s: str) -> ed25519.Ed25519PrivateKey:
    """Decode a multibase ``ed25519-priv`` value, such as the FEP-8b32 test key."""
    data = _multibase_decode(s)
    if not data.startswith(ED25519_PRIV_PREFIX) or len(data) != len(ED25519_PRIV_PREFIX) + 32:
        raise KeyFormatError("multibase value is not a 32-byte Ed25519 private key")
    return ed25519.Ed25519PrivateKey.from_private_bytes(data[len(ED25519_PRIV_PREFIX) :])


def rsa_public_key_to_multibase(pk: rsa.RSAPublicKey) -> str:
    """Encode an RSA public key as a FEP-521a multikey (PKCS#1 DER behind ``rsa-pub``)."""
    der = pk.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    return _multibase_encode(RSA_PUB_PREFIX + der)


def public_key_to_multibase(pk: PublicKey) -> str:
    """Encode an Ed25519 or RSA public key as a FEP-521a multikey."""
    if isinstance(pk, ed25519.Ed25519PublicKey):
        return ed25519_public_key_to_multibase(pk)
    if isinstance(pk, rsa.RSAPublicKey):
        return rsa_public_key_to_multibase(pk)
    raise KeyFormatError("only Ed25519 and RSA keys have a multikey form here")


def multibase_to_public_key(s: str) -> ed25519.Ed25519PublicKey | rsa.RSAPublicKey:
    """Decode a FEP-521a multikey holding an Ed25519 or RSA public key."""
    data = _multibase_decode(s)
    if data.startswith(ED25519_PUB_PREFIX):
        return _ed25519_from_raw(data[len(ED25519_PUB_PREFIX) :])
    if data.startswith(RSA_PUB_PREFIX):
        return _rsa_from_pkcs1_der(data[len(RSA_PUB_PREFIX) :])
    raise KeyFormatError("multikey has an unsupported multicodec prefix")


def _multibase_encode(data: bytes) -> str:
    return MULTIBASE_BASE58BTC + base58.b58encode(data).decode("ascii")


def _multibase_decode(s: str) -> bytes:
    if not s.startswith(MULTIBASE_BASE58BTC):
        raise KeyFormatError("multikey is not base58btc multibase (it must start with 'z')")
    try:
        return base58.b58decode(s[1:])
    except ValueError as exc:
        raise KeyFormatError("multikey is not valid base58btc") from exc


def _ed25519_from_raw(raw: bytes) -> ed25519.Ed25519PublicKey:
    if len(raw) != 32:
        raise KeyFormatError("Ed25519 multikey must hold 32 key bytes")
    return ed25519.Ed25519PublicKey.from_public_bytes(raw)


def _rsa_from_pkcs1_der(der: bytes) -> rsa.RSAPublicKey:
    try:
        # cryptography reads a bare PKCS#1 RSAPublicKey as well as SPKI.
        key = serialization.load_der_public_key(der)
    except ValueError as exc:
        raise KeyFormatError("RSA multikey does not hold a PKCS#1 public key") from exc
    if not isinstance(key, rsa.RSAPublicKey):
        raise KeyFormatError("RSA multikey does not hold an RSA key")
    return key


def _require_supported_private(key: object) -> PrivateKey:
    if isinstance(key, rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey):
        return key
    raise KeyFormatError("only RSA, Ed25519 and EC private keys are supported")


def _require_supported_public(key: object) -> PublicKey:
    if isinstance(key, rsa.RSAPublicKey | ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey):
        return key
    raise KeyFormatError("only RSA, Ed25519 and EC public keys are supported")

"""Object integrity proofs (FEP-8b32) with the ``eddsa-jcs-2022`` cryptosuite."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeAlias

import base58
import jcs
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519

from activitypub.errors import ProofError

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-jcs-2022"
PROOF_PURPOSE = "assertionMethod"
MULTIBASE_BASE58BTC = "z"
_SIGNATURE_LENGTH = 64

ProofKeySource: TypeAlias = ed25519.Ed25519PublicKey | Callable[[str], ed25519.Ed25519PublicKey]


def create_proof(
    document: Mapping[str, Any],
    *,
    key: ed25519.Ed25519PrivateKey,
    verification_method: str,
    created: datetime,
) -> dict[str, Any]:
    """The ``proof`` object for ``document`` (which must not carry one yet)."""
    if "proof" in document:
        raise ProofError("document already carries a proof")
    options = _proof_options(document, verification_method, created)
    signature = key.sign(_hash_data(document, options))
    return options | {"proofValue": MULTIBASE_BASE58BTC + base58.b58encode(signature).decode()}


def sign_document(
    document: Mapping[str, Any],
    *,
    key: ed25519.Ed25519PrivateKey,
    verification_method: str,
    created: datetime,
) -> dict[str, Any]:
    """A copy of ``document`` with its proof attached under ``proof``."""
    proof = create_proof(
        document, key=key, verification_method=verification_method, created=created
    )
    return dict(document) | {"proof": proof}


def _proof_options(
    document: Mapping[str, Any], verification_method: str, created: datetime
) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if "@context" in document:
        # eddsa-jcs-2022 copies the document's context into the proof configuration.
        options["@context"] = document["@context"]
    return options | {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "verificationMethod": verification_method,
        "proofPurpose": PROOF_PURPOSE,
        "created": _format_created(created),
    }


def _format_created(created: datetime) -> str:
    if created.tzinfo is None:
        raise ProofError("proof creation time must be timezone-aware")
    return created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _hash_data(document: Mapping[str, Any], proof_options: Mapping[str, Any]) -> bytes:
    """SHA-256 of the canonical proof options, then SHA-256 of the canonical document."""
    return _sha256_jcs(proof_options) + _sha256_jcs(document)


def _sha256_jcs(value: Mapping[str, Any]) -> bytes:
    try:
        canonical = jcs.canonicalize(value)
    except (TypeError, ValueError) as exc:
        raise ProofError("document cannot be canonicalized as JSON") from exc
    return hashlib.sha256(canonical).digest()


def verify_proof(document: Mapping[str, Any], *, key: ProofKeySource) -> str:
    """Verify the document's proof and return its ``verificationMethod``.

    ``key`` is the Ed25519 public key, or a callable resolving a verificationMethod id to
    one (for example from the actor's ``assertionMethod`` Multikey). The caller still has
    to check that the verification method belongs to the document's owner (FEP-fe34).
    """
    proof = document.get("proof")
    if not isinstance(proof, Mapping):
        raise ProofError("document has no single proof object")
    method = _check_proof_fields(proof)
    _check_context(document, proof)
    signature = _decode_proof_value(proof.get("proofValue"))
    # A legacy linked-data signature is added after the proof, so it is not covered.
    unsecured = {
        name: value for name, value in document.items() if name not in ("proof", "signature")
    }
    options = {name: value for name, value in proof.items() if name != "proofValue"}
    public_key = key(method) if callable(key) else key
    try:
        public_key.verify(signature, _hash_data(unsecured, options))
    except InvalidSignature as exc:
        raise ProofError("proof does not verify") from exc
    return method


def _check_proof_fields(proof: Mapping[str, Any]) -> str:
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError("proof is not a DataIntegrityProof with eddsa-jcs-2022")
    if proof.get("proofPurpose") != PROOF_PURPOSE:
        raise ProofError("proof purpose must be assertionMethod")
    method = proof.get("verificationMethod")
    if not isinstance(method, str) or not method:
        raise ProofError("proof has no verificationMethod")
    return method


def _check_context(document: Mapping[str, Any], proof: Mapping[str, Any]) -> None:
    """The proof's @context, when present, must be where the document's starts."""
    if "@context" not in proof:
        return
    expected = _as_list(proof["@context"])
    if _as_list(document.get("@context"))[: len(expected)] != expected:
        raise ProofError("proof @context does not match the document's")


def _as_list(value: object) -> list[object]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _decode_proof_value(value: object) -> bytes:
    if not isinstance(value, str) or not value.startswith(MULTIBASE_BASE58BTC):
        raise ProofError("proofValue must be base58btc multibase")
    try:
        signature = base58.b58decode(value[1:])
    except ValueError as exc:
        raise ProofError("proofValue is not valid base58") from exc
    if len(signature) != _SIGNATURE_LENGTH:
        raise ProofError("proofValue is not a 64-byte Ed25519 signature")
    return signature

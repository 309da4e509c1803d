"""FEP-8b32 object integrity proofs: the vectors of fep-8b32.feature, and what must fail."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from activitypub.errors import ProofError
from activitypub.keys import (
    generate_ed25519_private_key,
    multibase_to_ed25519_private_key,
    multibase_to_ed25519_public_key,
)
from activitypub.proofs import create_proof, sign_document, verify_proof

# fep/8b32/fep-8b32.feature, scenario "Signing document", verbatim.
DOCUMENT = json.loads(
    """
{
    "@context": [
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/data-integrity/v2"
    ],
    "id": "https://server.example/activities/1",
    "type": "Create",
    "actor": "https://server.example/users/alice",
    "object": {
        "id": "https://server.example/objects/1",
        "type": "Note",
        "attributedTo": "https://server.example/users/alice",
        "content": "Hello world",
        "location": {
            "type": "Place",
            "longitude": -71.184902,
            "latitude": 25.273962
        }
    }
}
"""
)
SECRET_KEY = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
CREATED = datetime(2023, 2, 24, 23, 36, 38, tzinfo=UTC)
KEY_ID = "https://server.example/users/alice#ed25519-key"
PROOF = json.loads(
    """
{
    "@context": [
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/data-integrity/v2"
    ],
    "type": "DataIntegrityProof",
    "cryptosuite": "eddsa-jcs-2022",
    "verificationMethod": "https://server.example/users/alice#ed25519-key",
    "proofPurpose": "assertionMethod",
    "proofValue": "z42ffGu6AUKPCFcFPiabmUvnGLPJzC7e4DGWC52NUasSSH37UMa9c58tdgVszUcZfytxa4fQ5TYHaJENCxUDe9SdL",
    "created": "2023-02-24T23:36:38Z"
}
"""  # noqa: E501 - the vector verbatim
)
# Scenario "Verifying a signature": the actor's assertionMethod Multikey.
ACTOR_PUBLIC_KEY = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"


def signed_document() -> dict[str, Any]:
    return copy.deepcopy(DOCUMENT | {"proof": PROOF})


def test_proofs__fep_8b32_signing_vector_produces_the_published_proof() -> None:
    key = multibase_to_ed25519_private_key(SECRET_KEY)
    signed = sign_document(DOCUMENT, key=key, verification_method=KEY_ID, created=CREATED)
    assert signed == signed_document()


def test_proofs__fep_8b32_verification_vector_is_valid_with_the_actors_multikey() -> None:
    key = multibase_to_ed25519_public_key(ACTOR_PUBLIC_KEY)
    assert verify_proof(signed_document(), key=key) == KEY_ID


def test_proofs__the_fep_secret_key_matches_the_actors_multikey() -> None:
    private = multibase_to_ed25519_private_key(SECRET_KEY)
    assert private.public_key() == multibase_to_ed25519_public_key(ACTOR_PUBLIC_KEY)


def test_proofs__resolves_the_verification_method_through_a_callable() -> None:
    seen: list[str] = []

    def resolve(method: str) -> Any:
        seen.append(method)
        return multibase_to_ed25519_public_key(ACTOR_PUBLIC_KEY)

    assert verify_proof(signed_document(), key=resolve) == KEY_ID
    assert seen == [KEY_ID]


def test_proofs__a_changed_content_fails_verification() -> None:
    document = signed_document()
    document["object"]["content"] = "Hello mallory"
    with pytest.raises(ProofError, match="does not verify"):
        verify_proof(document, key=multibase_to_ed25519_public_key(ACTOR_PUBLIC_KEY))


def test_proofs__a_changed_proof_option_fails_verification() -> None:
    document = signed_document()
    document["proof"]["created"] = "2023-02-24T23:36:39Z"
    with pytest.raises(ProofError, match="does not verify"):
        verify_proof(document, key=multibase_to_ed25519_public_key(ACTOR_PUBLIC_KEY))


def test_proofs__a_legacy_ld_signature_added_afterwards_is_ignored() -> None:
    document = signed_document() | {"signature": {"type": "RsaSignature2017"}}
    assert verify_proof(document, key=multibase_to_ed25519_public_key(ACTOR_PUBLIC_KEY))


def test_proofs__round_trips_an_object_without_context() -> None:
    key = generate_ed25519_private_key()
    note = {"id": "https://a.example/notes/1", "type": "Note", "content": "Hej"}
    proof = create_proof(note, key=key, verification_method=KEY_ID, created=CREATED)
    assert "@context" not in proof
    assert verify_proof(note | {"proof": proof}, key=key.public_key()) == KEY_ID


def test_proofs__refuses_to_sign_a_document_that_has_a_proof() -> None:
    with pytest.raises(ProofError, match="already"):
        create_proof(
            signed_document(),
            key=generate_ed25519_private_key(),
            verification_method=KEY_ID,
            created=CREATED,
        )


def test_proofs__refuses_a_naive_creation_time() -> None:
    with pytest.raises(ProofError, match="timezone"):
        create_proof(
            DOCUMENT,
            key=generate_ed25519_private_key(),
            verification_method=KEY_ID,
            created=datetime(2023, 2, 24),
        )


def test_proofs__refuses_a_document_that_is_not_json() -> None:
    with pytest.raises(ProofError, match="canonicalized"):
        create_proof(
            {"x": {1, 2}},
            key=generate_ed25519_private_key(),
            verification_method=KEY_ID,
            created=CREATED,
        )


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"type": "Ed25519Signature2020"}, "DataIntegrityProof"),
        ({"cryptosuite": "eddsa-rdfc-2022"}, "DataIntegrityProof"),
        ({"proofPurpose": "authentication"}, "assertionMethod"),
        ({"verificationMethod": ""}, "verificationMethod"),
        ({"proofValue": "u" + PROOF["proofValue"][1:]}, "multibase"),
        ({"proofValue": "z0OIl"}, "base58"),
        ({"proofValue": "z2222"}, "64-byte"),
        ({"@context": ["https://w3id.org/security/data-integrity/v2"]}, "@context"),
    ],
)
def test_proofs__explains_a_malformed_proof(change: dict[str, Any], reason: str) -> None:
    document = signed_document()
    document["proof"] |= change
    with pytest.raises(ProofError, match=reason):
        verify_proof(document, key=multibase_to_ed25519_public_key(ACTOR_PUBLIC_KEY))


@pytest.mark.parametrize("proof", [None, [PROOF, PROOF], "proof"])
def test_proofs__requires_a_single_proof_object(proof: object) -> None:
    document = DOCUMENT | ({} if proof is None else {"proof": proof})
    with pytest.raises(ProofError, match="single proof"):
        verify_proof(document, key=multibase_to_ed25519_public_key(ACTOR_PUBLIC_KEY))


def test_proofs__a_proof_context_string_must_lead_a_document_context() -> None:
    document = signed_document()
    document["proof"]["@context"] = "https://www.w3.org/ns/activitystreams"
    with pytest.raises(ProofError, match="does not verify"):
        verify_proof(document, key=multibase_to_ed25519_public_key(ACTOR_PUBLIC_KEY))
    del document["@context"]
    with pytest.raises(ProofError, match="@context"):
        verify_proof(document, key=multibase_to_ed25519_public_key(ACTOR_PUBLIC_KEY))

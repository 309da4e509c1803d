"""Key generation and serialization, and the FEP-521a Multikey vectors."""

from __future__ import annotations

import base58
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa

from activitypub.errors import KeyFormatError
from activitypub.keys import (
    ed25519_private_key_to_multibase,
    ed25519_public_key_to_multibase,
    generate_ed25519_private_key,
    generate_rsa_private_key,
    load_private_key_pem,
    load_public_key_pem,
    multibase_to_ed25519_private_key,
    multibase_to_ed25519_public_key,
    multibase_to_public_key,
    private_key_to_pem,
    public_key_to_multibase,
    public_key_to_pem,
    rsa_public_key_to_multibase,
)

# fep/521a/fep-521a.feature, verbatim.
FEP_521A_ED25519_HEX = "2e6fcce36701dc791488e0d0b1745cc1e33a4c1c9fcc41c63bd343dbbe0970e6"
FEP_521A_ED25519_MULTIBASE = "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
FEP_521A_RSA_PKCS1_HEX = (
    "3082010a0282010100b1b5fcd8d4d5e88ca5c4287b31f578865caf6a78826a3b8ff7b1b23aa4af4e6a0474139f"
    "945bd9d3a911ffd0fa72db78e4593a86c91f9da836186ebd3402d51f6a3844247ab5088b46929c311b43604fed"
    "84499f06f0f39bf55590e2187f1bbe229ba8f49fd2e570cd0e3733c76bfede80e1e7e0881e4538ea1bc5782be9"
    "512f8bf132526e05f4923564fe6e1e21bf7087adebb660fa533fca06d0a8e66991e1312d70b64a61da8ca77c02"
    "8cdf939601e2cffe2855759b1d479f0847bcac59d7d62427a431d4e3dfd2697428b9dd6309a7b1167db99fe01a"
    "f1ff1b739566fb949e47089d1dae84aef1214ef7f5773e86a0d3e9da246f9bec09d60c705891183d0203010001"
)
FEP_521A_RSA_MULTIBASE = (
    "z4MXj1wBzi9jUstyPMS4jQqB6KdJaiatPkAtVtGc6bQEQEEsKTic4G7Rou3iBf9vPmT5dbkm9qsZsuVNjq8HCuW1w24nh"
    "BFGkRE4cd2Uf2tfrB3N7h4mnyPp1BF3ZttHTYv3DLUPi1zMdkULiow3M1GfXkoC6DoxDUm1jmN6GBj22SjVsr6dxezRV"
    "Qc7aj9TxE7JLbMH1wh5X3kA58H3DFW8rnYMakFGbca5CB2Jf6CnGQZmL7o5uJAdTwXfy2iiiyPxXEGerMhHwhjTA1mKYo"
    "byk2CpeEcmvynADfNZ5MBvcCS7m3XkFCMNUYBS9NQ3fze6vMSUPsNa6GVYmKx2x6JrdEjCk3qRMMmyjnjCMfR4pXbRMZa3i"
)


def fep_rsa_key() -> rsa.RSAPublicKey:
    key = serialization.load_der_public_key(bytes.fromhex(FEP_521A_RSA_PKCS1_HEX))
    assert isinstance(key, rsa.RSAPublicKey)
    return key


def test_keys__fep_521a_ed25519_vector_encodes_to_the_published_multikey() -> None:
    key = ed25519.Ed25519PublicKey.from_public_bytes(bytes.fromhex(FEP_521A_ED25519_HEX))
    assert ed25519_public_key_to_multibase(key) == FEP_521A_ED25519_MULTIBASE
    assert public_key_to_multibase(key) == FEP_521A_ED25519_MULTIBASE


def test_keys__fep_521a_ed25519_multikey_decodes_to_the_published_key() -> None:
    key = multibase_to_ed25519_public_key(FEP_521A_ED25519_MULTIBASE)
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert raw.hex() == FEP_521A_ED25519_HEX


def test_keys__fep_521a_rsa_vector_encodes_to_the_published_multikey() -> None:
    assert rsa_public_key_to_multibase(fep_rsa_key()) == FEP_521A_RSA_MULTIBASE
    assert public_key_to_multibase(fep_rsa_key()) == FEP_521A_RSA_MULTIBASE


def test_keys__fep_521a_rsa_multikey_decodes_to_the_published_key() -> None:
    key = multibase_to_public_key(FEP_521A_RSA_MULTIBASE)
    assert isinstance(key, rsa.RSAPublicKey)
    assert key.public_numbers() == fep_rsa_key().public_numbers()


def test_keys__an_rsa_multikey_is_not_an_ed25519_key() -> None:
    with pytest.raises(KeyFormatError, match="not an Ed25519 key"):
        multibase_to_ed25519_public_key(FEP_521A_RSA_MULTIBASE)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("u" + FEP_521A_ED25519_MULTIBASE[1:], "must start with 'z'"),
        ("z0OIl", "not valid base58btc"),
        ("z" + "1111", "unsupported multicodec"),
        ("z" + base58.b58encode(b"\xed\x01" + bytes(31)).decode(), "32 key bytes"),
        ("z" + base58.b58encode(b"\x85\x24garbage").decode(), "PKCS#1"),
    ],
)
def test_keys__explains_a_malformed_multikey(value: str, reason: str) -> None:
    with pytest.raises(KeyFormatError, match=reason):
        multibase_to_public_key(value)


def test_keys__rsa_multikey_holding_a_non_rsa_der_is_refused() -> None:
    spki = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    with pytest.raises(KeyFormatError, match="not hold an RSA key"):
        multibase_to_public_key("z" + base58.b58encode(b"\x85\x24" + spki).decode())


def test_keys__only_ed25519_and_rsa_keys_have_a_multikey_form_here() -> None:
    with pytest.raises(KeyFormatError, match="only Ed25519 and RSA"):
        public_key_to_multibase(ec.generate_private_key(ec.SECP256R1()).public_key())


def test_keys__generates_rsa_2048_with_exponent_65537() -> None:
    key = generate_rsa_private_key()
    assert key.key_size == 2048
    assert key.public_key().public_numbers().e == 65537


def test_keys__rsa_private_key_round_trips_through_pkcs8_pem() -> None:
    key = generate_rsa_private_key()
    pem = private_key_to_pem(key)
    assert pem.startswith("-----BEGIN PRIVATE KEY-----")
    loaded = load_private_key_pem(pem)
    assert isinstance(loaded, rsa.RSAPrivateKey)
    assert loaded.private_numbers() == key.private_numbers()


def test_keys__public_key_serializes_as_spki_pem_for_public_key_pem() -> None:
    key = generate_rsa_private_key().public_key()
    pem = public_key_to_pem(key)
    assert pem.startswith("-----BEGIN PUBLIC KEY-----")
    loaded = load_public_key_pem(pem)
    assert isinstance(loaded, rsa.RSAPublicKey)
    assert loaded.public_numbers() == key.public_numbers()


def test_keys__loads_the_pkcs1_rsa_public_key_some_servers_publish() -> None:
    key = generate_rsa_private_key().public_key()
    pkcs1 = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1)
    loaded = load_public_key_pem("\n" + pkcs1.decode() + "\n")
    assert isinstance(loaded, rsa.RSAPublicKey)


def test_keys__ed25519_round_trips_through_pem_and_multibase() -> None:
    key = generate_ed25519_private_key()
    loaded = load_private_key_pem(private_key_to_pem(key))
    assert isinstance(loaded, ed25519.Ed25519PrivateKey)
    assert load_public_key_pem(public_key_to_pem(key.public_key())) == key.public_key()
    decoded = multibase_to_ed25519_private_key(ed25519_private_key_to_multibase(key))
    assert decoded.public_key() == key.public_key()


def test_keys__a_public_multikey_is_not_a_private_key() -> None:
    with pytest.raises(KeyFormatError, match="private key"):
        multibase_to_ed25519_private_key(FEP_521A_ED25519_MULTIBASE)


@pytest.mark.parametrize(
    "pem", ["not a key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", "ключ"]
)
def test_keys__refuses_unreadable_private_pem(pem: str) -> None:
    with pytest.raises(KeyFormatError, match="private key"):
        load_private_key_pem(pem)


@pytest.mark.parametrize("pem", ["not a key", "ключ"])
def test_keys__refuses_unreadable_public_pem(pem: str) -> None:
    with pytest.raises(KeyFormatError, match="public key"):
        load_public_key_pem(pem)


def test_keys__refuses_key_types_we_do_not_sign_with() -> None:
    key = dsa.generate_private_key(key_size=1024)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = public_key_to_pem(key.public_key())  # type: ignore[arg-type]
    with pytest.raises(KeyFormatError, match="only RSA, Ed25519 and EC"):
        load_private_key_pem(private_pem)
    with pytest.raises(KeyFormatError, match="only RSA, Ed25519 and EC"):
        load_public_key_pem(public_pem)

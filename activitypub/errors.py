"""Errors raised by the protocol library.

Every error carries a short, safe ``message`` that may be shown to a remote server::

    ActivityPubError
    ├── ParseError              untrusted JSON is not a document we understand
    │   └── InvalidIdError      an id is not an absolute http(s) URL, or is on a foreign origin
    ├── SignatureError          an HTTP signature is missing, malformed or does not verify
    │   ├── DigestMismatchError the body does not match Digest / Content-Digest
    │   ├── ExpiredSignatureError  the signature's Date / created / expires is outside its window
    │   ├── MalformedSignatureError  the signature headers cannot be read, or name an
    │   │                           unsupported algorithm or a missing header
    │   ├── InsufficientCoverageError  a header or component that must be signed is not
    │   └── InvalidSignatureError  the signature does not verify with the key
    ├── KeyFormatError          a key could not be loaded or serialized
    ├── ProofError              an object integrity proof (FEP-8b32) is malformed or does not verify
    └── WebFingerError          a WebFinger resource or document is malformed
"""

from __future__ import annotations


class ActivityPubError(Exception):
    """Base of every error this package raises."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ParseError(ActivityPubError):
    """Untrusted JSON is not a document we understand."""


class InvalidIdError(ParseError):
    """An id is not an absolute http(s) URL, or lives on a foreign origin."""


class SignatureError(ActivityPubError):
    """An HTTP signature is missing, malformed or does not verify."""


class DigestMismatchError(SignatureError):
    """The body does not match its Digest or Content-Digest header."""


class ExpiredSignatureError(SignatureError):
    """The signature's time fields are outside the accepted window."""


class MalformedSignatureError(SignatureError):
    """The signature headers cannot be read, or name an unsupported algorithm or absent header."""


class InsufficientCoverageError(SignatureError):
    """A header or component that must be covered by the signature is not."""


class InvalidSignatureError(SignatureError):
    """The signature does not verify with the key."""


class KeyFormatError(ActivityPubError):
    """A key could not be loaded or serialized."""


class ProofError(ActivityPubError):
    """An object integrity proof is malformed or does not verify."""


class WebFingerError(ActivityPubError):
    """A WebFinger resource or document is malformed."""

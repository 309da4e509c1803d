"""Errors of talking to other servers::

    FederationError (502)
    ├── UnsafeAddressError (400)     a URL points at a private or otherwise refused address
    ├── PolicyRefusedError (403)     the federation policy refuses this domain
    ├── FetchError (502)             a remote document could not be fetched or is unusable
    │   ├── ResponseTooLargeError    the response body passed the size cap
    │   ├── WrongContentTypeError    the response is not ActivityStreams JSON (or JRD)
    │   └── OriginMismatchError      the fetched document's id is not where it came from
    ├── SendError (502)              a delivery POST failed at the connection
    ├── DeliveryError (502)          a peer refused or failed a delivery; it is retried
    ├── UnauthorizedError (401)      a request is unsigned or its signature does not verify
    ├── SignerMismatchError (403)    the signer is not the activity's actor
    └── InvalidActivityError (400)   an activity is malformed, or its object is on a foreign origin
        └── PayloadTooLargeError (413)  an inbox body passed its size cap

Each carries an HTTP status and a message safe to show.
"""

from __future__ import annotations

from fediverse.errors import KollegiumError


class FederationError(KollegiumError):
    status = 502


class UnsafeAddressError(FederationError):
    status = 400


class PolicyRefusedError(FederationError):
    status = 403


class FetchError(FederationError):
    status = 502


class ResponseTooLargeError(FetchError):
    pass


class WrongContentTypeError(FetchError):
    pass


class OriginMismatchError(FetchError):
    pass


class SendError(FederationError):
    """A delivery POST failed at the connection (refused, reset, timed out while reading)."""


class DeliveryError(FederationError):
    status = 502


class UnauthorizedError(FederationError):
    status = 401


class SignerMismatchError(FederationError):
    status = 403


class InvalidActivityError(FederationError):
    status = 400


class PayloadTooLargeError(InvalidActivityError):
    status = 413

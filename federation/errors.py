"""Errors of talking to other servers::

    FederationError
    ├── UnsafeAddressError     a URL points at a private, loopback or otherwise refused address
    └── PolicyRefusedError     the federation policy refuses this domain

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

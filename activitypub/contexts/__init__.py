"""The JSON-LD contexts we reference, bundled so that nothing is ever fetched."""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from typing import Any

ACTIVITYSTREAMS = "https://www.w3.org/ns/activitystreams"
SECURITY_V1 = "https://w3id.org/security/v1"
DATA_INTEGRITY_V1 = "https://w3id.org/security/data-integrity/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"

_FILES = {
    ACTIVITYSTREAMS: "activitystreams.json",
    SECURITY_V1: "security-v1.json",
    DATA_INTEGRITY_V1: "data-integrity-v1.json",
    MULTIKEY_V1: "multikey-v1.json",
}


def _normalize(url: str) -> str:
    # Documents name the same context with http:, a trailing slash or a .jsonld suffix.
    url = url.strip()
    if url.startswith("http://"):
        url = "https://" + url[7:]
    return url.removesuffix(".jsonld").rstrip("/")


def known_context_urls() -> frozenset[str]:
    """The context URLs this package bundles."""
    return frozenset(_FILES)


@cache
def _load(filename: str) -> dict[str, Any]:
    text = resources.files(__package__).joinpath(filename).read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def load_context(url: str) -> dict[str, Any] | None:
    """The bundled context document for ``url`` (a fresh copy), or None if we do not bundle it."""
    filename = _FILES.get(_normalize(url))
    if filename is None:
        return None
    return copy.deepcopy(_load(filename))

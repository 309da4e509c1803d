"""NodeInfo: the ``/.well-known/nodeinfo`` links and the 2.0 / 2.1 documents, built and parsed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from activitypub.errors import ParseError
from activitypub.vocab.fields import RawObject, is_url

SCHEMA_BASE = "http://nodeinfo.diaspora.software/ns/schema/"
VERSIONS = ("2.1", "2.0")


@dataclass(frozen=True, slots=True)
class Usage:
    """The usage counts a NodeInfo document reports."""

    users_total: int | None = None
    users_active_month: int | None = None
    users_active_halfyear: int | None = None
    local_posts: int | None = None


@dataclass(frozen=True, slots=True)
class NodeInfo:
    """What a peer says about itself in NodeInfo."""

    version: str
    software_name: str
    software_version: str
    protocols: tuple[str, ...]
    open_registrations: bool
    usage: Usage = field(default_factory=Usage)
    metadata: Mapping[str, Any] = field(default_factory=dict)


def build_nodeinfo_links(base_url: str) -> RawObject:
    """The ``/.well-known/nodeinfo`` document, pointing at our 2.0 and 2.1 documents."""
    base = base_url.rstrip("/")
    return {
        "links": [
            {"rel": SCHEMA_BASE + version, "href": f"{base}/nodeinfo/{version}"}
            for version in reversed(VERSIONS)
        ]
    }


def build_nodeinfo(
    version: str,
    *,
    software_name: str,
    software_version: str,
    open_registrations: bool,
    usage: Usage,
    metadata: Mapping[str, Any] | None = None,
    repository: str | None = None,
    homepage: str | None = None,
) -> RawObject:
    """A NodeInfo 2.0 or 2.1 document (2.1 adds the software's repository and homepage)."""
    if version not in VERSIONS:
        raise ValueError(f"unsupported NodeInfo version {version}")
    software: dict[str, Any] = {"name": software_name, "version": software_version}
    if version == "2.1":
        software.update(
            {k: v for k, v in (("repository", repository), ("homepage", homepage)) if v}
        )
    users = {
        "total": usage.users_total or 0,
        "activeMonth": usage.users_active_month or 0,
        "activeHalfyear": usage.users_active_halfyear or 0,
    }
    return {
        "version": version,
        "software": software,
        "protocols": ["activitypub"],
        "services": {"outbound": [], "inbound": []},
        "usage": {"users": users, "localPosts": usage.local_posts or 0},
        "openRegistrations": open_registrations,
        "metadata": dict(metadata or {}),
    }


def nodeinfo_url_from_links(raw: object) -> str | None:
    """The URL of the newest NodeInfo version we read (2.1, then 2.0) in a links document."""
    links = raw.get("links") if isinstance(raw, dict) else None
    if not isinstance(links, list):
        raise ParseError("the NodeInfo links document has no links")
    found = {
        link.get("rel"): link.get("href")
        for link in links
        if isinstance(link, dict) and isinstance(link.get("rel"), str) and is_url(link.get("href"))
    }
    for version in VERSIONS:
        href = found.get(SCHEMA_BASE + version)
        if isinstance(href, str):
            return href
    return None


def _count(raw: object, key: str) -> int | None:
    value = raw.get(key) if isinstance(raw, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _usage(raw: object) -> Usage:
    users = raw.get("users") if isinstance(raw, dict) else None
    return Usage(
        users_total=_count(users, "total"),
        users_active_month=_count(users, "activeMonth"),
        users_active_halfyear=_count(users, "activeHalfyear"),
        local_posts=_count(raw, "localPosts"),
    )


def parse_nodeinfo(raw: object) -> NodeInfo:
    """Read a peer's NodeInfo (any 1.x or 2.x); software name and version are required."""
    if not isinstance(raw, dict) or not isinstance(raw.get("software"), dict):
        raise ParseError("the NodeInfo document has no software")
    software = raw["software"]
    name, version = software.get("name"), software.get("version")
    if not isinstance(name, str) or not name:
        raise ParseError("the NodeInfo document names no software")
    protocols = raw.get("protocols")
    metadata = raw.get("metadata")
    return NodeInfo(
        version=str(raw.get("version", "")),
        software_name=name.lower(),
        software_version=version if isinstance(version, str) else "",
        protocols=tuple(p for p in protocols if isinstance(p, str))
        if isinstance(protocols, list)
        else (),
        open_registrations=raw.get("openRegistrations") is True,
        usage=_usage(raw.get("usage")),
        metadata=metadata if isinstance(metadata, dict) else {},
    )

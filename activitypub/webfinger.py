"""WebFinger: ``acct:`` URIs, JRD documents (build and parse) and the host-meta XRD."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import quoteattr

from activitypub.errors import WebFingerError
from activitypub.vocab.fields import RawObject, is_url

PROFILE_PAGE_REL = "http://webfinger.net/rel/profile-page"
SUBSCRIBE_REL = "http://ostatus.org/schema/1.0/subscribe"
ACTIVITY_JSON = "application/activity+json"
LD_JSON_PROFILE = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'

_USERNAME = re.compile(r"[\w.~-]+", re.ASCII)
# A DNS name or IPv4 address, with an optional port (our tests run on 127.0.0.1:8001).
_DOMAIN = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9-]+(?::\d{1,5})?")


@dataclass(frozen=True, slots=True)
class Acct:
    """``user@domain``; ``domain`` is lowercase and may include a port."""

    username: str
    domain: str

    def __str__(self) -> str:
        return f"acct:{self.username}@{self.domain}"


@dataclass(frozen=True, slots=True)
class WebFingerResult:
    """What we need from a peer's JRD: the actor's id, and its names and profile page."""

    subject: str
    actor_url: str
    aliases: tuple[str, ...] = ()
    profile_page: str | None = None


def parse_acct(resource: str) -> Acct:
    """Parse ``acct:user@domain``, ``user@domain`` or ``@user@domain``."""
    text = resource.strip()
    text = text.removeprefix("acct:").removeprefix("@")
    username, separator, domain = text.rpartition("@")
    domain = domain.lower()
    if not separator or not _USERNAME.fullmatch(username) or not _DOMAIN.fullmatch(domain):
        raise WebFingerError("resource is not an acct: URI of the form user@domain")
    return Acct(username, domain)


def parse_resource(resource: str) -> Acct | str:
    """A WebFinger ``resource`` query: an acct URI, or an http(s) URL of an actor."""
    if resource.startswith(("http://", "https://")):
        if not is_url(resource):
            raise WebFingerError("resource is not a valid URL")
        return resource
    return parse_acct(resource)


def build_jrd(
    acct: Acct, actor_url: str, profile_url: str, subscribe_url: str | None = None
) -> RawObject:
    """The JRD Mastodon serves for one of its accounts."""
    links: list[dict[str, Any]] = [
        {"rel": PROFILE_PAGE_REL, "type": "text/html", "href": profile_url},
        {"rel": "self", "type": ACTIVITY_JSON, "href": actor_url},
    ]
    if subscribe_url is not None:
        links.append({"rel": SUBSCRIBE_REL, "template": subscribe_url + "?uri={uri}"})
    return {"subject": str(acct), "aliases": [profile_url, actor_url], "links": links}


def _self_link(links: list[Any]) -> str | None:
    """The ``self`` link whose type is ActivityStreams JSON (either media type spelling)."""
    for link in links:
        if not isinstance(link, dict) or link.get("rel") != "self":
            continue
        media_type = str(link.get("type", "")).replace(" ", "")
        if media_type in (ACTIVITY_JSON, LD_JSON_PROFILE.replace(" ", "")) and is_url(
            link.get("href")
        ):
            return str(link["href"])
    return None


def _profile_page(links: list[Any]) -> str | None:
    for link in links:
        if isinstance(link, dict) and link.get("rel") == PROFILE_PAGE_REL:
            href = link.get("href")
            if is_url(href):
                return href
    return None


def parse_jrd(raw: object) -> WebFingerResult:
    """Read a peer's JRD; it must name a subject and link to an ActivityPub actor."""
    if not isinstance(raw, dict):
        raise WebFingerError("the WebFinger document is not a JSON object")
    subject, links = raw.get("subject"), raw.get("links")
    if not isinstance(subject, str) or not isinstance(links, list):
        raise WebFingerError("the WebFinger document lacks a subject or links")
    actor_url = _self_link(links)
    if actor_url is None:
        raise WebFingerError("the WebFinger document links to no ActivityPub actor")
    aliases = raw.get("aliases")
    alias_list = aliases if isinstance(aliases, list) else []
    return WebFingerResult(
        subject=subject,
        actor_url=actor_url,
        aliases=tuple(alias for alias in alias_list if isinstance(alias, str)),
        profile_page=_profile_page(links),
    )


def build_host_meta(base_url: str) -> str:
    """The ``/.well-known/host-meta`` XRD pointing at our WebFinger endpoint."""
    template = quoteattr(f"{base_url.rstrip('/')}/.well-known/webfinger?resource={{uri}}")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n'
        f'  <Link rel="lrdd" template={template}/>\n'
        "</XRD>\n"
    )

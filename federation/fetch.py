"""Fetching documents from other servers: signed by the instance actor, policy-checked,
redirects bounded and each hop checked, bodies capped, and the document's id checked
against where it came from.
"""

from __future__ import annotations

from urllib.parse import urlencode, urljoin

import httpx
import orjson

from activitypub.vocab import RawObject
from activitypub.vocab.fields import origin_of
from federation.errors import FetchError, OriginMismatchError
from federation.http import (
    ACCEPT_ACTIVITY,
    ACTIVITY_TYPES,
    JRD_TYPES,
    MAX_REDIRECTS,
    check_content_type,
    read_capped,
)
from federation.policy import Policy
from federation.signing import KeyRing, SchemeMemory, SignatureAuth

REDIRECTS = frozenset({301, 302, 303, 307, 308})


class Fetcher:
    """GETs of remote JSON for federation/: actors, keys, posts, WebFinger."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        keys: KeyRing,
        memory: SchemeMemory,
        policy: Policy,
        domain: str,
        scheme: str = "https",
    ) -> None:
        self.http = http
        self.keys = keys
        self.memory = memory
        self.policy = policy
        self.domain = domain
        self.scheme = scheme

    async def get_json(
        self, url: str, *, accept: str = ACCEPT_ACTIVITY, types: tuple[str, ...] = ACTIVITY_TYPES
    ) -> tuple[str, RawObject]:
        """The JSON object at ``url`` and the URL it was finally served from."""
        auth = SignatureAuth(await self.keys.instance_actor(self.domain), self.memory)
        for _ in range(MAX_REDIRECTS + 1):
            await self.policy.check_url(url)
            request = self.http.build_request("GET", url, headers={"Accept": accept})
            try:
                response = await self.http.send(request, auth=auth, stream=True)
            except httpx.HTTPError as exc:
                raise FetchError(f"cannot fetch {url}: {type(exc).__name__}") from exc
            try:
                if response.status_code in REDIRECTS and "location" in response.headers:
                    url = urljoin(url, response.headers["location"])
                    continue
                return url, await self._document(url, response, types)
            finally:
                await response.aclose()
        raise FetchError(f"too many redirects fetching {url}")

    async def _document(
        self, url: str, response: httpx.Response, types: tuple[str, ...]
    ) -> RawObject:
        if response.status_code != 200:
            raise FetchError(f"{url} answered {response.status_code}")
        check_content_type(response, types)
        try:
            document = orjson.loads(await read_capped(response))
        except orjson.JSONDecodeError as exc:
            raise FetchError(f"{url} did not answer JSON") from exc
        if not isinstance(document, dict):
            raise FetchError(f"{url} did not answer a JSON object")
        return document

    async def fetch_object(self, url: str) -> RawObject:
        """An ActivityStreams object whose ``id`` lives where it was served from.

        A document served under another URL than its id is fetched again by its id, once,
        so a server cannot vouch for objects on another origin.
        """
        final_url, document = await self.get_json(url)
        object_id = document.get("id")
        if not isinstance(object_id, str) or origin_of(object_id) is None:
            raise FetchError(f"{url} has no id")
        if object_id in (final_url, url):
            return document
        if origin_of(object_id) != origin_of(final_url):
            raise OriginMismatchError(f"{url} holds an object of another origin")
        again_url, again = await self.get_json(object_id)
        if again.get("id") != object_id or origin_of(again_url) != origin_of(object_id):
            raise OriginMismatchError(f"{object_id} is not served at its id")
        return again

    async def webfinger(self, domain: str, resource: str) -> RawObject:
        query = urlencode({"resource": resource})
        url = f"{self.scheme}://{domain}/.well-known/webfinger?{query}"
        return (await self.get_json(url, accept="application/jrd+json", types=JRD_TYPES))[1]

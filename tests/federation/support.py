"""A federation test bench that never leaves the process.

``Bench`` is one Kollegium instance (the ActivityPub routes on an ASGI transport, the job
registry, a worker that runs one cycle at a time) whose HTTP client talks to ``Remote``:
remote servers made of recorded real documents, each actor's key swapped for a test key
so the tests can sign as it. Any request to a URL nobody serves fails the test.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from starlette.applications import Starlette

from activitypub.keys import generate_rsa_private_key, public_key_to_pem
from activitypub.signatures import Scheme, sign_request
from federation.http import build_client
from federation.jobs import build_registry
from fediverse.accounts import NewUser, create_user, ensure_instance_actor
from fediverse.jobs import JobQueue, Worker
from fediverse.runtime import Runtime
from fediverse.settings import Settings
from fediverse.storage.database import Store
from web.activitypub import activitypub_routes
from web.activitypub.common import federation_of
from web.errors import EXCEPTION_HANDLERS

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "remote"
_KEY = generate_rsa_private_key()  # one test key for every remote actor: generation is slow
ACTIVITY_JSON = "application/activity+json"


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())


def rewrite(document: Any, replacements: dict[str, str]) -> Any:
    """A recorded document with some URLs swapped (its actor, its object, our account)."""
    text = json.dumps(document)
    for old, new in replacements.items():
        text = text.replace(old, new)
    return json.loads(text)


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@dataclass
class RemoteActor:
    """A remote actor from a recorded actor document, signing with the test key."""

    uri: str
    document: dict[str, Any]
    key_id: str

    def sign(self, url: str, body: bytes, *, scheme: Scheme = Scheme.CAVAGE) -> dict[str, str]:
        return sign_request(
            scheme=scheme,
            method="POST",
            url=url,
            headers={"Content-Type": ACTIVITY_JSON},
            body=body,
            key=_KEY,
            key_id=self.key_id,
            now=time.time(),
        )


def remote_actor(template: str, uri: str, *, key: Any = None) -> RemoteActor:
    """Actor ``uri`` shaped like the recorded ``template`` (e.g. ``mastodon/actor.json``)."""
    recorded = fixture(template)
    old = recorded["id"]
    document = rewrite(recorded, {old: uri, origin(old): origin(uri)})
    pem = public_key_to_pem((key or _KEY).public_key())
    document["publicKey"] = {"id": f"{uri}#main-key", "owner": uri, "publicKeyPem": pem}
    return RemoteActor(uri, document, f"{uri}#main-key")


@dataclass
class Remote:
    """Every remote server at once: documents by URL, and what was POSTed to whom."""

    documents: dict[str, Any] = field(default_factory=dict)
    posted: list[tuple[str, dict[str, Any], httpx.Headers]] = field(default_factory=list)
    inbox_status: int = 202
    unexpected: list[str] = field(default_factory=list)

    def add(self, document: dict[str, Any]) -> None:
        self.documents[document["id"].split("#")[0]] = document

    def add_actor(self, actor: RemoteActor) -> RemoteActor:
        self.add(actor.document)
        return actor

    def handle(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        if request.method == "POST":
            self.posted.append((url, json.loads(request.content), request.headers))
            return httpx.Response(self.inbox_status)
        document = self.documents.get(url.split("#")[0])
        if document is None:
            self.unexpected.append(url)
            return httpx.Response(404, json={"error": "not found"})
        return httpx.Response(200, json=document, headers={"Content-Type": ACTIVITY_JSON})

    def posted_types(self) -> list[str]:
        return [body["type"] for _url, body, _headers in self.posted]


class Bench:
    """One instance under test, its remote world, and a worker run one cycle at a time."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self.remote = Remote()
        self.runtime = Runtime(settings, store, JobQueue(store))
        self.http = build_client(settings, transport=httpx.MockTransport(self.remote.handle))
        self.app = Starlette(routes=activitypub_routes(), exception_handlers=EXCEPTION_HANDLERS)  # type: ignore[arg-type]
        self.app.state.runtime = self.runtime
        self.app.state.http = self.http
        self.worker = Worker(
            self.runtime.queue, build_registry(self.runtime, self.http, aiohttp_deliveries=False)
        )
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url=settings.base_url
        )

    @property
    def base_url(self) -> str:
        return self.settings.base_url

    @property
    def federation(self) -> Any:
        request = type("R", (), {"app": self.app})()
        return federation_of(request)  # type: ignore[arg-type]

    async def start(self) -> None:
        await ensure_instance_actor(self.store, self.settings.domain, self.base_url)

    async def user(self, name: str, **extra: Any) -> int:
        created = await create_user(
            self.store, self.base_url, NewUser(name, f"{name}@example.com", None, **extra)
        )
        return created.account_id

    def actor_uri(self, name: str) -> str:
        return f"{self.base_url}/users/{name}"

    async def post_inbox(
        self,
        actor: RemoteActor,
        activity: dict[str, Any],
        *,
        path: str = "/inbox",
        scheme: Scheme = Scheme.CAVAGE,
        body: bytes | None = None,
    ) -> httpx.Response:
        raw = body if body is not None else json.dumps(activity).encode()
        headers = actor.sign(self.base_url + path, raw, scheme=scheme)
        return await self.client.post(path, content=raw, headers=headers)

    async def run_jobs(self, cycles: int = 5) -> None:
        """Run the worker until the queue is empty (bounded)."""
        for _ in range(cycles):
            if await self.worker.run_once() == 0:
                return

    async def close(self) -> None:
        await self.client.aclose()
        await self.http.aclose()

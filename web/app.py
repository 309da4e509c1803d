"""The ASGI application: ``create_app(settings)`` wires the layers together."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Route

from federation.http import build_client
from federation.jobs import build_registry
from fediverse.feeds import FeedFiller
from fediverse.jobs import JobRegistry, Worker
from fediverse.runtime import Runtime, open_runtime
from fediverse.settings import Settings
from fediverse.tasks import FEEDS_TRIM, start_feed_trimming
from web.activitypub import activitypub_routes
from web.errors import EXCEPTION_HANDLERS
from web.health import healthz
from web.mastodon import mastodon_routes
from web.metrics import MetricsMiddleware, RequestMetrics, metrics
from web.middleware import BodySizeLimitMiddleware, RequestIdMiddleware
from web.streaming import streaming_routes
from web.ui import ui_routes

WORKER_STOP_SECONDS = 30.0
RegistryFactory = Callable[[Runtime, httpx.AsyncClient], JobRegistry]


def default_registry(runtime: Runtime, http: httpx.AsyncClient) -> JobRegistry:
    """The job handlers of this version: federation's fan-out, delivery and inbox, and the
    domain's own; push titles from the web app's catalogues."""
    from web.push_titles import push_title

    return build_registry(runtime, http, push_titler=push_title)


def routes() -> list[BaseRoute]:
    return [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
        *activitypub_routes(),
        *mastodon_routes(),
        *streaming_routes(),
        *ui_routes(),
    ]


def create_app(
    settings: Settings,
    *,
    run_worker: bool = True,
    registry_factory: RegistryFactory = default_registry,
) -> Starlette:
    """The web application; with ``run_worker`` it also runs one job worker in-process."""
    request_metrics = RequestMetrics()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with open_runtime(settings, events=True) as runtime, build_client(settings) as http:
            app.state.runtime = runtime
            app.state.http = http
            app.state.metrics = request_metrics
            async with _worker(runtime, registry_factory(runtime, http), enabled=run_worker):
                yield

    return Starlette(
        routes=routes(),
        middleware=[
            Middleware(MetricsMiddleware, metrics=request_metrics),
            Middleware(RequestIdMiddleware),
            Middleware(BodySizeLimitMiddleware, max_bytes=settings.max_request_bytes),
        ],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        lifespan=lifespan,
    )


@contextlib.asynccontextmanager
async def _worker(runtime: Runtime, registry: JobRegistry, *, enabled: bool) -> AsyncIterator[None]:
    if not enabled:
        yield
        return
    if FEEDS_TRIM in registry.names():
        await start_feed_trimming(runtime.store)
    stop = asyncio.Event()
    task = asyncio.create_task(Worker(runtime.queue, registry).run(stop))
    filler = FeedFiller(runtime.store)
    filling = asyncio.create_task(filler.run(stop))
    try:
        yield
    finally:
        stop.set()
        runtime.queue.notify()
        filler.wake()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(filling, WORKER_STOP_SECONDS)
        # The batch in hand finishes; a stuck handler is cut off and its job, still
        # leased, runs again elsewhere once the lease runs out.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(task, WORKER_STOP_SECONDS)
        await registry.close()

"""``GET /metrics`` for Prometheus, and the middleware that counts requests.

Requests and latencies are counted in the process that served them, by route template
(``/api/v1/statuses/{id}``, never the raw path, so the number of series stays bounded);
scrape each web process on its own port. Queue depth and age, deliveries by outcome and
failing instances are read from the database at scrape time, so every process gives the
same, correct answer without keeping anything in memory.

Only loopback clients may read the page, or any client presenting
``Authorization: Bearer <KOLLEGIUM_METRICS_TOKEN>`` when that setting is set.
"""

from __future__ import annotations

import ipaddress
import secrets
import time
from collections.abc import Callable, Iterable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4, generate_latest
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fediverse.feeds import pending_stats
from fediverse.ops.stats import failing_instances, queue_stats, unavailable_count
from web.responses import error_response

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
UNMATCHED = "unmatched"  # 404s keep their own series instead of one per probed path


class RequestMetrics:
    """The per-process request counters of one application."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        self.requests = Counter(
            "kollegium_http_requests",
            "HTTP requests answered, by method, route template and status",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "kollegium_http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template",
            ("method", "route"),
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self._templates: dict[Any, str] | None = None
        self._observers: dict[tuple[str, str, int], Callable[[float], None]] = {}

    def observe(self, scope: Scope, status: int, seconds: float) -> None:
        key = (scope["method"], self.template(scope), status)
        observer = self._observers.get(key)
        if observer is None:
            observer = self._observer(*key)
            self._observers[key] = observer
        observer(seconds)

    def _observer(self, method: str, route: str, status: int) -> Callable[[float], None]:
        # The labelled children are looked up once per series, not once per request.
        count = self.requests.labels(method, route, str(status)).inc
        histogram = self.latency.labels(method, route).observe

        def observe(seconds: float) -> None:
            count()
            histogram(seconds)

        return observe

    def template(self, scope: Scope) -> str:
        endpoint = scope.get("endpoint")
        if endpoint is None:
            return UNMATCHED
        if self._templates is None:
            self._templates = route_templates(scope["app"].routes)
        return self._templates.get(endpoint) or _from_path(scope)


def route_templates(routes: Iterable[Any]) -> dict[Any, str]:
    """Each endpoint's path template; the first route of an endpoint names it."""
    found: dict[Any, str] = {}
    for route in routes:
        if isinstance(route, Route):
            found.setdefault(route.endpoint, route.path)
    return found


def _from_path(scope: Scope) -> str:
    parts = scope["path"].split("/")
    values = {str(v): f"{{{k}}}" for k, v in scope.get("path_params", {}).items()}
    return "/".join(values.get(part, part) for part in parts)


class MetricsMiddleware:
    """Counts every HTTP request by route template and status, and times it."""

    def __init__(self, app: ASGIApp, metrics: RequestMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            self.metrics.observe(scope, status, time.perf_counter() - started)


async def metrics(request: Request) -> Response:
    """The Prometheus text exposition: this process's requests, then the database's facts."""
    if not may_read(request):
        return error_response(403, "Metrics are served to loopback or with the metrics token")
    store = request.app.state.runtime.store
    families = await database_families(store)
    body = generate_latest(request.app.state.metrics.registry) + _render(families)
    return Response(body, media_type=CONTENT_TYPE_PLAIN_0_0_4)


def may_read(request: Request) -> bool:
    token = request.app.state.runtime.settings.metrics_token
    offered = request.headers.get("authorization", "")
    if token and secrets.compare_digest(offered.encode(), f"Bearer {token}".encode()):
        return True
    forwarded = [a.strip() for a in request.headers.get("x-forwarded-for", "").split(",")]
    client = request.client.host if request.client else ""
    return _is_loopback(client) and all(_is_loopback(a) for a in forwarded if a)


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


async def database_families(store: Any) -> list[Metric]:
    jobs = GaugeMetricFamily(
        "kollegium_jobs", "Jobs in the queue by name and state", labels=("name", "state")
    )
    oldest = GaugeMetricFamily(
        "kollegium_job_oldest_due_seconds",
        "Age of the oldest job that is due and waits",
        labels=("name",),
    )
    deliveries = GaugeMetricFamily(
        "kollegium_deliveries",
        "Deliveries to other servers not yet done, by outcome so far",
        labels=("outcome",),
    )
    for s in await queue_stats(store):
        for state, value in (
            ("queued", s.queued),
            ("running", s.running),
            ("retrying", s.retrying),
            ("failed", s.failed),
        ):
            jobs.add_metric((s.name, state), value)
        oldest.add_metric((s.name,), s.oldest_due_seconds)
        if s.name == "deliver":
            for outcome, value in (
                ("pending", s.queued - s.retrying),
                ("retrying", s.retrying),
                ("running", s.running),
                ("failed", s.failed),
            ):
                deliveries.add_metric((outcome,), value)
    pending = await pending_stats(store)
    feeds = [
        GaugeMetricFamily(
            "kollegium_feed_pending_posts",
            "Posts whose followers' home feeds are not filled yet",
            value=pending.posts,
        ),
        GaugeMetricFamily(
            "kollegium_feed_pending_oldest_seconds",
            "How long the oldest of them has waited",
            value=pending.oldest_seconds,
        ),
    ]
    return [jobs, oldest, deliveries, *feeds, *await _instance_families(store)]


async def _instance_families(store: Any) -> list[Metric]:
    failing = await failing_instances(store)
    per_domain = GaugeMetricFamily(
        "kollegium_instance_delivery_failures",
        "Deliveries in a row that failed, per failing instance",
        labels=("domain",),
    )
    for peer in failing:
        per_domain.add_metric((peer.domain,), peer.failure_count)
    return [
        GaugeMetricFamily(
            "kollegium_instances_failing",
            "Instances whose last delivery failed",
            value=len(failing),
        ),
        GaugeMetricFamily(
            "kollegium_instances_unavailable",
            "Instances marked unavailable after failing for long",
            value=await unavailable_count(store),
        ),
        per_domain,
    ]


def _render(families: list[Metric]) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Fixed(families))
    return generate_latest(registry)


class _Fixed:
    """A collector that yields metric families gathered beforehand (the reads are async)."""

    def __init__(self, families: list[Metric]) -> None:
        self._families = families

    def collect(self) -> Iterable[Metric]:
        return iter(self._families)

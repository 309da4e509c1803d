"""`/metrics`: Prometheus text with requests by route template, the queue and the peers."""

from __future__ import annotations

from dataclasses import replace

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.ops.conftest import Populated
from tests.ops.support import served
from tests.support.processes import free_port


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_metrics__counts_requests_by_route_template_and_reads_the_queue(
    populated: Populated,
) -> None:
    with httpx.Client(base_url=populated.base_url) as client:
        first = populated.made["status_ids"][0]
        one_status = client.get(f"/api/v1/statuses/{first}", headers=populated.made["bosse"])
        assert one_status.status_code == 200
        assert client.get("/no/such/page/12345").status_code == 404
        response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    found = samples(response.text)
    posted = ("method", "POST"), ("route", "/api/v1/statuses"), ("status", "200")
    assert found["kollegium_http_requests_total", posted] == 30
    one = ("method", "GET"), ("route", "/api/v1/statuses/{id}"), ("status", "200")
    assert found["kollegium_http_requests_total", one] >= 1
    missing = ("method", "GET"), ("route", "unmatched"), ("status", "404")
    assert found["kollegium_http_requests_total", missing] >= 1
    timed = ("le", "+Inf"), ("method", "POST"), ("route", "/api/v1/statuses")
    assert found["kollegium_http_request_duration_seconds_bucket", timed] == 30
    assert 0 <= found["kollegium_feed_pending_posts", ()] <= 30
    assert found["kollegium_feed_pending_oldest_seconds", ()] >= 0
    assert found["kollegium_instances_failing", ()] == 0
    assert found["kollegium_instances_unavailable", ()] == 0
    assert found["process_resident_memory_bytes", ()] > 0
    assert not any("12345" in str(labels) for _name, labels in found)


def test_metrics__refused_to_a_client_behind_the_proxy(populated: Populated) -> None:
    with httpx.Client(base_url=populated.base_url) as client:
        response = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert response.status_code == 403
    assert response.json() == {"error": "Metrics are served to loopback or with the metrics token"}


def test_metrics__a_bearer_token_opens_them_to_other_hosts(populated: Populated) -> None:
    token = "m" * 40
    beside = replace(populated.instance, domain=f"127.0.0.1:{free_port()}")  # its own port
    with served(beside, KOLLEGIUM_METRICS_TOKEN=token) as base_url:
        behind_proxy = {"X-Forwarded-For": "203.0.113.9"}
        with httpx.Client(base_url=base_url) as client:
            allowed = client.get("/metrics", headers=behind_proxy | {
                "Authorization": f"Bearer {token}"})  # fmt: skip
            wrong = client.get("/metrics", headers=behind_proxy | {
                "Authorization": "Bearer " + "x" * 40})  # fmt: skip
    assert allowed.status_code == 200 and "kollegium_jobs" in allowed.text
    assert wrong.status_code == 403

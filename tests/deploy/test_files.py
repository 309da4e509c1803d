"""The files in deploy/ agree with the code: every setting explained, sizes that match."""

from __future__ import annotations

import re
from pathlib import Path

from fediverse.settings import Settings, setting_names

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def test_env_example__lists_every_setting() -> None:
    text = (DEPLOY / "kollegium.env.example").read_text()
    missing = [name for name in setting_names() if not re.search(rf"^#?{name}=", text, re.M)]
    assert missing == []


def test_nginx__body_limit_equals_the_applications_default() -> None:
    site = (DEPLOY / "nginx" / "kollegium.conf").read_text()
    [size] = re.findall(r"client_max_body_size (\d+)m;", site)
    assert int(size) * 1024 * 1024 == Settings.__dataclass_fields__["max_request_bytes"].default


def test_units__web_processes_leave_jobs_to_the_workers_and_stop_on_sigterm() -> None:
    web = (DEPLOY / "systemd" / "kollegium-web@.service").read_text()
    worker = (DEPLOY / "systemd" / "kollegium-worker@.service").read_text()
    assert "serve --host 127.0.0.1 --port %i --no-worker" in web
    assert "kollegium worker" in worker
    for unit in (web, worker):
        assert "KillSignal=SIGTERM" in unit
        assert "EnvironmentFile=/etc/kollegium/kollegium.env" in unit

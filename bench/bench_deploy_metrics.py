"""What the /metrics middleware costs on the hot path: one `kollegium serve`-like process
with and without it, `GET /healthz` under wrk.

    .venv/bin/python bench/bench_deploy_metrics.py

Target (issue 9): the middleware must not halve throughput.
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.processes import KOLLEGIUM, free_port, wait_healthy  # noqa: E402


def serve(with_metrics: bool, port: int) -> None:
    """Run the application as `kollegium serve --no-worker` does, optionally without metrics."""
    import uvicorn

    from fediverse.settings import load_settings
    from web.app import create_app
    from web.metrics import MetricsMiddleware

    app = create_app(load_settings(os.environ), run_worker=False)
    if not with_metrics:
        app.user_middleware = [m for m in app.user_middleware if m.cls is not MetricsMiddleware]
    uvicorn.run(app, host="127.0.0.1", port=port, loop="uvloop", http="httptools",
                access_log=False, log_level="warning")  # fmt: skip


def measure(with_metrics: bool, env: dict[str, str], work: Path, seconds: int) -> float:
    port = free_port()
    mode = "with" if with_metrics else "without"
    process = subprocess.Popen([sys.executable, __file__, "--serve", mode, str(port)],
                               env=env, cwd=work)  # fmt: skip
    try:
        wait_healthy(f"http://127.0.0.1:{port}", process, 30)
        url = f"http://127.0.0.1:{port}/healthz"
        subprocess.run(["wrk", "-t1", "-c10", "-d2s", url], capture_output=True, check=True)
        done = subprocess.run(["wrk", "-t1", "-c10", f"-d{seconds}s", url],
                              capture_output=True, text=True, check=True)  # fmt: skip
        found = re.search(r"Requests/sec:\s+([\d.]+)", done.stdout)
        assert found, done.stdout
        return float(found.group(1))
    finally:
        process.terminate()
        process.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", nargs=2, metavar=("MODE", "PORT"), help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve[0] == "with", int(args.serve[1]))
        return
    work = Path(tempfile.mkdtemp(prefix="kollegium-bench-metrics-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOLLEGIUM_")} | {
        "KOLLEGIUM_DOMAIN": "127.0.0.1:8000",
        "KOLLEGIUM_SECRET_KEY": secrets.token_hex(32),
        "KOLLEGIUM_DEV_INSECURE": "1",
        "KOLLEGIUM_DATABASE_URL": f"sqlite:///{work / 'k.db'}",
        "KOLLEGIUM_LOG_LEVEL": "warning",
        "PYTHONPATH": str(ROOT),
    }
    subprocess.run([KOLLEGIUM, "init"], env=env, cwd=work, check=True, capture_output=True)
    without = measure(False, env, work, args.seconds)
    with_metrics = measure(True, env, work, args.seconds)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"GET /healthz, one process, SQLite, {os.cpu_count()} cores, {stamp}: "
          f"without metrics {without:.0f} req/s, with {with_metrics:.0f} req/s, "
          f"{with_metrics / without:.0%} kept (target: more than 50%)")  # fmt: skip


if __name__ == "__main__":
    main()

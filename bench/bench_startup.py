"""`kollegium serve`: time from process start to the first 200 on /healthz, and its memory.

Run: .venv/bin/python bench/bench_startup.py
Targets (issue 2): first 200 within 1.5 s; a fresh server's resident memory at most 80 MB.
"""

from __future__ import annotations

import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil

RUNS = 5
KOLLEGIUM = str(Path(sys.executable).with_name("kollegium"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(home: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOLLEGIUM_")}
    env.update(
        KOLLEGIUM_DOMAIN="127.0.0.1:8000",
        KOLLEGIUM_SECRET_KEY=secrets.token_hex(32),
        KOLLEGIUM_DEV_INSECURE="1",
        KOLLEGIUM_DATABASE_URL=f"sqlite:///{home}/kollegium.db",
        KOLLEGIUM_LOG_LEVEL="warning",
    )
    return env


def one_start(env: dict[str, str], home: str) -> tuple[float, float]:
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen(
        [KOLLEGIUM, "serve", "--port", str(port)],
        env=env,
        cwd=home,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while time.perf_counter() - started < 10:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.005)
        elapsed = time.perf_counter() - started
        time.sleep(0.5)  # let the in-process worker settle before reading memory
        rss = psutil.Process(process.pid).memory_info().rss / 2**20
    finally:
        process.terminate()
        process.wait(timeout=10)
    return elapsed, rss


def main() -> None:
    with tempfile.TemporaryDirectory() as home:
        env = environment(home)
        subprocess.run([KOLLEGIUM, "init"], env=env, cwd=home, check=True, capture_output=True)
        results = [one_start(env, home) for _ in range(RUNS)]
    times = [t for t, _ in results]
    memory = [m for _, m in results]
    print(
        f"serve start to first 200 on /healthz: median {statistics.median(times):.3f} s, worst {max(times):.3f} s over {RUNS} starts (target 1.5 s)"
    )
    print(
        f"fresh server resident memory: median {statistics.median(memory):.1f} MB, worst {max(memory):.1f} MB (target 80 MB)"
    )


if __name__ == "__main__":
    main()

"""The test harness's own guard: a server that could not bind its port is never taken for
healthy because another process answers there."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.support.processes import free_port, wait_healthy

HEALTHY = """
import http.server, sys
class Ok(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b"{}")
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Ok).serve_forever()
"""


@contextmanager
def started(*args: str) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen([sys.executable, "-c", *args])
    try:
        yield process
    finally:
        process.kill()
        process.wait()


def test_wait_healthy__refuses_an_answer_from_another_process_on_the_port() -> None:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with started(HEALTHY, str(port)) as first:
        assert wait_healthy(base_url, first, 10) >= 0
        with (
            started("import time; time.sleep(30)") as second,  # holds no port at all
            pytest.raises(RuntimeError, match="does not hold it"),
        ):
            wait_healthy(base_url, second, 10)

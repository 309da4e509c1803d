"""A loopback peer that takes deliveries: it answers 202 after a pause and counts each one."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.activities: Counter[str] = Counter()
        self._lock = threading.Lock()

    def record(self, body: bytes) -> None:
        activity = json.loads(body)
        with self._lock:
            self.activities[f"{activity['type']} {activity['object']['id']}"] += 1

    def created(self) -> Counter[str]:
        with self._lock:
            return Counter({k: v for k, v in self.activities.items() if k.startswith("Create ")})


@contextmanager
def receiving(host: str = "127.0.0.1", delay: float = 0.05) -> Iterator[tuple[Receiver, str]]:
    """A receiver on a free port; yields it with its origin (http://host:port)."""
    receiver = Receiver(delay)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            time.sleep(receiver.delay)  # keeps deliveries in flight while workers stop
            receiver.record(body)
            self.send_response(202)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer((host, 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver, f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

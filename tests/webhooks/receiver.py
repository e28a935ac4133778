"""A webhook receiver for the integration tests: a real HTTP server that
records every request (path, headers, body) as one JSON line in a log file,
and answers by path:

  /ok/...     204
  /gone/...   410 Gone
  /fail/...   500
  /flaky/...  500 the first time a path is hit, then 204
  /slow/...   waits 12 s (longer than devpulse's 10 s timeout), then 204

Usage: python3 receiver.py LOG_FILE; prints "READY <port>" once listening.
"""

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOG = sys.argv[1]
LOCK = threading.Lock()
SEEN = set()


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("content-length", "0"))
        body = self.rfile.read(length).decode("utf-8")
        record = {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
        with LOCK:
            with open(LOG, "a", encoding="utf-8") as f:
                f.write(json.dumps(record) + "\n")
            first = self.path not in SEEN
            SEEN.add(self.path)
        kind = self.path.strip("/").split("/")[0]
        if kind == "slow":
            time.sleep(12)
            status = 204
        elif kind == "gone":
            status = 410
        elif kind == "fail":
            status = 500
        elif kind == "flaky":
            status = 500 if first else 204
        else:
            status = 204
        try:
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print(f"READY {server.server_address[1]}", flush=True)
server.serve_forever()

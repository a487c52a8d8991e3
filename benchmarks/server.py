"""Serve the synthetic corpus over HTTP on 127.0.0.1 (run as its own process).

    python benchmarks/server.py --issues 10000 --seed 0 [--port 0]

Prints ``READY <port> <feeds>`` on stdout once every feed is built and the socket listens.
Each feed is RSS with content:encoded, an ETag and a Last-Modified header; a conditional
request that matches either answers 304 with no body. Responses are not compressed, so every
client pays the same parse cost. HTTP/1.1 keep-alive is supported.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import threading
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402

LAST_MODIFIED = format_datetime(corpus.NEWEST, usegmt=True)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Server

    def log_message(self, format, *args):  # noqa: A002
        pass

    def do_GET(self):  # noqa: N802
        self.server.count("requests")
        entry = self.server.feeds.get(self.path.split("?")[0])
        try:
            if entry is None:
                self._send(404, b"not found\n", {"Content-Type": "text/plain"})
                return
            body, etag = entry
            headers = {"ETag": etag, "Last-Modified": LAST_MODIFIED, "Content-Type": "application/rss+xml"}
            if self._fresh(etag):
                self.server.count("not_modified")
                self._send(304, b"", headers)
                return
            self.server.count("full")
            self._send(200, body, headers)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _fresh(self, etag: str) -> bool:
        match = self.headers.get("If-None-Match")
        if match is not None:
            return etag in [part.strip() for part in match.split(",")] or match.strip() == "*"
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                return parsedate_to_datetime(since) >= corpus.NEWEST
            except (TypeError, ValueError):
                return False
        return False

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304 and self.command != "HEAD":
            self.wfile.write(body)

    do_HEAD = do_GET


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address, feeds: dict[str, tuple[bytes, str]]):
        super().__init__(address, Handler)
        self.feeds = feeds
        self.counts = {"requests": 0, "not_modified": 0, "full": 0}
        self.lock = threading.Lock()

    def count(self, name: str) -> None:
        with self.lock:
            self.counts[name] += 1


def build(issues: int, seed: int) -> dict[str, tuple[bytes, str]]:
    feeds = {}
    for spec, body in corpus.all_feeds(issues, seed):
        feeds[spec.path] = (body, '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"')
    return feeds


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--issues", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    feeds = build(args.issues, args.seed)
    server = Server(("127.0.0.1", args.port), feeds)
    print(f"READY {server.server_address[1]} {len(feeds)}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

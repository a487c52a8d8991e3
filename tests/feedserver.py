"""A real HTTP server on 127.0.0.1 for the fetch tests, and generated newsletter feeds.

The server runs in a thread (``ThreadingHTTPServer`` on port 0). Each path maps to a route; a
route decides the status, headers and body, and may misbehave on purpose (slow, dripping,
oversized, redirect loop). Every request is recorded with its headers so tests can assert what
the client sent (If-None-Match, Accept-Encoding, ...).
"""

from __future__ import annotations

import gzip
import json
import socket
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import format_datetime
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

# -- newsletter issues and feeds ---------------------------------------------------------------

STORY_HTML = """<h2>{title}</h2>
<p>{lead}</p>
<p><strong>Unpacked:</strong></p>
<ul><li>{bullet}</li><li>Second detail about pricing in issue {number}.</li><li>Third detail about timing.</li></ul>
<p><strong>Bottom line:</strong> {bottom}</p>"""


@dataclass
class Issue:
    """One newsletter issue as a feed entry: a few stories with Unpacked bullets and a Bottom line."""

    number: int
    guid: str | None = None
    stories: int = 3
    date: datetime = field(default_factory=lambda: datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc))
    edit: str = ""  # appended to the first story's first bullet, for "edited slightly"
    word: str = "zephyrine"  # a rare word in every story title, for search
    has_link: bool = True

    @property
    def title(self) -> str:
        return f"Briefing number {self.number}"

    @property
    def link(self) -> str | None:
        return f"https://news.example.com/issues/{self.number}" if self.has_link else None

    def html(self) -> str:
        parts = [f"<p>Good morning. Here is briefing {self.number}.</p>"]
        for story in range(self.stories):
            parts.append(
                STORY_HTML.format(
                    title=f"Story {story} of issue {self.number} about {self.word} chips",
                    lead=f"Quokka Labs said on Monday that story {story} of issue {self.number} changes how"
                    " accelerators are priced for every cloud customer.",
                    bullet=f"The torvane benchmark {story} improved by a third."
                    + (f" {self.edit}" if story == 0 and self.edit else ""),
                    number=self.number,
                    bottom=f"Watch the marzipan market after story {story}.",
                )
            )
        parts.append(
            "<h2>Shortlist</h2><ul>"
            f"<li>Acme raised $10 million for gadgets in issue {self.number}.</li>"
            f"<li>Beta shipped a new thing in issue {self.number}.</li></ul>"
        )
        return "\n".join(parts)


def rss_feed(issues: list[Issue], title: str = "Quokka Daily") -> bytes:
    items = []
    for issue in issues:
        guid = f"<guid isPermaLink=\"false\">{escape(issue.guid)}</guid>" if issue.guid else ""
        items.append(
            f"<item><title>{escape(issue.title)}</title>{f'<link>{issue.link}</link>' if issue.link else ''}{guid}"
            f"<pubDate>{format_datetime(issue.date, usegmt=True)}</pubDate>"
            "<description>A short summary that must not win over the full content.</description>"
            f"<content:encoded>{escape(issue.html())}</content:encoded></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>{escape(title)}</title><link>https://news.example.com/</link>"
        "<description>Daily briefing</description>" + "".join(items) + "</channel></rss>\n"
    ).encode()


def atom_feed(issues: list[Issue], title: str = "Quokka Atom") -> bytes:
    entries = []
    for issue in issues:
        entries.append(
            f"<entry><title>{escape(issue.title)}</title><id>{escape(issue.guid or issue.link)}</id>"
            f'<link href="{issue.link}"/><updated>{issue.date.isoformat()}</updated>'
            "<summary>Short summary.</summary>"
            f'<content type="html">{escape(issue.html())}</content></entry>'
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(title)}</title><id>urn:quokka:atom</id><updated>2026-03-02T08:00:00Z</updated>"
        + "".join(entries)
        + "</feed>\n"
    ).encode()


def json_feed(issues: list[Issue], title: str = "Quokka JSON") -> bytes:
    return json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": title,
            "home_page_url": "https://news.example.com/",
            "items": [
                {
                    "id": issue.guid or issue.link,
                    "url": issue.link,
                    "title": issue.title,
                    "summary": "Short summary.",
                    "content_html": issue.html(),
                    "date_published": issue.date.isoformat(),
                }
                for issue in issues
            ],
        }
    ).encode()


# -- the server --------------------------------------------------------------------------------

Route = Callable[["_Handler"], None]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format, *args):  # noqa: A002 - keep test output quiet
        pass

    def do_GET(self):  # noqa: N802
        app = self.server.app
        with app.lock:
            app.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
        route = app.routes.get(self.path.split("?")[0])
        try:
            if route is None:
                self.reply(404, b"not found", "text/plain")
            else:
                route(self)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            pass

    def reply(self, status: int, body: bytes = b"", content_type: str | None = None, headers: dict | None = None):
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    app: FeedServer


class FeedServer:
    def __init__(self):
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.in_flight = 0
        self.most_at_once = 0
        self.httpd = _Server(("127.0.0.1", 0), _Handler)
        self.httpd.app = self
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def requests_for(self, path: str) -> list[dict[str, str]]:
        with self.lock:
            return [headers for request_path, headers in self.requests if request_path == path]

    def close(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    # -- routes ------------------------------------------------------------------------------------
    def feed(self, path: str, body: bytes, content_type: str = "application/rss+xml", *, encoding: str | None = None):
        """A feed with ETag and Last-Modified that answers 304 to matching conditional requests."""
        route = FeedRoute(body, content_type, encoding)
        self.routes[path] = route
        return route

    def status(self, path: str, status: int, headers: dict | None = None, body: bytes = b"error page"):
        self.routes[path] = lambda h: h.reply(status, body, "text/html", headers)

    def redirect(self, path: str, location: str, status: int = 302):
        self.routes[path] = lambda h: h.reply(status, b"", None, {"Location": self.url(location)})

    def slow(self, path: str, delay: float, body: bytes):
        """Waits ``delay`` seconds before answering at all; :attr:`most_at_once` counts overlaps."""

        def route(handler: _Handler) -> None:
            with self.lock:
                self.in_flight += 1
                self.most_at_once = max(self.most_at_once, self.in_flight)
            try:
                stopped = self.stopping.wait(delay)
            finally:
                # Counted out before the answer goes: a client that fetches one feed at a time may
                # send its next request as soon as it has read this one.
                with self.lock:
                    self.in_flight -= 1
            if not stopped:
                handler.reply(200, body, "application/rss+xml")

        self.routes[path] = route

    def drip(self, path: str, interval: float, body: bytes):
        """Sends the headers at once, then one byte every ``interval`` seconds."""

        def route(handler: _Handler) -> None:
            handler.send_response(200)
            handler.send_header("Content-Type", "application/rss+xml")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            for index in range(len(body)):
                handler.wfile.write(body[index : index + 1])
                handler.wfile.flush()
                if self.stopping.wait(interval):
                    return

        self.routes[path] = route

    def big(self, path: str, size: int, *, declare_length: bool, encoding: str | None = None, body: bytes | None = None):
        """An oversized body: ``size`` bytes (or ``body`` as is), with or without Content-Length."""
        payload = body if body is not None else (b"<rss><channel>" + b"x" * size)

        def route(handler: _Handler) -> None:
            handler.send_response(200)
            handler.send_header("Content-Type", "application/rss+xml")
            if encoding:
                handler.send_header("Content-Encoding", encoding)
            if declare_length:
                handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            for start in range(0, len(payload), 65536):
                handler.wfile.write(payload[start : start + 65536])

        self.routes[path] = route


class FeedRoute:
    """A feed resource whose body can change between requests (new ETag on every change)."""

    def __init__(self, body: bytes, content_type: str, encoding: str | None):
        self.content_type = content_type
        self.encoding = encoding
        self.version = 0
        self.set(body)

    def set(self, body: bytes) -> None:
        self.version += 1
        self.body = body
        self.etag = f'"v{self.version}-{zlib.crc32(body):08x}"'
        self.last_modified = format_datetime(
            datetime(2026, 3, 2, 8, self.version % 60, tzinfo=timezone.utc), usegmt=True
        )

    def __call__(self, handler: _Handler) -> None:
        validators = {"ETag": self.etag, "Last-Modified": self.last_modified}
        if handler.headers.get("If-None-Match") == self.etag:
            handler.reply(304, headers=validators)
            return
        body = self.body
        headers = dict(validators)
        if self.encoding == "gzip":
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        elif self.encoding == "deflate":
            body = zlib.compress(body)
            headers["Content-Encoding"] = "deflate"
        elif self.encoding == "raw-deflate":
            compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
            body = compressor.compress(body) + compressor.flush()
            headers["Content-Encoding"] = "deflate"
        handler.reply(200, body, self.content_type, headers)


def refused_url() -> str:
    """A URL on a local port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/feed.xml"

"""``briefing-tui serve``: the reader in a web browser, through textual-serve.

Each browser tab gets its own reader process (textual-serve starts one per connection and ends
it when the tab closes). They all use the same data, cache and config directories as the
terminal reader, which are safe to share between running copies.
"""

from __future__ import annotations

import ipaddress
import shlex
import socket
import sys

from briefing_tui.paths import Locations


class ServeError(Exception):
    """The server cannot start: one line for the user."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_port(host: str, port: int) -> None:
    """Refuse a host and port that cannot be listened on (in use, not an address of this machine)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise ServeError(f"cannot listen on {host}: {error.strerror}") from None
    for family, kind, protocol, _name, address in infos[:1]:
        probe = socket.socket(family, kind, protocol)
        try:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
        except OSError as error:
            reason = "the port is in use" if error.errno in (98, 48) else (error.strerror or str(error))
            raise ServeError(f"cannot listen on {host}:{port}: {reason}") from None
        finally:
            probe.close()


def reader_command(locations: Locations) -> str:
    """The command textual-serve runs for each tab: this reader, on the same directories."""
    parts = [
        sys.executable, "-m", "briefing_tui", "read",
        "--data-dir", str(locations.data_dir),
        "--cache-dir", str(locations.cache_dir),
        "--config-dir", str(locations.config_dir),
    ]  # fmt: skip
    return shlex.join(parts)


def serve(locations: Locations, host: str, port: int) -> None:
    """Serve the reader until interrupted (Ctrl+C, SIGTERM). Raises ServeError."""
    from textual_serve.server import Server

    check_port(host, port)
    Server(reader_command(locations), host=host, port=port, title="briefing-tui").serve()

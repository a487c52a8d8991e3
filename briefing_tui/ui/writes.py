"""Writes to the read state from the reader, off the UI thread and in the order they were made."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from textual.dom import DOMNode

from briefing_tui.library import StoreError


class StateWriter:
    """Runs each write in a worker thread of ``node``, one after another.

    A full disk or a file another program keeps locked must not freeze or crash the reader: a
    write that fails calls ``failed(what, error)`` on the UI thread; ``then(result)`` runs there
    after one that succeeds.
    """

    def __init__(self, node: DOMNode, failed: Callable[[str, str], None]) -> None:
        self._node = node
        self._failed = failed
        self._writes: deque[tuple[str, Callable[[], Any], Callable[[Any], None] | None]] = deque()
        self._lock = threading.Lock()

    def save(self, what: str, write: Callable[[], Any], then: Callable[[Any], None] | None = None) -> None:
        self._writes.append((what, write, then))
        self._node.run_worker(self._drain, thread=True, group="state-writes")

    def _drain(self) -> None:
        with self._lock:
            while self._writes:
                what, write, then = self._writes.popleft()
                try:
                    result = write()
                except StoreError as error:
                    self._call(self._failed, what, str(error))
                else:
                    if then is not None:
                        self._call(then, result)

    def _call(self, callback: Callable[..., Any], *args: Any) -> None:
        try:
            self._node.app.call_from_thread(callback, *args)
        except RuntimeError:
            pass  # the reader has closed meanwhile

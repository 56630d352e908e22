"""Connections that cannot hold the server: a deadline for each request head, a cap that answers.

uvicorn times out an idle keep-alive connection only after a response, and its
``limit_concurrency`` counts open connections: 63 sockets that never send a byte made every
request a plain-text 503 for as long as they stayed open. This subclass of uvicorn's HTTP
protocol (httptools when installed, h11 otherwise: both keep ``cycle`` and call
``on_response_complete`` the same way) closes a connection that has not delivered a complete
request head within ``header_timeout`` seconds of opening, or of its previous response (idle
or slowloris alike).
Past ``max_connections`` open connections, requests are answered by ``busy_app`` (a 503 with
Retry-After in the negotiated format) and the connection is closed, instead of being queued.
"""

from __future__ import annotations

import asyncio
from typing import Any


def _base() -> type:
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:  # httptools not installed: the pure-Python parser
        from uvicorn.protocols.http.h11_impl import H11Protocol

        return H11Protocol
    return HttpToolsProtocol


def guarded_protocol(header_timeout: float, max_connections: int, busy_app: Any) -> type:
    """A protocol class with these limits (uvicorn takes the class as ``http=``)."""
    base: Any = _base()

    class GuardedProtocol(base):
        _head_timer: asyncio.TimerHandle | None = None
        _waiting_for: Any = None

        def connection_made(self, transport: asyncio.Transport) -> None:
            super().connection_made(transport)
            if len(self.connections) > max_connections:
                self.app = busy_app
            self._arm()

        def _arm(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
            # the request whose head we wait for is the one after the current cycle
            self._waiting_for = self.cycle
            self._head_timer = self.loop.call_later(header_timeout, self._head_expired)

        def _head_expired(self) -> None:
            self._head_timer = None
            idle = self.cycle is None or self.cycle.response_complete  # no request running
            if idle and self.cycle is self._waiting_for and not self.transport.is_closing():
                self.transport.close()  # no complete request head in time

        def on_response_complete(self) -> None:
            self._arm()  # before super(): a pipelined request may start inside it
            super().on_response_complete()

        def connection_lost(self, exc: Exception | None) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None
            super().connection_lost(exc)

    return GuardedProtocol

"""Connections that cannot hold the server: deadlines for each request head and for each
response, connection slots per client, a cap that answers.

uvicorn times out an idle keep-alive connection only after a response, and its
``limit_concurrency`` counts open connections: 63 sockets that never send a byte made every
request a plain-text 503 for as long as they stayed open. This subclass of uvicorn's HTTP
protocol (httptools when installed, h11 otherwise: both keep ``cycle`` and ``client`` and call
``on_response_complete`` the same way) closes a connection that has not delivered a complete
request head within ``header_timeout`` seconds of opening, or of its previous response (idle
or slowloris alike).

A response goes out in slices (app.Body), each only once the previous ones have left the
send buffer; a client that reads nothing for ``write_timeout`` seconds (the buffer full all
that time) has its connection cut, and the buffer freed. Without this, 150 clients asking for
an 8 MB answer and never reading it held a copy each: the server grew from 151 to 888 MiB.

Each client (server.clients) may hold ``client_connections`` connections; past that its
connections are answered by ``over_share_app`` (429) within a short head deadline and closed,
and do not count against ``max_connections``: one address reopening 1,100 idle sockets made
89-94% of everyone else's requests 503. Past ``max_connections`` counted connections, requests
are answered by ``busy_app`` (503 with Retry-After in the negotiated format) and the
connection is closed, instead of being queued. A trusted proxy's connections carry many
clients: they have no per-client cap (their requests are told apart by X-Forwarded-For).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from starlette.responses import Response

from .clients import Shares

_OVER_SHARE_HEAD = 1.0  # seconds an over-share connection has to send its request head
# the transport's buffer, on top of the kernel's: asyncio's default high-water mark is 64 KiB
_HIGH_WATER, _LOW_WATER = 32 * 1024, 8 * 1024


def _base() -> type:
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:  # httptools not installed: the pure-Python parser
        from uvicorn.protocols.http.h11_impl import H11Protocol

        return H11Protocol
    return HttpToolsProtocol


def guarded_protocol(header_timeout: float, max_connections: int, busy_app: Any, *,
                     write_timeout: float = 10.0, client_connections: int | None = None,
                     over_share_app: Any = None, client_of: Callable[[str], str] = str,
                     trusted: tuple[str, ...] = (), max_open: int | None = None) -> type:
    """A protocol class with these limits (uvicorn takes the class as ``http=``).
    ``max_open``: connections that fit in the open-files limit; one more is closed at once,
    unanswered (an answer would need the descriptors that are missing)."""
    base: Any = _base()
    shares = Shares(client_connections or max_connections)
    counted = [0]  # open connections within their client's share
    opened = [0]  # all open connections

    class GuardedProtocol(base):
        _head_timer: asyncio.TimerHandle | None = None
        _write_timer: asyncio.TimerHandle | None = None
        _waiting_for: Any = None
        _share: str | None = None  # the client whose slot this connection holds
        _counted = False
        _head_limit = header_timeout

        def connection_made(self, transport: asyncio.Transport) -> None:
            super().connection_made(transport)
            transport.set_write_buffer_limits(high=_HIGH_WATER, low=_LOW_WATER)
            opened[0] += 1
            if max_open is not None and opened[0] > max_open:
                transport.abort()  # connection_lost follows and gives the place back
                return
            host = self.client[0] if self.client else ""
            key = client_of(host)
            if host in trusted or shares.take(key):
                self._share = None if host in trusted else key
                self._counted = True
                counted[0] += 1
                if counted[0] > max_connections:
                    self.app = busy_app
            else:  # over its client's share: answered 429 and closed, soon
                self.app = over_share_app or busy_app
                self._head_limit = min(header_timeout, _OVER_SHARE_HEAD)
            self._arm()

        def _arm(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
            # the request whose head we wait for is the one after the current cycle
            self._waiting_for = self.cycle
            self._head_timer = self.loop.call_later(self._head_limit, self._head_expired)

        def _head_expired(self) -> None:
            self._head_timer = None
            idle = self.cycle is None or self.cycle.response_complete  # no request running
            if idle and self.cycle is self._waiting_for and not self.transport.is_closing():
                self.transport.close()  # no complete request head in time

        def on_response_complete(self) -> None:
            self._arm()  # before super(): a pipelined request may start inside it
            super().on_response_complete()

        def pause_writing(self) -> None:
            super().pause_writing()
            if self._write_timer is None:
                self._write_timer = self.loop.call_later(write_timeout, self._write_expired)

        def resume_writing(self) -> None:
            super().resume_writing()
            if self._write_timer is not None:
                self._write_timer.cancel()
                self._write_timer = None

        def _write_expired(self) -> None:
            self._write_timer = None
            self.transport.abort()  # the reader took nothing for too long: drop its buffer

        def connection_lost(self, exc: Exception | None) -> None:
            for timer in (self._head_timer, self._write_timer):
                if timer is not None:
                    timer.cancel()
            self._head_timer = self._write_timer = None
            opened[0] -= 1
            if self._counted:
                self._counted = False
                counted[0] -= 1
            if self._share is not None:
                shares.give(self._share)
                self._share = None
            super().connection_lost(exc)

    return GuardedProtocol


SLICE = 32 * 1024  # bytes handed to the transport at a time


class SlicedResponse(Response):
    """A response whose body goes out in slices of one shared buffer, never copied.

    Written whole, an answer the client does not read is copied into the transport's buffer
    (8 MB for each slow reader of a cached 8 MB answer). Here each slice is a view of the cached
    body, handed over only once the buffer has drained below its high-water mark (uvicorn waits
    for that before each message), so a connection holds at most about two slices (64 KiB).
    """

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": self.status_code,
                    "headers": self.raw_headers})
        if scope.get("method") == "HEAD" or len(self.body) <= SLICE:
            await send({"type": "http.response.body",
                        "body": b"" if scope.get("method") == "HEAD" else self.body})
            return
        body = memoryview(self.body)
        for start in range(0, len(body), SLICE):
            await send({"type": "http.response.body", "body": body[start:start + SLICE],
                        "more_body": start + SLICE < len(body)})
            # one slice per loop iteration: other connections go in between, and a client
            # that has gone is noticed (its send then returns at once) instead of each
            # further slice being written to a dead socket and logged
            await asyncio.sleep(0)

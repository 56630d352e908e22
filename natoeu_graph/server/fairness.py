"""Fair turns in the event loop: the request of the client that has asked least lately goes first.

One event loop answers every request, and a cached answer costs it a fraction of a millisecond.
Served first come, first served, a client that keeps 20 connections busy puts 20 requests ahead
of anyone else's one, every time. Here each request, before any routing or work, takes a turn:
waiting turns are granted one per loop iteration (so requests that arrive meanwhile are
considered too), lowest recent use first. Use is an exponentially decayed count of the turns
granted, per client address plus per connection, so a light client jumps a heavy one's queue,
and on one shared address (a proxy, a NAT) a light connection jumps a heavy one's. Without
contention a turn is granted at the next iteration; nothing is refused here (the pools and the
per-client share do that).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
from typing import Any

_PRUNE_EVERY = 30.0  # seconds between sweeps of clients whose use has decayed to nothing


class FairTurns:
    def __init__(self, half_life: float = 1.0) -> None:
        self._rate = math.log(2) / half_life
        self._use: dict[Any, tuple[float, float]] = {}  # key -> (decayed count, as of)
        self._waiting: list[tuple[float, int, asyncio.Future[None], str, int]] = []
        self._seq = itertools.count()
        self._granting = False
        self._swept = 0.0

    def _current(self, key: Any, now: float) -> float:
        count, then = self._use.get(key, (0.0, now))
        return count * math.exp(-self._rate * (now - then))

    def _charge(self, key: Any, now: float) -> None:
        self._use[key] = (self._current(key, now) + 1.0, now)

    async def turn(self, host: str, port: int) -> None:
        """Wait for this request's turn (``host``, ``port``: the client's end of the
        connection)."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        # weighed by what the client has been served, not by what waits: requests of one
        # address that arrive together all see the same address use
        use = self._current(host, now) + self._current((host, port), now)
        future: asyncio.Future[None] = loop.create_future()
        heapq.heappush(self._waiting, (use, next(self._seq), future, host, port))
        if not self._granting:
            self._granting = True
            loop.call_soon(self._grant)
        await future

    def _grant(self) -> None:
        """Grant the lowest-use waiting turn, then come back next iteration if any wait."""
        now = asyncio.get_running_loop().time()
        while self._waiting:
            _, _, future, host, port = heapq.heappop(self._waiting)
            if not future.done():  # a cancelled request gives up its turn
                future.set_result(None)
                self._charge(host, now)
                self._charge((host, port), now)
                break
        if self._waiting:
            asyncio.get_running_loop().call_soon(self._grant)
            return
        self._granting = False
        if now - self._swept > _PRUNE_EVERY:
            self._swept = now
            floor = math.exp(-self._rate * _PRUNE_EVERY)  # decayed below this: forget
            self._use = {k: v for k, v in self._use.items() if self._current(k, now) > floor}


class FairGate:
    """At most ``capacity`` holders at once (a pool's workers); when a place frees, it goes to
    the waiting request of the client that holds the fewest places; among equals, to the
    client admitted longest ago (round robin), and its oldest request. One client never holds
    every place (of two or more): the last one is kept for the others.

    First come, first served, 20 requests of one client queued before another client's one
    made it wait for all 20; and a client holding both workers of a pool with slow work made
    any other wait for one of those to end (an uncached canned query went from 11 ms to 5.3 s
    while 20 unknown labels were looked up). Now the other gets the place kept free at once.
    """

    def __init__(self, capacity: int) -> None:
        self.most = max(capacity - 1, 1)  # places one client may hold
        self.free = capacity
        self._inside: dict[str, int] = {}
        self._last: dict[str, int] = {}  # client -> when it was last admitted (a sequence)
        self._waiting: list[tuple[int, asyncio.Future[None], str]] = []
        self._seq = itertools.count()

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def _may(self, client: str) -> bool:
        return self._inside.get(client, 0) < self.most

    async def enter(self, client: str) -> None:
        if self.free > 0 and self._may(client) and not any(
                self._may(w[2]) for w in self._waiting):
            self._admit(client)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((next(self._seq), future, client))
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():  # admitted, then cancelled: give back
                self.leave(client)
            else:
                self._waiting = [w for w in self._waiting if w[1] is not future]
                if client not in self._inside and all(w[2] != client for w in self._waiting):
                    self._last.pop(client, None)
            raise

    def leave(self, client: str) -> None:
        self._inside[client] -= 1
        if not self._inside[client]:
            del self._inside[client]
            if not any(w[2] == client for w in self._waiting):
                self._last.pop(client, None)  # nothing held or asked: forget it
        self.free += 1
        self._grant()

    def _admit(self, client: str) -> None:
        self.free -= 1
        self._inside[client] = self._inside.get(client, 0) + 1
        self._last[client] = next(self._seq)

    def _grant(self) -> None:
        while self.free > 0:
            eligible = [w for w in self._waiting if self._may(w[2])]
            if not eligible:
                return
            chosen = min(eligible, key=lambda w: (
                self._inside.get(w[2], 0), self._last.get(w[2], -1), w[0]))
            self._waiting.remove(chosen)
            _, future, client = chosen
            if not future.done():
                future.set_result(None)
                self._admit(client)


CLIENT = "natoeu.client"  # the scope key under which the middleware leaves the client's key


class FairMiddleware:
    """ASGI middleware: every HTTP request waits for its fair turn before anything else.

    ``key`` maps the peer address (after a trusted proxy's header, if any) to the client it
    belongs to (server.clients); the result is left in the scope for the shares downstream.
    """

    def __init__(self, app: Any, turns: FairTurns | None = None,
                 key: Any = None) -> None:
        self.app = app
        self.turns = turns or FairTurns()
        self.key = key or (lambda host: host)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            host, port = scope.get("client") or ("", 0)
            client = self.key(host)
            scope[CLIENT] = client
            await self.turns.turn(client, port)
        await self.app(scope, receive, send)

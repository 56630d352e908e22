"""Limits of one server: deadline, caps and pool size."""

from __future__ import annotations

from dataclasses import dataclass

MAX_TIMEOUT = 60.0  # hard ceiling, like WDQS: a longer deadline is an invitation to a DoS


@dataclass(frozen=True)
class Limits:
    workers: int = 2
    timeout: float = 10.0
    max_rows: int = 10_000
    max_bytes: int = 8 * 1024 * 1024
    max_body: int = 1024 * 1024
    queue: int = 16  # requests waiting for a worker; one more gets 429
    # canned queries are the project's own text (only their typed parameters vary), and some
    # are slow in rdflib (exercises: ~17 s), so they get their own, longer deadline
    canned_timeout: float = 60.0
    # Cheap work (canned queries, entity and other pages) has its own workers, so ad-hoc
    # queries can never hold all the capacity; one client address may have at most
    # ``per_client`` ad-hoc queries running or waiting (one more gets 429).
    cheap_workers: int = 2
    cheap_queue: int = 64
    per_client: int = 2
    # A connection must deliver a complete request head within this many seconds of opening
    # (or of its previous response), and a request body within ``body_timeout``; otherwise it
    # is closed (408 for a body). ``max_connections`` open at once; past it requests get 503.
    header_timeout: float = 5.0
    body_timeout: float = 10.0
    max_connections: int = 1000
    # One client (server.clients: an address, or a group of local addresses) may hold at most
    # ``client_connections`` of them; past that its new connections are answered 429 and
    # closed, and do not count against ``max_connections``. A response the client does not
    # read for ``write_timeout`` seconds (the send buffer full all that time) is cut off.
    client_connections: int = 64
    write_timeout: float = 10.0
    # cheap work (canned queries, pages) one client may have running or waiting
    cheap_per_client: int = 8
    # IPv4 loopback and private addresses count as one client per network of this many bits;
    # X-Forwarded-For is read only from these proxies' addresses
    local_prefix: int = 24
    trusted_proxies: tuple[str, ...] = ()
    cache_bytes: int = 64 * 1024 * 1024  # answers kept (the graph never changes while serving)
    max_age: int = 300  # Cache-Control max-age of answers, seconds

    def __post_init__(self) -> None:
        if self.workers < 1 or self.cheap_workers < 1 or self.per_client < 1 \
                or self.cheap_per_client < 1:
            raise ValueError("workers, cheap workers and per-client limits must be at least 1")
        if self.header_timeout <= 0 or self.body_timeout <= 0 or self.write_timeout <= 0 \
                or self.max_connections < 1 or self.client_connections < 1:
            raise ValueError("client timeouts and the connection caps must be positive")
        if not 8 <= self.local_prefix <= 32:
            raise ValueError("the local prefix must be between 8 and 32 bits")
        if not (0 < self.timeout <= MAX_TIMEOUT and 0 < self.canned_timeout <= MAX_TIMEOUT):
            raise ValueError(f"timeout must be in (0, {MAX_TIMEOUT:g}] seconds")
        if self.max_rows < 1 or self.max_bytes < 1024 or self.max_body < 1024 or self.queue < 0:
            raise ValueError("row, byte, body and queue limits must be positive")

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

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise ValueError("workers must be at least 1")
        if not (0 < self.timeout <= MAX_TIMEOUT and 0 < self.canned_timeout <= MAX_TIMEOUT):
            raise ValueError(f"timeout must be in (0, {MAX_TIMEOUT:g}] seconds")
        if self.max_rows < 1 or self.max_bytes < 1024 or self.max_body < 1024 or self.queue < 0:
            raise ValueError("row, byte, body and queue limits must be positive")

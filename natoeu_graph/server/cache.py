"""Answers kept in memory, keyed by the job that produced them; bounded in bytes, LRU.

The graph does not change while the server runs, so an identical request (same query or page,
same dataset, same format and Accept) has the same answer: the second one costs a dictionary
look-up instead of a worker round trip.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from typing import Any

Reply = dict[str, Any]


class AnswerCache:
    def __init__(self, max_bytes: int, max_entry: int) -> None:
        self.max_bytes = max_bytes
        self.max_entry = max_entry
        self.size = 0
        self._items: OrderedDict[bytes, Reply] = OrderedDict()
        self.hits = 0

    @staticmethod
    def key(job: dict[str, Any]) -> bytes:
        # bounded by the request-size cap; a digest keeps long queries from being kept twice
        text = json.dumps(job, sort_keys=True, ensure_ascii=False)
        return hashlib.blake2b(text.encode(), digest_size=20).digest()

    def get(self, key: bytes) -> Reply | None:
        reply = self._items.get(key)
        if reply is not None:
            self._items.move_to_end(key)
            self.hits += 1
        return reply

    def put(self, key: bytes, reply: Reply) -> None:
        n = len(reply["body"])
        if n > self.max_entry or n > self.max_bytes or key in self._items:
            return
        self._items[key] = reply
        self.size += n
        while self.size > self.max_bytes:
            _, old = self._items.popitem(last=False)
            self.size -= len(old["body"])

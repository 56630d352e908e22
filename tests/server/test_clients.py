"""Who a client is (server.clients) and what an answer kept in the cache costs (server.cache)."""

from __future__ import annotations

import json
import pickle
import tracemalloc

from natoeu_graph.server.cache import AnswerCache
from natoeu_graph.server.clients import client_key


def test_local_addresses_count_as_one_client_per_network() -> None:
    # one host can use all of 127.0.0.0/8: 60 slow queries over 127.0.0.2-50 were 60 clients
    assert client_key("127.0.0.2") == client_key("127.0.0.50") == "127.0.0.0/24"
    assert client_key("192.168.1.7") == client_key("192.168.1.200")
    assert client_key("127.0.0.2", 32) != client_key("127.0.0.50", 32)
    assert client_key("127.0.0.2", 8) == client_key("127.9.9.9", 8)


def test_public_addresses_are_clients_of_their_own_and_ipv6_hosts_a_64() -> None:
    assert client_key("203.0.113.5") == "203.0.113.5" != client_key("203.0.113.6")
    assert client_key("2001:db8::1") == client_key("2001:db8::ffff:1") == "2001:db8::/64"
    assert client_key("::ffff:203.0.113.5") == "203.0.113.5"
    assert client_key("::ffff:127.0.0.9") == "127.0.0.0/24"


def test_cache_entries_are_charged_what_they_hold() -> None:
    """350,000 small 404s took 268 MiB when only their 81-byte bodies were counted; charged
    at their real cost, the cache's own count is within 15% of what tracemalloc sees."""
    cache = AnswerCache(1 << 40, 1 << 30)
    body = json.dumps({"error": "unknown_resource",
                       "message": "the graph says nothing about this IRI"}).encode()
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        for i in range(5000):
            reply = pickle.loads(pickle.dumps(  # as a worker's reply arrives
                {"status": 404, "type": "application/json", "body": body, "headers": {}}))
            cache.put(AnswerCache.key({"op": "page", "page": "resource",
                                       "args": {"local": f"x{i}", "fmt": "ttl"}}), reply)
        held = tracemalloc.get_traced_memory()[0] - start
    finally:
        tracemalloc.stop()
    assert len(cache) == 5000
    assert 0.85 * held <= cache.size <= 1.15 * held, (cache.size, held)


def test_the_cache_stays_within_its_bytes() -> None:
    cache = AnswerCache(200_000, 100_000)
    for i in range(5000):
        cache.put(AnswerCache.key({"i": i}), {"status": 404, "type": "application/json",
                                              "body": b"x" * 81, "headers": {}})
    assert cache.size <= 200_000 and 0 < len(cache) < 5000

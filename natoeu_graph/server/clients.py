"""Who a client is, for every share the server keeps: connection slots, pool places, turns.

A share keyed on the bare address is diluted by a client that uses many addresses: one host
can use all of 127.0.0.0/8, a machine on a LAN can take many private addresses, and an IPv6
host usually holds a whole /64. So a client is:

- an IPv6 address's /64 (an IPv4-mapped IPv6 address counts as its IPv4 address);
- an IPv4 address in the loopback or a private range (127/8, 10/8, 172.16/12, 192.168/16,
  100.64/10, 169.254/16): its network of ``local_prefix`` bits, set by the operator (24 by
  default: 127.0.0.2 and 127.0.0.50 are one client; 32 makes every address its own);
- any other IPv4 address: itself.

Behind a reverse proxy every request comes from the proxy's address; the proxy's
``X-Forwarded-For`` header names the real client, and is read only from the addresses the
operator names (``--trusted-proxy``; none by default, so the header is ignored).
"""

from __future__ import annotations

import ipaddress
from collections import Counter

_LOCAL_V4 = tuple(ipaddress.IPv4Network(n) for n in (
    "127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10",
    "169.254.0.0/16"))
IPV6_PREFIX = 64


def client_key(host: str, local_prefix: int = 24) -> str:
    """The client that ``host`` (a peer address as the socket gives it) belongs to."""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:  # a Unix socket path or a test client's name: itself
        return host
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is None:
            return str(ipaddress.IPv6Network((ip, IPV6_PREFIX), strict=False))
        ip = ip.ipv4_mapped
    if any(ip in net for net in _LOCAL_V4):
        return str(ipaddress.IPv4Network((ip, local_prefix), strict=False))
    return str(ip)


class Shares:
    """Places per client in one resource (connections, a worker pool): ``take`` refuses the
    place past ``limit``; every place taken is given back with ``give``."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._held: Counter[str] = Counter()

    def take(self, client: str) -> bool:
        if self._held[client] >= self.limit:
            return False
        self._held[client] += 1
        return True

    def give(self, client: str) -> None:
        self._held[client] -= 1
        if self._held[client] <= 0:
            del self._held[client]

    def held(self, client: str) -> int:
        return self._held.get(client, 0)

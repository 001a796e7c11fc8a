"""Who the client is, by address: the peer, or behind a trusted reverse proxy the address it forwarded.

Login throttling and the search concurrency limit count per client. Behind a reverse proxy every peer is
the proxy, so one client's failures would throttle everybody; an X-Forwarded-For header is believed
only when the peer is one of `SERVICECENTER_TRUSTED_PROXIES`, since anyone else can write any header.
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address, ip_address

from aiohttp import web

from servicecenter.keys import SETTINGS

__all__ = ["client_address"]

FORWARDED_FOR = "X-Forwarded-For"


def _parsed(text: str) -> IPv4Address | IPv6Address | None:
    try:
        return ip_address(text.strip())
    except ValueError:
        return None


def client_address(request: web.Request) -> str:
    """The client's address: walking X-Forwarded-For from the right while the hop is a trusted proxy,
    the first hop that is not one (the part left of it is whatever the client chose to send)."""
    trusted = request.app[SETTINGS].trusted_proxies
    peer = request.remote or "unknown"
    current = _parsed(peer)
    if not trusted or current is None:
        return peer
    hops = [hop for value in request.headers.getall(FORWARDED_FOR, []) for hop in value.split(",")]
    while any(current in network for network in trusted) and hops:
        forwarded = _parsed(hops.pop())
        if forwarded is None:
            break
        current = forwarded
    return str(current)

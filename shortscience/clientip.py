"""The address of the client a request came from: one function, for every limit and log.

Behind a reverse proxy (or a load balancer and then nginx) REMOTE_ADDR is the last proxy's
address, and the client's is in X-Forwarded-For, which every proxy appends to. Anybody can
send that header, so it is believed only as far as the proxies are trusted:

- TRUSTED_PROXY_NETWORKS (addresses or CIDR networks): walk X-Forwarded-For from the
  right while the hop that reported it is one of ours; the first address that is not ours
  is the client. A client connecting directly (not from a trusted network) gets its own
  REMOTE_ADDR, whatever it writes in the header.
- TRUSTED_PROXY_COUNT (how many proxies stand in front of the app): the client is that many
  hops from the right. Only safe when the app cannot be reached but through the proxies.
- Neither (the default): REMOTE_ADDR, the header is ignored.

Settings are read on each call, so tests and deployments can change them.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _parse(value: str) -> Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(
        ipaddress.ip_network(n.strip(), strict=False) for n in spec if n.strip()
    )


def _forwarded_for(request: HttpRequest) -> list[str]:
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return [part.strip() for part in header.split(",") if part.strip()]


def client_ip(request: HttpRequest) -> str:
    """Return the client's address, believing X-Forwarded-For only from trusted proxies."""
    remote = _parse(request.META.get("REMOTE_ADDR") or "")
    if remote is None:
        return "unknown"
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXY_NETWORKS", ()) or ()))
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if networks:
        client = remote
        for hop in reversed(_forwarded_for(request)):
            if not any(client in net for net in networks):
                break
            parsed = _parse(hop)
            if parsed is None:  # a garbled entry: stop at the last proxy we trust
                break
            client = parsed
        return str(client)
    if count > 0:
        hops = _forwarded_for(request)
        if not hops:
            return str(remote)
        # hops[-1] was added by the proxy next to us, hops[-count] by the outermost one.
        chosen = hops[-count] if len(hops) >= count else hops[0]
        parsed = _parse(chosen)
        return str(parsed) if parsed is not None else str(remote)
    return str(remote)

"""Fetch an image from the open web without ever reaching inside a network (SSRF).

Every hop (the first request and each redirect, at most MAX_REDIRECTS) is checked the
same way before anything is sent: http or https only, an allowed port, and every address
the name resolves to must be a public one (`address_refusal`). The connection then goes
to exactly the address that was checked (`_PinnedAdapter`), with the original name in
the Host header and for TLS (SNI and certificate), so a name that answers differently a
moment later (DNS rebinding) cannot steer the request inside. The body is read with a
size cap and a deadline for the whole download, then decided by its bytes alone: Pillow
must open it as PNG, JPEG, GIF or WebP, and it is re-encoded, so what is stored is an
image Pillow wrote, never the bytes the other site sent. No ORM here.
"""

from __future__ import annotations

import io
import ipaddress
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests
from PIL import Image, UnidentifiedImageError
from requests.adapters import HTTPAdapter

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_REDIRECTS = 5
MAX_PIXELS = 40_000_000
MAX_FRAMES = 500
# Image formats accepted, by what Pillow reads in the bytes, and the type they are
# served with. SVG is not among them: it can carry scripts.
FORMATS = {
    "PNG": "image/png",
    "JPEG": "image/jpeg",
    "GIF": "image/gif",
    "WEBP": "image/webp",
}

# Cloud metadata services: refused even inside a network named in IMAGE_PROXY_ALLOW_NETWORKS.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean...
        "169.254.170.2",  # AWS ECS task metadata
        "fd00:ec2::254",  # AWS over IPv6
        "100.100.100.200",  # Alibaba Cloud
        "192.0.0.192",  # Oracle Cloud
    )
)
_SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT
_NAT64 = (
    ipaddress.ip_network("64:ff9b::/96"),
    ipaddress.ip_network("64:ff9b:1::/48"),
)
_REDIRECTS = {301, 302, 303, 307, 308}


class FetchError(Exception):
    """The image could not be fetched or is not one we serve; the message says why."""


class AddressRefused(FetchError):
    """The address is inside a network, or not http(s) on an allowed port."""


@dataclass(frozen=True)
class FetchedImage:
    content: bytes  # re-encoded by Pillow
    content_type: str
    width: int
    height: int


def resolve(host: str, port: int) -> list[IPAddress]:
    """Return every address a name resolves to (an address literal resolves to itself)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"the name {host} does not resolve") from exc
    found: dict[IPAddress, None] = {}
    for info in infos:
        # An IPv6 link-local answer may carry a scope ("fe80::1%eth0").
        found[ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])] = None
    return list(found)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """Return the IPv4 address an IPv6 form carries (mapped, NAT64, 6to4, Teredo)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if any(address in net for net in _NAT64):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    return None


def _inside(address: IPAddress) -> bool:
    return bool(
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or (isinstance(address, ipaddress.IPv6Address) and address.is_site_local)
        or (
            isinstance(address, ipaddress.IPv4Address)
            and address in _SHARED_ADDRESS_SPACE
        )
        or not address.is_global
    )


def address_refusal(
    address: IPAddress, *, allow_networks: Iterable[str] = ()
) -> str | None:
    """Return why the image may not be fetched from this address, or None if it may.

    Refused: loopback, private (RFC 1918, IPv6 unique-local), link-local, multicast,
    reserved, unspecified, carrier-grade NAT (100.64/10) and every other non-global
    block, IPv6 forms that carry such an IPv4 address, and cloud metadata addresses.
    `allow_networks` lets named networks through (the tests' local servers), metadata
    addresses never.
    """
    embedded = (
        _embedded_ipv4(address) if isinstance(address, ipaddress.IPv6Address) else None
    )
    if address in METADATA_ADDRESSES or embedded in METADATA_ADDRESSES:
        return f"{address} is a cloud metadata address"
    if any(address in ipaddress.ip_network(net) for net in allow_networks):
        return None
    if embedded is not None and _inside(embedded):
        return f"{address} carries the internal address {embedded}"
    if _inside(address):
        return f"{address} is not a public address"
    return None


@dataclass(frozen=True)
class _Target:
    url: str
    hostname: str
    host_header: str
    address: IPAddress


def _check(
    url: str,
    *,
    allowed_ports: Iterable[int],
    allow_networks: Iterable[str],
) -> _Target:
    """Check one hop's address and return where to connect; raise AddressRefused."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise AddressRefused(
            f"only http and https are fetched, not {parts.scheme or '?'}"
        )
    if parts.username is not None or parts.password is not None:
        raise AddressRefused("addresses with a user name or password are not fetched")
    hostname = parts.hostname
    if not hostname:
        raise AddressRefused("the address has no host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise AddressRefused("the address has an invalid port") from exc
    if port not in set(allowed_ports):
        raise AddressRefused(f"port {port} is not fetched")
    addresses = resolve(hostname, port)
    if not addresses:
        raise FetchError(f"the name {hostname} does not resolve")
    for address in addresses:
        reason = address_refusal(address, allow_networks=allow_networks)
        if reason:
            raise AddressRefused(reason)
    host = f"[{hostname}]" if ":" in hostname else hostname
    default_port = 443 if parts.scheme == "https" else 80
    host_header = host if port == default_port else f"{host}:{port}"
    return _Target(url, hostname, host_header, addresses[0])


class _PinnedAdapter(HTTPAdapter):
    """Connect to the checked address, whatever the name resolves to by then.

    urllib3 is handed the address instead of the name; TLS still sends the name (SNI)
    and checks the certificate against it, and the request carries it as Host.
    """

    def __init__(self, target: _Target) -> None:
        self._target = target
        super().__init__(max_retries=0)

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert
        )
        host_params["host"] = str(self._target.address)
        if host_params["scheme"] == "https":
            pool_kwargs["server_hostname"] = self._target.hostname
            pool_kwargs["assert_hostname"] = self._target.hostname
        return host_params, pool_kwargs


def _get(
    target: _Target, *, timeout: tuple[float, float], user_agent: str
) -> requests.Response:
    session = requests.Session()
    session.trust_env = False  # no proxy or .netrc from the environment
    adapter = _PinnedAdapter(target)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    try:
        return session.get(
            target.url,
            headers={
                "Host": target.host_header,
                "User-Agent": user_agent,
                "Accept": "image/png,image/jpeg,image/gif,image/webp",
                "Accept-Encoding": "identity",
            },
            stream=True,
            allow_redirects=False,
            timeout=timeout,
        )
    except Exception as exc:  # requests', urllib3's and the socket's errors alike
        raise FetchError(
            f"{target.hostname} did not answer ({type(exc).__name__})"
        ) from exc
    finally:
        session.close()  # the response keeps its own connection until read


def _read(response: requests.Response, *, max_bytes: int, deadline: float) -> bytes:
    """Read the body within the size cap and the deadline (a slow drip trips the latter)."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"the image is larger than {max_bytes} bytes")
    body = bytearray()
    try:
        while chunk := response.raw.read1(65536, decode_content=False):
            body += chunk
            if len(body) > max_bytes:
                raise FetchError(f"the image is larger than {max_bytes} bytes")
            if time.monotonic() > deadline:
                raise FetchError("the image took too long to download")
    except FetchError:
        raise
    except Exception as exc:  # requests', urllib3's and the socket's read errors
        raise FetchError(f"the download broke off ({type(exc).__name__})") from exc
    return bytes(body)


def reencode(data: bytes) -> FetchedImage:
    """Check that the bytes are a PNG, JPEG, GIF or WebP image and write it afresh.

    Re-encoding drops metadata and anything appended to the image (a polyglot file).
    """
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format or ""
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise FetchError("the address does not hold an image") from exc
    if kind not in FORMATS:
        raise FetchError(f"{kind} images are not served")
    out = io.BytesIO()
    try:
        with Image.open(io.BytesIO(data)) as opened:
            image: Image.Image = opened
            if image.width * image.height > MAX_PIXELS:
                raise FetchError("the image has too many pixels")
            frames = getattr(image, "n_frames", 1)
            if frames > MAX_FRAMES:
                raise FetchError("the image has too many frames")
            options: dict = {}
            if frames > 1 and kind in ("GIF", "WEBP", "PNG"):
                options = {"save_all": True, "loop": image.info.get("loop", 0)}
            elif kind == "JPEG" and image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            image.save(out, format=kind, **options)
            width, height = image.width, image.height
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise FetchError("the image could not be read") from exc
    return FetchedImage(out.getvalue(), FORMATS[kind], width, height)


def fetch_image(
    url: str,
    *,
    max_bytes: int,
    timeout: float,
    allowed_ports: Iterable[int],
    allow_networks: Iterable[str] = (),
    user_agent: str,
) -> FetchedImage:
    """Fetch the image at a public address, following at most MAX_REDIRECTS redirects.

    `timeout` bounds the whole fetch (each connect and read too). Raise AddressRefused
    for an address inside a network (at any hop), FetchError for anything else.
    """
    deadline = time.monotonic() + timeout
    per_call = (min(timeout, 5.0), min(timeout, 10.0))
    allowed_ports = tuple(allowed_ports)
    allow_networks = tuple(allow_networks)
    for _hop in range(MAX_REDIRECTS + 1):
        if time.monotonic() > deadline:
            raise FetchError("the image took too long to download")
        target = _check(url, allowed_ports=allowed_ports, allow_networks=allow_networks)
        response = _get(target, timeout=per_call, user_agent=user_agent)
        with response:
            if response.status_code in _REDIRECTS:
                location = response.headers.get("Location", "")
                if not location:
                    raise FetchError("a redirect without a Location")
                url = urljoin(url, location)
                continue
            if response.status_code != 200:
                raise FetchError(f"the host answered {response.status_code}")
            data = _read(response, max_bytes=max_bytes, deadline=deadline)
        return reencode(data)
    raise FetchError(f"more than {MAX_REDIRECTS} redirects")

"""The image proxy: signed addresses, the SSRF guard of its fetch, the view, the CSP.

Images are served by local HTTP servers on loopback. The proxy refuses loopback like any
internal address, so the tests name their server's network in the test-only setting
IMAGE_PROXY_ALLOW_NETWORKS, and names resolve through a stand-in for the proxy's own
resolver (`network.resolve`); the socket module is left alone.
"""

import io
import ipaddress
import time
from itertools import chain, repeat

import pytest
from django.urls import reverse
from PIL import Image
from pytest_httpserver import HTTPServer
from werkzeug import Response

from shortscience.imageproxy import network
from shortscience.imageproxy.network import AddressRefused, FetchError, fetch_image
from shortscience.imageproxy.signing import proxied_sources, proxied_url
from shortscience.markup import render
from shortscience.models import ProxiedImage
from shortscience.rendering import render_stored
from summaries.models import Summary
from tests.factories import SummaryFactory, UserFactory


def _image(kind: str = "PNG", size=(6, 4)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=kind)
    return out.getvalue()


PNG = _image()


@pytest.fixture
def allowed(httpserver, settings):
    """The local server's network and port let through, as a public host's would be."""
    settings.IMAGE_PROXY_ALLOW_NETWORKS = ["127.0.0.1/32"]
    settings.IMAGE_PROXY_ALLOWED_PORTS = [80, 443, httpserver.port]
    settings.IMAGE_PROXY_TIMEOUT = 2.0
    return httpserver


@pytest.fixture
def dns(monkeypatch):
    """Answers of the proxy's resolver by name: each name maps to a list of answers
    given one per lookup (the last one repeating); other names resolve for real."""
    answers: dict[str, object] = {}
    lookups: list[str] = []
    real = network.resolve

    def resolve(host, port):
        lookups.append(host)
        if host not in answers:
            return real(host, port)
        return [ipaddress.ip_address(a) for a in next(answers[host])]

    def set_answers(host, *sequence):
        answers[host] = chain(sequence, repeat(sequence[-1]))

    monkeypatch.setattr(network, "resolve", resolve)
    set_answers.lookups = lookups
    return set_answers


def at(server, path: str) -> str:
    """The server's address by number: "localhost" also resolves to ::1, not allowed."""
    return f"http://127.0.0.1:{server.port}{path}"


def fetch(url, settings, **overrides):
    options = {
        "max_bytes": settings.IMAGE_PROXY_MAX_BYTES,
        "timeout": settings.IMAGE_PROXY_TIMEOUT,
        "allowed_ports": settings.IMAGE_PROXY_ALLOWED_PORTS,
        "allow_networks": settings.IMAGE_PROXY_ALLOW_NETWORKS,
        "user_agent": "shortscience-tests",
    } | overrides
    return fetch_image(url, **options)


@pytest.fixture(scope="module")
def _internal_server(make_httpserver):
    server = HTTPServer(host="127.0.0.2", port=make_httpserver.port)
    server.expect_request("/fig.png").respond_with_data("internal secret")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def private_server(_internal_server):
    """A second server on 127.0.0.2, same port: what an internal service would be."""
    _internal_server.clear_log()
    return _internal_server


# --- Addresses ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "169.254.1.1",
        "100.64.0.1",
        "100.100.100.200",
        "0.0.0.0",  # noqa: S104  # refused, not bound to
        "224.0.0.251",
        "239.1.1.1",
        "240.0.0.1",
        "255.255.255.255",
        "192.0.0.192",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "fd00:ec2::254",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "64:ff9b::a00:1",
        "2002:7f00:1::",
        "2002:a9fe:a9fe::",
    ],
)
def test_internal_addresses_are_refused(address):
    assert network.address_refusal(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize(
    "address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]
)
def test_public_addresses_are_fetched(address):
    assert network.address_refusal(ipaddress.ip_address(address)) is None


def test_metadata_addresses_are_refused_even_inside_an_allowed_network():
    metadata = ipaddress.ip_address("169.254.169.254")

    assert network.address_refusal(metadata, allow_networks=["169.254.0.0/16"])
    assert not network.address_refusal(
        ipaddress.ip_address("169.254.1.1"), allow_networks=["169.254.0.0/16"]
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/fig.png",
        "http://[::1]:{port}/fig.png",
        "http://[::ffff:127.0.0.1]:{port}/fig.png",
        "http://2130706433:{port}/fig.png",  # 127.0.0.1 written as one number
        "http://localhost:{port}/fig.png",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/fig.png",
    ],
)
def test_loopback_and_internal_urls_are_refused_without_a_connection(
    url, httpserver, settings
):
    httpserver.expect_request("/fig.png").respond_with_data(PNG)
    settings.IMAGE_PROXY_ALLOWED_PORTS = [80, 443, httpserver.port]
    assert settings.IMAGE_PROXY_ALLOW_NETWORKS == []  # the production default

    with pytest.raises(AddressRefused):
        fetch(url.format(port=httpserver.port), settings)
    assert httpserver.log == []


def test_the_test_allowlist_is_what_lets_the_local_server_through(allowed, settings):
    allowed.expect_request("/fig.png").respond_with_data(PNG)
    url = at(allowed, "/fig.png")

    assert fetch(url, settings).content_type == "image/png"
    with pytest.raises(AddressRefused):
        fetch(url, settings, allow_networks=[])


@pytest.mark.parametrize(
    "url",
    [
        "ftp://images.example/fig.png",
        "file:///etc/passwd",
        "http://images.example:22/fig.png",
        "http://user:secret@images.example/fig.png",
    ],
)
def test_only_http_on_allowed_ports_is_fetched(url, dns, settings):
    dns("images.example", ["93.184.215.14"])

    with pytest.raises(AddressRefused):
        fetch(url, settings)


@pytest.mark.parametrize(
    "answer",
    [["10.0.0.7"], ["93.184.215.14", "127.0.0.1"], ["::ffff:192.168.0.1"]],
)
def test_a_public_looking_name_with_an_internal_answer_is_refused(
    answer, dns, settings
):
    dns("figures.example.org", answer)

    with pytest.raises(AddressRefused):
        fetch("https://figures.example.org/fig.png", settings)


# --- Redirects and rebinding ---------------------------------------------------------------


@pytest.mark.parametrize(
    "location",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:{port}/fig.png",
        "http://intranet.example:{port}/fig.png",
        "http://127.0.0.2:{port}/fig.png",
    ],
)
def test_a_redirect_to_an_internal_address_is_refused(
    location, allowed, private_server, dns, settings
):
    dns("intranet.example", ["127.0.0.2"])
    target = location.format(port=allowed.port)
    allowed.expect_request("/fig.png").respond_with_response(
        Response(status=302, headers={"Location": target})
    )

    with pytest.raises(AddressRefused):
        fetch(at(allowed, "/fig.png"), settings)
    assert private_server.log == []


def test_redirects_are_followed_to_the_image_but_not_forever(allowed, settings):
    allowed.expect_request("/old.png").respond_with_response(
        Response(status=301, headers={"Location": "/fig.png"})
    )
    allowed.expect_request("/fig.png").respond_with_data(PNG)
    allowed.expect_request("/loop.png").respond_with_response(
        Response(status=302, headers={"Location": "/loop.png"})
    )

    assert fetch(at(allowed, "/old.png"), settings).width == 6
    with pytest.raises(FetchError, match="redirects"):
        fetch(at(allowed, "/loop.png"), settings)


def test_the_connection_goes_to_the_checked_address_not_a_later_answer(
    allowed, private_server, dns, settings
):
    # The name is unknown to the system's resolver: the fetch can only succeed by
    # connecting to the address the proxy checked. Later answers point inside.
    dns("rebind.example", ["127.0.0.1"], ["127.0.0.2"])
    allowed.expect_request(
        "/fig.png", headers={"Host": f"rebind.example:{allowed.port}"}
    ).respond_with_data(PNG)

    fetched = fetch(f"http://rebind.example:{allowed.port}/fig.png", settings)

    assert fetched.content_type == "image/png"
    assert dns.lookups == ["rebind.example"]
    assert private_server.log == []


def test_a_name_rebound_inside_between_redirects_is_refused(
    allowed, private_server, dns, settings
):
    dns("rebind.example", ["127.0.0.1"], ["127.0.0.2"])
    allowed.expect_request("/hop.png").respond_with_response(
        Response(status=302, headers={"Location": "/fig.png"})
    )

    with pytest.raises(AddressRefused):
        fetch(f"http://rebind.example:{allowed.port}/hop.png", settings)
    assert dns.lookups == ["rebind.example", "rebind.example"]
    assert private_server.log == []


# --- What comes back -------------------------------------------------------------------


def _chunked(data: bytes, pause: float = 0.0, pieces: int = 8):
    def body():
        step = max(len(data) // pieces, 1)
        for start in range(0, len(data), step):
            yield data[start : start + step]
            time.sleep(pause)

    return Response(body(), content_type="image/png")


@pytest.mark.parametrize("declared", [True, False])
def test_an_image_over_the_size_limit_is_refused_while_it_downloads(
    declared, allowed, settings
):
    big = _image(size=(300, 300))  # about 1 kB of PNG
    response = Response(big, content_type="image/png") if declared else _chunked(big)
    allowed.expect_request("/big.png").respond_with_response(response)

    with pytest.raises(FetchError, match="larger than 500 bytes"):
        fetch(at(allowed, "/big.png"), settings, max_bytes=500)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (
            b"<!doctype html><title>Not found</title><script>alert(1)</script>",
            "image/png",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "image/svg+xml",
        ),
        (_image("BMP"), "image/bmp"),
    ],
    ids=["html-named-png", "svg-with-script", "bmp"],
)
def test_what_is_not_a_png_jpeg_gif_or_webp_is_refused(
    body, content_type, allowed, settings
):
    allowed.expect_request("/fig.png").respond_with_data(
        body, content_type=content_type
    )

    with pytest.raises(FetchError):
        fetch(at(allowed, "/fig.png"), settings)


def test_images_are_judged_by_their_bytes_and_written_afresh(allowed, settings):
    polyglot = _image("JPEG") + b"<script>alert(1)</script>"
    allowed.expect_request("/photo").respond_with_data(
        polyglot, content_type="text/html"
    )

    fetched = fetch(at(allowed, "/photo"), settings)

    assert fetched.content_type == "image/jpeg"
    assert b"<script" not in fetched.content
    assert Image.open(io.BytesIO(fetched.content)).size == (6, 4)


def test_a_slow_drip_is_cut_off_at_the_deadline(allowed, settings):
    allowed.expect_request("/slow.png").respond_with_response(
        _chunked(PNG, pause=0.35, pieces=3)
    )

    with pytest.raises(FetchError, match="too long"):
        fetch(at(allowed, "/slow.png"), settings, timeout=0.5)


# --- Signed addresses and the view -------------------------------------------------------


def _src(html: str) -> str:
    return html.split('src="', 1)[1].split('"', 1)[0]


@pytest.mark.django_db
def test_a_tampered_address_is_not_found(client):
    src = _src(render("![fig](https://figures.example.org/fig.png)"))
    _, _, signature, encoded = src.split("/")
    other = proxied_url("https://figures.example.org/other.png").split("/")[-1]

    flipped = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    for address in (
        f"/img/{flipped}/{encoded}",
        f"/img/{signature}/{other}",
        f"/img/{signature}/{encoded}x",
        f"/img/{signature}/!!!",
    ):
        assert client.get(address).status_code == 404, address
    assert ProxiedImage.objects.count() == 0


@pytest.mark.django_db
def test_addresses_signed_with_the_previous_key_work_while_it_is_a_fallback(
    client, settings
):
    settings.IMAGE_PROXY_KEY = "old-key"
    src = _src(render("![fig](https://figures.example.org/fig.png)"))
    settings.IMAGE_PROXY_KEY = "new-key"

    assert client.get(src).status_code == 404
    settings.IMAGE_PROXY_KEY_FALLBACKS = ["old-key"]
    assert client.get(src).status_code == 202


@pytest.mark.django_db
def test_a_placeholder_first_then_the_stored_image_after_the_host_is_gone(
    client, allowed, dns, django_capture_on_commit_callbacks
):
    dns("figures.example.org", ["127.0.0.1"])
    allowed.expect_oneshot_request("/fig.png").respond_with_data(PNG)
    src = _src(render(f"![fig](http://figures.example.org:{allowed.port}/fig.png)"))

    with django_capture_on_commit_callbacks(execute=True) as queued:
        first = client.get(src)

    assert first.status_code == 202
    assert first["Content-Type"] == "image/svg+xml"
    assert first["Cache-Control"] == "no-store"
    assert first["Retry-After"]
    assert "Loading image" in first.content.decode()
    assert len(queued) == 1
    image = ProxiedImage.objects.get()
    assert (image.status, image.content_type, image.size) == (
        "fetched",
        "image/png",
        len(image.file.read()),
    )
    allowed.clear()  # the figure's host goes away

    stored = client.get(src)

    assert stored.status_code == 200
    assert stored["Content-Type"] == "image/png"
    assert stored["X-Content-Type-Options"] == "nosniff"
    assert stored["Content-Security-Policy"].endswith("sandbox")
    assert stored["Content-Disposition"].startswith("inline")
    assert "immutable" in stored["Cache-Control"]
    assert Image.open(io.BytesIO(b"".join(stored.streaming_content))).size == (6, 4)
    assert allowed.log == []


@pytest.mark.django_db
def test_a_failed_fetch_shows_unavailable_and_waits_before_trying_again(
    client, allowed, dns, django_capture_on_commit_callbacks
):
    dns("figures.example.org", ["127.0.0.1"])
    allowed.expect_request("/gone.png").respond_with_data("gone", status=404)
    src = _src(render(f"![fig](http://figures.example.org:{allowed.port}/gone.png)"))
    with django_capture_on_commit_callbacks(execute=True):
        client.get(src)

    with django_capture_on_commit_callbacks(execute=True) as queued:
        again = client.get(src)

    assert again.status_code == 502
    assert "Image unavailable" in again.content.decode()
    assert queued == []  # within the backoff nobody asks the host again
    image = ProxiedImage.objects.get()
    assert (image.status, image.failures) == ("failed", 1)
    assert "404" in image.last_error
    assert len(allowed.log) == 1


@pytest.mark.django_db
def test_one_client_cannot_have_many_new_addresses_fetched(client, settings):
    settings.IMAGE_PROXY_NEW_RATE = "2/m"
    sources = [
        _src(render(f"![f](https://figures.example.org/{n}.png)")) for n in range(3)
    ]

    answers = [client.get(src).status_code for src in sources]

    assert answers == [202, 202, 202]
    assert ProxiedImage.objects.count() == 2


@pytest.mark.django_db
def test_rendering_a_summary_queues_its_images_from_other_sites(
    django_capture_on_commit_callbacks,
):
    summary = SummaryFactory(
        body="![a](https://figures.example.org/a.png)\n\n![b](/media/images/b.png)"
    )

    with django_capture_on_commit_callbacks():
        render_stored(Summary, summary.pk)

    (image,) = ProxiedImage.objects.all()
    assert image.url == "https://figures.example.org/a.png"
    assert image.next_attempt_at is not None  # its fetch is queued
    assert proxied_sources(Summary.objects.get(pk=summary.pk).body_html) == [image.url]


@pytest.mark.django_db
def test_the_editor_preview_shows_outside_images_through_the_proxy(client):
    writer = UserFactory()
    client.force_login(writer)

    response = client.post(
        reverse("summaries:summary-preview"),
        {"body": "![fig](https://figures.example.org/fig.png)"},
    )

    assert (
        proxied_url("https://figures.example.org/fig.png") in response.content.decode()
    )
    assert "figures.example.org" not in response.content.decode()


@pytest.mark.django_db
def test_the_csp_admits_images_from_the_site_and_data_only(client):
    header = client.get("/")["Content-Security-Policy"]

    img_src = next(p.strip() for p in header.split(";") if "img-src" in p)
    assert img_src == "img-src 'self' data:"

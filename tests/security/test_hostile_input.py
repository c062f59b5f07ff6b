"""Hundreds of published XSS vectors through the renderer, checked statically.

The corpus is tests/fixtures/xss/vectors.txt; the checker is tests/security/xss.py.
test_hostile_pages.py puts the same corpus into every page of the site.
"""

import html
import re
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from shortscience.markup import render
from tests.security.xss import load_vectors, page_problems, unsafe_parts

VECTORS = load_vectors()


def _short(vector: str) -> str:
    return repr(vector[:60])


# Markdown surroundings a vector may be written in; each must stay inert in all of them.
CONTEXTS = {
    "alone": "{}",
    "list-and-quote": "- item\n\n  > {}",
    "table-cell": "| h |\n|---|\n| {} |",
    "emphasis": "*{}*",
    "link-text": "[{}](https://example.com/)",
    "after-math": "$x^2$ {} $y$",
}


# --- The checker itself ------------------------------------------------------------------


@pytest.mark.parametrize(
    "fragment",
    [
        "<script>alert(1)</script>",
        "<p><iframe src=x></iframe></p>",
        "<object data=x></object>",
        "<embed src=x>",
        "<base href=/>",
        "<form action=/x></form>",
        '<meta http-equiv="refresh" content="0">',
        "<img src=x onerror=alert(1)>",
        "<svg><g ONLOAD=alert(1)></g></svg>",
        '<a href="javascript:alert(1)">x</a>',
        '<a href="  JaVa&#x09;Script&colon;alert(1)">x</a>',
        '<a href="&#x01;javascript:alert(1)">x</a>',
        '<a href="java\nscript:alert(1)">x</a>',
        '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
        '<a href="vbscript:msgbox(1)">x</a>',
        '<svg><a xlink:href="javascript:alert(1)">x</a></svg>',
        '<button formaction="javascript:alert(1)">x</button>',
        '<span style="background:url(x)">x</span>',
        '<span style="width:expr/**/ession(alert(1))">x</span>',
        '<span style="background:\\75 rl(x)">x</span>',
        '<div hx-get="/x" hx-trigger="load">x</div>',
        '<div data-hx-on:click="alert(1)">x</div>',
    ],
)
def test_checker_flags_executable_html(fragment):
    assert unsafe_parts(fragment)


@pytest.mark.parametrize(
    "page",
    [
        "<html><body><p>x</p><script>alert(1)</script></body></html>",
        '<head><meta http-equiv="refresh" content="0;url=/x"></head>',
        '<head><link rel="stylesheet" href="//evil.example/x.css"></head>',
        '<body><script src="//evil.example/x.js"></script></body>',
        '<body><form action="https://evil.example/"></form></body>',
        '<script type="application/ld+json">{"a": "</script><script>alert(1)//"}</script>',
        '<body><a href="javascript:alert(1)">x</a></body>',
        "<body><iframe src=/></iframe></body>",
    ],
)
def test_checker_flags_pages_with_what_the_templates_never_write(page):
    assert page_problems(page)


def test_checker_passes_plain_markup():
    html = render("Hi *there*, [a link](https://example.com/) and $x^2$ ![i](/a.png)")

    assert unsafe_parts(html) == []


# --- The corpus ----------------------------------------------------------------------------


def test_corpus_holds_several_hundred_vectors_of_every_kind():
    kinds = {
        "raw html": "<script",
        "event handlers": "onerror=",
        "svg": "<svg",
        "mathml": "<math",
        "css": "expression(",
        "markdown links": "[a](javascript:",
        "markdown images": "![a](",
        "autolinks": "<javascript:",
        "reference links": "[r]: javascript:",
        "entity-encoded schemes": "&#x09;script:",
        "data urls": "data:text/html",
        "katex href": "\\href{javascript:",
        "katex url": "\\url{javascript:",
        "katex html commands": "\\htmlData{",
        "katex images": "\\includegraphics",
    }

    missing = [
        k for k, marker in kinds.items() if not any(marker in v for v in VECTORS)
    ]

    assert len(VECTORS) >= 500
    assert len(set(VECTORS)) == len(VECTORS)
    assert missing == []


# --- The renderer ----------------------------------------------------------------------------


@pytest.mark.parametrize("vector", VECTORS, ids=_short)
def test_rendered_vector_is_inert_in_every_markdown_context(vector):
    problems = {
        name: unsafe_parts(render(template.format(vector)))
        for name, template in CONTEXTS.items()
    }

    assert {name: found for name, found in problems.items() if found} == {}


def test_whole_corpus_in_one_document_is_inert():
    html = render("\n\n".join(VECTORS))

    assert unsafe_parts(html) == []


class _ImageSources(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.sources.extend(v or "" for k, v in attrs if k == "src")


def test_no_rendered_image_loads_from_another_site():
    # Images from elsewhere come through the image proxy, alone, in a table or in a link.
    parser = _ImageSources()
    for context in ("alone", "table-cell", "link-text"):
        template = CONTEXTS[context]
        parser.feed(render("\n\n".join(template.format(v) for v in VECTORS)))

    leaks = [
        src
        for src in parser.sources
        if re.sub(r"[\s\x00-\x1f]", "", src).replace("\\", "/").startswith("//")
        or re.match(r"[\s\x00-\x1f]*[a-z][a-z0-9+.-]*:", src, re.I)
    ]
    assert parser.sources
    assert leaks == []


# --- Links the renderer builds -------------------------------------------------------------


@pytest.mark.django_db
def test_cite_link_carries_the_whole_doi_to_the_cite_page(client):
    output = render(r"\cite{doi:10.1000/x?y#z}")

    href = html.unescape(re.search(r'class="paper-cite" href="([^"]+)"', output)[1])
    response = client.get(href)

    assert response.status_code == 302
    assert response["Location"] == (
        reverse("papers:paper-add") + "?" + urlencode({"q": "10.1000/x?y#z"})
    )


def test_cite_of_a_doi_with_dot_segments_stays_text():
    output = render(r"\cite{doi:10.1000/../../../accounts/logout/}")

    assert output == "<p>\\cite{doi:10.1000/../../../accounts/logout/}</p>\n"

"""Code and project links found in arXiv's comments and abstracts, and the normal form
of every link (papers/links.py), on real comments from arXiv."""

import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from papers import links
from papers.templatetags.paperlinks import with_links

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "oai"
COMMENTS = {
    r["arxiv_id"]: r["comment"]
    for r in json.loads((FIXTURES / "comments_oai_dc_cs_2021.json").read_text())
}


def found(arxiv_id):
    return [
        (link.kind, link.url)
        for link in links.links_in_text(COMMENTS[arxiv_id], origin=links.COMMENT)
    ]


@pytest.mark.parametrize(
    ("arxiv_id", "expected"),
    [
        # "Code is available at" on a line of its own.
        (
            "2102.04378",
            [("code", "https://github.com/heshuting555/TransReID")],
        ),
        # Code and a GitHub Pages project page in one comment, across a line break.
        (
            "1811.00684",
            [
                (
                    "code",
                    "https://github.com/NVIDIA/semantic-segmentation/tree/sdcnet/sdcnet",
                ),
                ("project", "https://nv-adlr.github.io/publication/2018-SDCNet"),
            ],
        ),
        # "Code: ... Data: ... Video: ...": each address takes the word before it.
        (
            "2012.03308",
            [
                ("code", "https://github.com/weihaox/TediGAN"),
                ("data", "https://github.com/weihaox/Multi-Modal-CelebA-HQ"),
                ("video", "https://youtu.be/L8Na2f5viAM"),
            ],
        ),
        # A project page off the code hosts, named by its words; its trailing "/" kept.
        ("2007.06705", [("project", "http://pmh47.net/o3v/")]),
        # "Code is available at" a GitHub Pages site: the words win over the host.
        ("2012.09842", [("code", "https://xyz-r-d.github.io/xrcnet")]),
        # "Live demo available at": a project page; "Supplementary material": nothing.
        (
            "2102.03292",
            [
                ("code", "https://github.com/Nojgaard/mechsearch"),
                ("project", "https://cheminf.imada.sdu.dk/mechsearch/"),
            ],
        ),
        # "(Speech samples: https://....github.io/GraphSpeech/)": the bracket is not
        # part of the address.
        ("2010.12423", [("project", "https://ttslr.github.io/GraphSpeech")]),
        # Addresses that are neither code nor a project page are left out.
        ("2102.08159", []),  # "ICLR 2021 submission version: openreview..."
        ("2102.11730", []),  # "available online at https://doi.org/..."
        ("1004.3608", []),  # "For further details, see http://wwwmaths..."
    ],
)
def test_links_in_real_arxiv_comments(arxiv_id, expected):
    assert found(arxiv_id) == expected


def test_every_link_found_in_the_real_comments_is_http_and_listed_once():
    every = [
        link
        for comment in COMMENTS.values()
        for link in links.links_in_text(comment, origin=links.COMMENT)
    ]
    assert len(every) > 60
    for link in every:
        assert link.url.startswith(("http://", "https://"))
        assert links.normalise_url(link.url) == link.url
    for comment in COMMENTS.values():
        keys = [link.key for link in links.links_in_text(comment, origin="comment")]
        assert len(keys) == len(set(keys))


def test_abstract_links_come_after_the_comments_and_tex_is_read():
    # The last sentences of two real abstracts (arXiv cs, March 2021), TeX escapes kept.
    abstract = (
        "The source codes are publicly available at "
        "https://github.com/iVMCL/AttentiveNorm\\_Detection (the MS-COCO Detection "
        "and Segmentation). Code: \\url{https://github.com/lxtGH/SFSegNets}."
    )
    shown = links.links_from_paper(
        comment="Code: https://github.com/lxtgh/SFSegNets.git", abstract=abstract
    )
    assert [(link.url, link.origin) for link in shown] == [
        ("https://github.com/lxtgh/SFSegNets", links.COMMENT),
        ("https://github.com/iVMCL/AttentiveNorm_Detection", links.ABSTRACT),
    ]


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("HTTPS://GitHub.com/Owner/Repo.git/", "https://github.com/Owner/Repo"),
        ("github.com/owner/repo", "https://github.com/owner/repo"),
        ("http://example.org:80/page", "http://example.org/page"),
        ("https://example.org/", "https://example.org"),
        ("https://example.org:8443/a?b=1#c", "https://example.org:8443/a?b=1#c"),
    ],
)
def test_normal_form(typed, normal):
    assert links.normalise_url(typed) == normal


def test_one_key_for_the_same_page_however_written():
    assert links.link_key(
        links.normalise_url("http://www.github.com/Owner/Repo/")
    ) == links.link_key(links.normalise_url("https://github.com/owner/repo.git"))


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("javascript:alert(1)", "Only web addresses"),
        ("JaVaScRiPt:alert(document.cookie)", "Only web addresses"),
        ("data:text/html,<script>alert(1)</script>", "Only web addresses"),
        ("ftp://example.org/code.tar.gz", "Only web addresses"),
        ("vbscript:msgbox", "Only web addresses"),
        ("https://user:secret@example.org/", "user name or password"),
        ("https://exa mple.org/", "spaces"),
        ("https://localhost/", "full web address"),
        ("//evil.example/", "full web address"),
        ("", "Enter the address"),
        ("https://example.org/" + "a" * 500, "at most 500 characters"),
    ],
)
def test_refused_addresses_say_why(typed, message):
    with pytest.raises(ValidationError) as caught:
        links.normalise_url(typed)
    assert message in " ".join(caught.value.messages)


def test_comment_shown_with_escaped_text_and_only_http_links():
    html = with_links(
        'Code: https://github.com/o/r. <script>alert(1)</script> "x" '
        "javascript:alert(1) see www.example.org/p"
    )
    assert (
        '<a href="https://github.com/o/r" rel="nofollow ugc noopener">'
        "https://github.com/o/r</a>."
    ) in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html
    assert '<a href="https://www.example.org/p"' in html

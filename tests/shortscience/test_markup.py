import html
import json
import os
import re
import subprocess
import sys
import threading
from html.parser import HTMLParser
from pathlib import Path

import pytest

from shortscience import markup
from shortscience.imageproxy.signing import proxied_sources, proxied_url
from shortscience.markup import RENDERER_VERSION, engine, render, render_math

ROOT = Path(__file__).resolve().parents[2]

ANNOTATION_RE = re.compile(
    r'<annotation encoding="application/x-tex">(.*?)</annotation>', re.DOTALL
)


def tex_sources(output):
    """Return the TeX that reached KaTeX, as KaTeX echoes it in MathML."""
    return [html.unescape(m) for m in ANNOTATION_RE.findall(output)]


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements = []
        self.events = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))
        attrs = [(k, _normalise_style(v) if k == "style" else v) for k, v in attrs]
        self.events.append(("start", tag, tuple(sorted(attrs))))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag):
        self.events.append(("end", tag))

    def handle_data(self, data):
        self.events.append(("data", data))


def _normalise_style(value):
    # The sanitiser re-serialises style attributes: it drops the final `;` and
    # the space after `:`.
    declarations = (d.split(":", 1) for d in (value or "").split(";") if d.strip())
    return ";".join(f"{k.strip()}:{v.strip()}" for k, v in declarations)


def parse(output):
    parser = _Elements()
    parser.feed(output)
    parser.close()
    return parser


# --- Version -------------------------------------------------------------------


def test_renderer_version_names_the_installed_katex():
    package = json.loads((ROOT / "node_modules/katex/package.json").read_text())

    assert RENDERER_VERSION.startswith("md")
    assert RENDERER_VERSION.endswith(f"-katex{package['version']}")


# --- Markdown ------------------------------------------------------------------


def test_render_commonmark_tables_and_strikethrough():
    source = "# Title\n\n*em* **strong** ~~gone~~\n\n| a | b |\n|--:|---|\n| 1 | 2 |\n"

    output = render(source)

    assert "<h1>Title</h1>" in output
    assert "<em>em</em> <strong>strong</strong> <s>gone</s>" in output
    assert '<th style="text-align:right">a</th>' in output
    assert "<td>2</td>" in output


def test_raw_html_is_escaped_as_text():
    output = render('<b onclick="x()">bold</b>')

    assert output == '<p>&lt;b onclick="x()"&gt;bold&lt;/b&gt;</p>\n'


def test_fenced_code_keeps_its_language_class():
    output = render("```python\nx = 1\n```")

    assert '<pre><code class="language-python">x = 1\n</code></pre>' in output


def test_bare_urls_become_links():
    output = render("See https://example.com/page for more.")

    assert (
        '<a href="https://example.com/page" rel="nofollow ugc noopener">'
        "https://example.com/page</a>"
    ) in output


def test_links_get_nofollow_ugc_noopener():
    output = render("[home](https://example.com/)")

    assert (
        '<a href="https://example.com/" rel="nofollow ugc noopener">home</a>' in output
    )


def test_relative_and_mailto_links_are_kept():
    output = render("[a](/papers/1) [b](mailto:me@example.com)")

    assert 'href="/papers/1"' in output
    assert 'href="mailto:me@example.com"' in output


# --- Images ----------------------------------------------------------------------


def test_bare_image_url_becomes_a_linked_lazy_image():
    output = render("Figure:\n\nhttps://example.com/fig/model%201.png\n\nAfter.")

    url = proxied_url("https://example.com/fig/model%201.png")
    assert (
        f'<p><a href="{url}" rel="nofollow ugc noopener"><img src="{url}"'
        ' alt="model 1.png" loading="lazy" class="md-img"></a></p>'
    ) in output
    assert "<p>After.</p>" in output


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/a.jpg",
        "https://example.com/a.JPEG",
        "https://example.com/a.gif",
        "https://example.com/a.webp",
        "https://example.com/a.svg",
        "https://example.com/a.png?raw=true&size=2",
    ],
)
def test_bare_image_url_extensions_and_query_strings(url):
    output = render(f"  {url}  ")

    assert f'<img src="{proxied_url(url)}"' in output
    assert 'loading="lazy"' in output


def test_image_url_inside_a_sentence_stays_a_link():
    output = render("Look at https://example.com/a.png here")

    assert "<img" not in output
    assert '<a href="https://example.com/a.png"' in output


def test_markdown_images_load_lazily():
    output = render("![a cat](https://example.com/cat.png)")

    assert (
        f'<img src="{proxied_url("https://example.com/cat.png")}" alt="a cat"'
        ' loading="lazy" class="md-img">'
    ) in output


@pytest.mark.parametrize(
    "source",
    [
        "![a](https://example.com/a.png)",
        "https://example.com/a.png",
        "![a](//example.com/a.png)",
        "![a](http://example.com:8080/a.png)",
    ],
)
def test_images_from_other_sites_load_through_the_signed_proxy(source):
    output = render(source)

    assert "example.com" not in output.split(' alt="')[0].split("<img", 1)[1]
    (original,) = proxied_sources(output)
    assert original.removeprefix("https:").removeprefix("http:") in source


@pytest.mark.parametrize(
    "src",
    [
        "/media/images/2024/01/fig.png",
        "http://127.0.0.1:8000/media/images/2024/01/fig.png",
        "https://cdn.shortscience.example/images/fig.png",
    ],
)
def test_uploads_on_the_site_or_its_storage_stay_as_they_are(src, settings):
    settings.MEDIA_ORIGINS = ["https://cdn.shortscience.example"]

    assert f'<img src="{src}"' in render(f"![fig]({src})")


# --- Math delimiters -------------------------------------------------------------


def test_inline_dollar_math_is_typeset():
    output = render("Energy $E = mc^2$ here.")

    assert '<span class="math math-inline"><span class="katex">' in output
    assert tex_sources(output) == ["E = mc^2"]
    assert output.endswith(" here.</p>\n")


def test_display_dollar_math_on_its_own_lines_is_a_block():
    output = render("$$\n\\sum_i x_i\n$$")

    assert output.startswith(
        '<div class="math math-display"><span class="katex-display">'
    )
    assert tex_sources(output) == ["\\sum_i x_i"]


def test_display_dollar_math_mid_line():
    output = render("so $$\\int_0^1 f$$ holds")

    assert '<span class="math math-display"><span class="katex-display">' in output
    assert tex_sources(output) == ["\\int_0^1 f"]
    assert output.startswith("<p>so ") and output.endswith(" holds</p>\n")


def test_display_dollar_math_spanning_lines_inside_a_paragraph():
    output = render("We get $$a\n+ b\n- c\n> d\n1. e$$ as claimed.")

    assert tex_sources(output) == ["a\n+ b\n- c\n> d\n1. e"]
    assert "<ul>" not in output and "<blockquote>" not in output
    assert output.endswith(" as claimed.</p>\n")


def test_paren_inline_math_is_typeset():
    output = render("Let \\(x_1 * y_1\\) be given.")

    assert '<span class="math math-inline">' in output
    assert tex_sources(output) == ["x_1 * y_1"]


def test_bracket_display_math_inside_a_paragraph():
    output = render("Then \\[\\frac{a}{b}\\] follows.")

    assert '<span class="math math-display"><span class="katex-display">' in output
    assert tex_sources(output) == ["\\frac{a}{b}"]


def test_bracket_display_math_as_a_block():
    output = render(
        "\\[\n\\begin{aligned} a &= b \\\\\n- c &= d\\end{aligned}\n\\]\n\nNext."
    )

    assert output.startswith('<div class="math math-display">')
    assert tex_sources(output) == [
        "\\begin{aligned} a &= b \\\\\n- c &= d\\end{aligned}"
    ]
    assert output.endswith("<p>Next.</p>\n")


def test_bracket_block_on_one_line():
    output = render("\\[ x^2 \\]")

    assert output.startswith('<div class="math math-display">')
    assert tex_sources(output) == ["x^2"]


def test_escaped_backslash_before_paren_is_not_math():
    output = render("a \\\\(b\\\\) c")

    assert "katex" not in output
    assert output == "<p>a \\(b\\) c</p>\n"


@pytest.mark.parametrize(
    "tex",
    [
        "a_1 * b_2 * c",
        "\\{x\\}",
        "a_{i}^{*} \\cdot b_{*}",
        "\\begin{aligned} a &= b \\\\ c &= d\\end{aligned}",
        "x <y> \\& z",
        "[a](b) `c` <d>",
        "\\_\\#\\%",
    ],
)
def test_math_reaches_katex_byte_for_byte(tex):
    for source in (f"${tex}$", f"$$\n{tex}\n$$", f"x $${tex}$$ y", f"\\({tex}\\)"):
        assert tex_sources(render(source)) == [tex]


def test_dollar_amounts_stay_text():
    output = render("I paid $5 and $10, then $ 3 $ more.")

    assert output == "<p>I paid $5 and $10, then $ 3 $ more.</p>\n"


def test_escaped_dollars_stay_text():
    output = render("costs \\$x\\$ today")

    assert output == "<p>costs $x$ today</p>\n"


def test_dollars_in_inline_code_stay_code():
    output = render("Use `$x$` and `$$y$$` literally.")

    assert "<code>$x$</code>" in output
    assert "<code>$$y$$</code>" in output
    assert "katex" not in output


def test_dollars_in_fenced_code_stay_code():
    output = render("```\n$$\nx_1\n$$\n\\(y\\)\n```")

    assert output == "<pre><code>$$\nx_1\n$$\n\\(y\\)\n</code></pre>\n"


def test_missing_katex_commands_are_defined():
    output = render("$\\mbox{if } \\bm{x} = \\argmax_y f + \\argmin_z g + \\mathds{1}$")

    assert "math-error" not in output
    assert "katex" in output


def test_global_macros_do_not_leak_between_documents():
    first = render("$\\gdef\\leaky{x}\\leaky$ and $\\leaky$")
    second = render("$\\leaky$")

    assert "math-error" not in first
    assert 'class="math-error"' in second


# --- Math errors -------------------------------------------------------------------


def test_broken_formula_keeps_its_source_and_the_text_after_it():
    output = render("$\\frac{$ and more text")

    assert output.startswith(
        '<p><span class="math-error" title="KaTeX: Unexpected end of input'
    )
    assert "<code>$\\frac{$</code></span> and more text</p>" in output


def test_broken_display_block_is_a_div():
    output = render("$$\n\\frac{a\n$$")

    assert output.startswith('<div class="math-error" title="KaTeX: ')
    assert "<code>$$\\frac{a$$</code></div>" in output


def test_broken_bracket_math_shows_its_own_delimiters():
    output = render("x \\(\\undefinedcommand\\) y")

    assert "<code>\\(\\undefinedcommand\\)</code>" in output
    assert "Undefined control sequence" in output


def test_error_message_and_source_are_escaped():
    output = render("$<b>\\nope</b>$")

    assert "<b>" not in output
    assert "<code>$&lt;b&gt;\\nope&lt;/b&gt;$</code>" in output


def test_render_math_returns_katex_html():
    output = render_math("x^2", display=False)

    assert output.startswith('<span class="katex"><span class="katex-mathml"><math')
    assert tex_sources(output) == ["x^2"]


def test_render_math_marks_an_error():
    output = render_math("\\frac{", display=True)

    assert output.startswith('<div class="math-error" title="KaTeX: ')
    assert output.endswith("<code>$$\\frac{$$</code></div>")


def test_engine_failure_degrades_to_source(monkeypatch):
    def explode(items, timeout):
        raise RuntimeError("V8 is gone")

    monkeypatch.setattr(markup._engine, "_run", explode)

    output = render("A $x$ and \\[y\\] end")

    assert output.count('class="math-error"') == 2
    assert "<code>$x$</code>" in output
    assert "<code>\\[y\\]</code>" in output
    assert output.endswith(" end</p>\n")


def test_missing_katex_bundle_degrades_to_source(monkeypatch, tmp_path):
    monkeypatch.setattr(engine, "_katex_js_path", lambda: tmp_path / "missing.js")
    markup._engine.close()
    try:
        output = render("$x$ stays")
    finally:
        monkeypatch.undo()
        markup._engine.close()

    assert output == (
        '<p><span class="math-error" title="KaTeX: math typesetting is unavailable">'
        "<code>$x$</code></span> stays</p>\n"
    )
    assert "math-error" not in render("$x$")


def test_runaway_formula_times_out_alone(monkeypatch):
    monkeypatch.setattr(engine, "_TYPESET_TIMEOUT_SEC", 0.3)
    monkeypatch.setattr(engine, "_FORMULA_TIMEOUT_SEC", 0.1)
    slow = "x" * 100_000

    output = render(f"${slow}$ then $y^2$")

    assert 'title="KaTeX: typesetting took too long"' in output
    assert f"<code>${slow}$</code>" in output
    assert tex_sources(output) == ["y^2"]
    assert "math-error" not in render("$z$")


@pytest.mark.parametrize(
    "source",
    [
        "$\\def\\a{\\a\\a}\\a$",
        "$\\def\\a#1{\\a{#1#1}}\\a{x}$",
        "$" + "{" * 20_000 + "$",
        "$\\rule{1000em}{1000em}$",
    ],
)
def test_pathological_formulas_degrade(source):
    output = render(source)

    assert "<p>" in output


# --- Sanitising keeps KaTeX intact ------------------------------------------------

KATEX_BATTERY = [
    "\\frac{a}{b}",
    "\\dfrac{\\partial L}{\\partial \\theta}",
    "\\binom{n}{k}",
    "\\sqrt{x}",
    "\\sqrt[3]{x^2 + y^2}",
    "\\sqrt{\\dfrac{\\dfrac{a}{b}}{\\dfrac{c}{d}}}",
    "\\begin{aligned} a &= b \\\\ c &= d \\end{aligned}",
    "\\begin{pmatrix} a & b \\\\ c & d \\end{pmatrix}",
    "\\begin{bmatrix} 1 & 0 \\\\ 0 & 1 \\end{bmatrix}",
    "\\begin{array}{c|c} a & b \\\\ \\hline c & d \\end{array}",
    "\\begin{cases} 1 & x > 0 \\\\ 0 & \\text{otherwise} \\end{cases}",
    "\\mathbb{R}^n \\mathcal{L} \\mathfrak{g} \\mathscr{F} \\mathbf{x} \\bm{x}",
    "\\left( \\frac{1}{2} \\right)",
    "\\left\\{ \\begin{matrix} a \\\\ b \\\\ c \\\\ d \\\\ e \\end{matrix} \\right.",
    "\\left\\langle x \\right\\rangle \\left\\| y \\right\\|",
    "\\overrightarrow{AB} \\xrightarrow{f} \\xleftarrow[a]{b}",
    "\\hat{x} \\tilde{y} \\bar{z} \\vec{v} \\dot{x}",
    "\\widehat{abc} \\widetilde{abc} \\overline{abc}",
    "\\underbrace{a + b}_{n} \\overbrace{c + d}^{m}",
    "\\cancel{x} \\bcancel{y} \\boxed{z} \\sout{w}",
    "\\color{red}{x} \\colorbox{yellow}{y} \\fcolorbox{red}{blue}{z}",
    "\\sum_{i=1}^n x_i \\prod_j \\int_0^\\infty e^{-x} dx \\lim_{n \\to \\infty}",
    "\\operatorname*{arg\\,max}_\\theta p(x \\mid \\theta) \\argmin_z",
    "\\quad a \\qquad b \\; c \\, d \\! e \\hspace{1em} f \\kern{2em} g",
    "\\phantom{x} \\smash{y} \\mathrlap{z} \\raisebox{1em}{w}",
    "\\rule{1em}{0.5em} \\pmb{x} \\Huge y \\tiny z",
    "\\begin{aligned} a \\\\[1em] b \\end{aligned}",
    "\\mbox{text} \\textbf{bold} \\mathrm{d}x",
    "x < y > z \\& w",
    "\\tag{1} E = mc^2",
]


@pytest.mark.parametrize("tex", KATEX_BATTERY)
def test_sanitising_keeps_display_katex_output_intact(tex):
    raw = render_math(tex, display=True)

    output = render(f"$$\n{tex}\n$$")

    assert "math-error" not in raw
    assert (
        parse(output).events
        == parse(f'<div class="math math-display">{raw}</div>\n').events
    )


@pytest.mark.parametrize("tex", [t for t in KATEX_BATTERY if "\\tag" not in t])
def test_sanitising_keeps_inline_katex_output_intact(tex):
    raw = render_math(tex, display=False)

    output = render(f"\\({tex}\\)")

    assert "math-error" not in raw
    assert (
        parse(output).events
        == parse(f'<p><span class="math math-inline">{raw}</span></p>\n').events
    )


def test_stretchy_constructs_keep_their_svg():
    output = render("$\\sqrt{x} \\widehat{abc} \\overrightarrow{AB}$")

    tags = [tag for tag, _ in parse(output).elements]
    assert tags.count("svg") >= 3
    assert "path" in tags


# --- Security --------------------------------------------------------------------

XSS_VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<iframe src=javascript:alert(1)></iframe>",
    '<a href="javascript:alert(1)">x</a>',
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<!-- x --><img src=x onerror=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](java&#x09;script:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](%6Aavascript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](file:///etc/passwd)",
    "[x][r]\n\n[r]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "![x](javascript:alert(1))",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '[x](http://example.com" onclick="alert(1))',
    '![x" onerror="alert(1)](https://example.com/a.png)',
    '[x](https://example.com "t\\" onmouseover=\\"alert(1)")',
    '```"><script>alert(1)</script>\ncode\n```',
    'https://example.com/a.png?"><script>alert(1)</script>',
    'https://example.com/x.png" onerror="alert(1)',
    'www.example.com/"onmouseover="alert(1)',
    "$\\href{javascript:alert(1)}{x}$",
    "$\\url{javascript:alert(1)}$",
    "$\\href{data:text/html,<script>alert(1)</script>}{x}$",
    "$\\includegraphics{javascript:alert(1)}$",
    '$\\htmlClass{x" onclick="alert(1)}{y}$',
    "$\\htmlStyle{background:url(javascript:alert(1))}{y}$",
    "$\\htmlId{x}{y}$",
    "$\\htmlData{onclick=alert(1)}{y}$",
    '$\\color{red" onmouseover="alert(1)}{x}$',
    "$\\text{<script>alert(1)</script>}$",
    "$</annotation><script>alert(1)</script>$",
    "$$</math><img src=x onerror=alert(1)>$$",
    "\\(<svg onload=alert(1)>\\)",
    "\\[<iframe src=javascript:alert(1)>\\]",
    "$\\frac{<img src=x onerror=alert(1)>$",
]

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "em", "strong", "del",
    "s", "code", "pre", "blockquote", "ul", "ol", "li", "a", "img", "table",
    "thead", "tbody", "tr", "th", "td", "span", "div", "sup", "sub",
    "math", "semantics", "annotation", "mrow", "mi", "mo", "mn", "ms", "mtext",
    "mspace", "msup", "msub", "msubsup", "mfrac", "msqrt", "mroot", "mover",
    "munder", "munderover", "mtable", "mtr", "mtd", "mlabeledtr", "mstyle",
    "mpadded", "mphantom", "menclose", "svg", "path", "line",
}  # fmt: skip

BAD_URL_RE = re.compile(r"^(javascript|data|vbscript|file):", re.IGNORECASE)


def assert_safe(output):
    assert "<script" not in output.lower()
    for tag, attrs in parse(output).elements:
        assert tag in ALLOWED_TAGS
        for name, value in attrs:
            assert not name.startswith("on")
            if name in ("href", "src"):
                url = re.sub(r"[\x00-\x20]", "", value or "")
                assert not BAD_URL_RE.match(url)
            if name == "style":
                assert "url(" not in value and "expression" not in value


def test_there_are_enough_xss_vectors():
    assert len(XSS_VECTORS) >= 30


@pytest.mark.parametrize("source", XSS_VECTORS)
def test_xss_vector_is_neutralised(source):
    assert_safe(render(source))


@pytest.mark.parametrize("source", XSS_VECTORS)
def test_xss_vector_is_neutralised_inside_a_list_and_quote(source):
    assert_safe(render(f"- item\n\n  > {source}\n"))


def test_untrusted_katex_commands_stay_inert():
    output = render("$\\href{https://example.com}{x} \\htmlClass{big}{y}$")

    elements = parse(output).elements
    assert "a" not in [tag for tag, _ in elements]
    assert "big" not in [v for _, attrs in elements for k, v in attrs if k == "class"]


def test_data_image_urls_are_dropped():
    output = render("![x](data:image/png;base64,iVBORw0KGgo=)")

    assert "data:" not in output
    assert "<img" in output


# --- Robustness and speed ------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "$" * 10_000,
        "$ " * 10_000,
        "a$" * 5_000,
        "$$\n" * 5_000,
        "\\(" * 5_000,
        "\\[\n" * 5_000,
        "`$" * 5_000,
        "[" * 10_000,
        "$$a$ b$$ \\(\\[ " * 2_000,
    ],
)
def test_pathological_input_completes(source):
    output = render(source)

    assert output.startswith("<")


def test_ten_thousand_dollars_keep_their_text():
    output = render("$" * 10_000)

    assert output.count("$") >= 9_996


def test_typical_summary_typesets_every_formula():
    # Speed is measured by benchmarks/render_bench.py; here only the result counts.
    paragraph = (
        "The encoder maps $x \\in \\mathbb{R}^d$ to $z = f_\\theta(x)$ and the loss "
        "is $$\\mathcal{L} = \\mathbb{E}_{q(z|x)}[\\log p(x|z)] - "
        "\\mathrm{KL}(q \\| p)$$ which we **minimise** with Adam. "
    )
    source = "\n\n".join([paragraph * 2] * 8)

    output = render(source)

    assert len(source) > 2_500
    assert len(tex_sources(output)) == 48
    assert output.count("<strong>minimise</strong>") == 16


def test_render_is_safe_from_several_threads():
    sources = [f"$x_{i}^2$ and $$\\frac{{{i}}}{{2}}$$" for i in range(8)]
    expected = [render(s) for s in sources]
    results = {}

    def work(i):
        results[i] = [render(sources[i]) for _ in range(20)]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert all(results[i] == [expected[i]] * 20 for i in range(8))


def test_import_and_render_without_django_settings(tmp_path):
    source = tmp_path / "x.md"
    source.write_text("Hello $x^2$\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    code = (
        "from shortscience.markup import render; "
        f"print(render(open({str(source)!r}).read()))"
    )

    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert result.stdout.startswith('<p>Hello <span class="math math-inline">')


def test_cite_keys_link_to_the_cite_redirect():
    html = markup.render(r"See \cite{arXiv:1611.03530v2, doi:10.1038/NATURE14539}.")
    assert '<a class="paper-cite" href="/cite/arxiv/1611.03530"' in html
    assert 'href="/cite/doi/10.1038/nature14539"' in html


def test_unknown_cite_keys_and_cites_in_code_stay_text():
    html = markup.render(r"\cite{foo} and `\cite{arXiv:1706.03762}`")
    assert "\\cite{foo}" in html
    assert "<code>\\cite{arXiv:1706.03762}</code>" in html
    assert "paper-cite" not in html


def test_extract_citations_counts_cites_and_paper_links():
    source = (
        r"\cite{arXiv:1611.03530} [a](https://arxiv.org/pdf/1706.03762v5.pdf) "
        r"[b](/papers/12/) [c](https://example.org/papers/7/) `\cite{arXiv:1412.6980}` "
        r"\cite{arXiv:1611.03530}"
    )
    assert markup.extract_citations(source) == [
        ("arxiv", "1611.03530"),
        ("arxiv", "1706.03762"),
        ("paper", "12"),
        ("paper", "7"),
    ]


def test_render_works_from_a_thread_running_an_event_loop():
    import asyncio

    async def inside_a_loop():
        return render("$x^2$")

    results = []
    worker = threading.Thread(
        target=lambda: results.append(asyncio.run(inside_a_loop()))
    )
    worker.start()
    worker.join()
    assert 'class="katex"' in results[0] and "math-error" not in results[0]


# --- ShortScience-style math: `$ ... $` with spaces inside ---------------------


@pytest.mark.parametrize(
    ("source", "tex"),
    [
        (
            "$ V_D^{\\pi}(s) = \\sum_t \\gamma^t r_t $",
            "V_D^{\\pi}(s) = \\sum_t \\gamma^t r_t",
        ),
        (
            "$ \\begin{aligned} a &= b \\\\ c &= d \\end{aligned} $",
            "\\begin{aligned} a &= b \\\\ c &= d \\end{aligned}",
        ),
        ("$ \\hat{x}_t = x_t / \\sigma_t $", "\\hat{x}_t = x_t / \\sigma_t"),
        ("$ x $", "x"),
        (
            "$ \\text{if the loss is small} \\; x_t = y_t $",
            "\\text{if the loss is small} \\; x_t = y_t",
        ),
        ("$ p(x_1, ..., x_n) $", "p(x_1, ..., x_n)"),
    ],
)
def test_spaced_dollar_math_is_math_as_on_shortscience(source, tex):
    output = render(f"Define {source} _here_.")

    assert tex_sources(output) == [tex]
    # Underscores and `\\` inside reached KaTeX; the `_here_` outside is still Markdown.
    assert output.endswith(" <em>here</em>.</p>\n")


def test_shortscience_summary_keeps_every_formula():
    source = (
        "The value is $ V_D^{\\pi}(s) = \\mathbb{E}_{\\pi} [ \\sum_t \\gamma^t r_t ] $ "
        "and the advantage $ A(s, a) = Q(s, a) - V(s) $, with $\\gamma$ fixed and "
        "$ \\pi_\\theta $ the policy.\n\nIt costs $5 and $10 to run."
    )

    output = render(source)

    assert tex_sources(output) == [
        "V_D^{\\pi}(s) = \\mathbb{E}_{\\pi} [ \\sum_t \\gamma^t r_t ]",
        "A(s, a) = Q(s, a) - V(s)",
        "\\gamma",
        "\\pi_\\theta",
    ]
    assert "<em>" not in output
    assert output.endswith("<p>It costs $5 and $10 to run.</p>\n")


@pytest.mark.parametrize(
    "source",
    [
        "I paid $5 and $10, then $ 3 $ more.",
        "between $ 5 and $ 10",
        "Run $ pip install torch $ first.",
        "Type $ python train.py --lr=0.1 and then $ python eval.py",
        "`$ echo $HOME` prints it",
        "a $ $ b",
        "costs 5$ x^2 $",
        "\\$ x^2 $ stays",
    ],
)
def test_spaced_dollars_that_are_not_tex_stay_text(source):
    output = render(source)

    assert "katex" not in output
    assert html.unescape(re.sub(r"<[^>]+>", "", output)).replace(
        "\\$", "$"
    ).strip() in (source.replace("`", "").replace("\\$", "$"),)


# The fixtures of mdit-py-plugins' dollarmath plugin (tests/fixtures/dollar_math.md),
# with the TeX each formula hands to KaTeX under this site's options: no labels (a
# label stays text after the formula), no digit next to a dollar, and spaces inside
# the dollars allowed when the span reads as TeX (so `$ x$` is math here, as in
# MathJax, where the plugin's fixture with `allow_space=False` keeps it text).
DOLLARMATH_FIXTURES = [
    ("$", []),
    ("$$", []),
    ("$a$", ["a"]),
    ("$\\varphi$", ["\\varphi"]),
    ("$1+1=2$", ["1+1=2"]),
    ("$1+1<3$", ["1+1<3"]),
    ("$a \\backslash$", ["a \\backslash"]),
    ("3$1+2$ $1+2$3", []),
    ("If you solve $1+2$ you get $3", ["1+2"]),
    ("$\\frac{1}{2}$", ["\\frac{1}{2}"]),
    (
        "$\\begin{pmatrix}x\\\\y\\end{pmatrix}$",
        ["\\begin{pmatrix}x\\\\y\\end{pmatrix}"],
    ),
    ("$a^{b}$", ["a^{b}"]),
    ("a $a\n\\not=1$ b", ["a\n\\not=1"]),
    ("a $a\n\n\\not=1$ b", []),
    ("$$e_\\alpha$$", ["e_\\alpha"]),
    ("$$1+1=2$$ (2)", ["1+1=2"]),
    ("a$1+1=2$\n$1+1=2$b\nc$x$d", ["1+1=2", "1+1=2", "x"]),
    ("$x$ $", ["x"]),
    ("$x$ $y$", ["x", "y"]),
    ("so-what is $x$", ["x"]),
    ("$$\na = 1\n$$\n\n$$\nb = 2\n$$", ["a = 1", "b = 2"]),
    ("$$\n1+1=2\n\n$$", []),
    ("`code`$a-b$", ["a-b"]),
    ("1. $1+2$\n2. $2+3$\n    1. $3+4$", ["1+2", "2+3", "3+4"]),
    ("> see $a = b + c$\n> $c^2=a^2+b^2$", ["a = b + c", "c^2=a^2+b^2"]),
    ("\\\\$1+1=2$", ["1+1=2"]),
    ("$ $\n$ x$\n$x $", ["x", "x"]),
    ("\\$p_2 = $a", []),
    ("$p_2 = \\$a", []),
    ("$p_2 = \\$1$", ["p_2 = \\$1"]),
    ("$p_2 = \\\\$a", ["p_2 = \\\\"]),
    ("$$a=1$$ b", ["a=1"]),
    ("a \\$$a=1$$ b", ["a=1"]),
    ("    $$a$$", []),
    (
        "Hence, for $\\alpha \\in (0, 1)$,\n$$\n  \\mathbb P (\\alpha \\bar{X} \\ge \\mu)"
        " \\le \\alpha;\n$$\ni.e., $[\\alpha \\bar{X}, \\infty)$ is a lower 1-sided"
        " $1-\\alpha$ confidence bound for $\\mu$.",
        [
            "\\alpha \\in (0, 1)",
            "\\mathbb P (\\alpha \\bar{X} \\ge \\mu) \\le \\alpha;",
            "[\\alpha \\bar{X}, \\infty)",
            "1-\\alpha",
            "\\mu",
        ],
    ),
]


@pytest.mark.parametrize(("source", "tex"), DOLLARMATH_FIXTURES)
def test_dollarmath_fixtures(source, tex):
    assert tex_sources(render(source)) == tex


def test_many_spaced_dollars_that_are_not_tex_keep_their_text():
    output = render("$ 1 " * 20_000)

    assert "katex" not in output
    assert output.count("$") == 20_000


# --- Bounded rendering -------------------------------------------------------------


@pytest.fixture
def step_clock(monkeypatch):
    """A clock for the renderer's deadline that moves 1 ms each time it is read.

    KaTeX is loaded first, on the real clock, as a running server has it."""
    markup.render("$x$")
    reads = []

    def monotonic():
        reads.append(None)
        return len(reads) / 1000

    monkeypatch.setattr(markup, "time", type("Clock", (), {"monotonic": monotonic}))
    return reads


@pytest.mark.parametrize(
    "source", ["![" * 50_000, "[" * 100_000, "*a" * 50_000, "[a](" * 25_000]
)
def test_pathological_input_stops_at_its_deadline(step_clock, source):
    # The worker thread's own render (render(..., timeout=...) runs it with a deadline
    # STOP_MARGIN before its own).
    with pytest.raises(markup.RenderTimeout):
        markup._render(source, 0.3)

    # The parse stopped at the first check past the deadline: 300 reads of 1 ms.
    assert len(step_clock) == 301


@pytest.mark.parametrize("source", ["![" * 50_000, "*a" * 50_000])
def test_a_bounded_render_gives_up_before_its_deadline(step_clock, source):
    with pytest.raises(markup.RenderTimeout):
        render(source, timeout=0.3)

    # The worker stopped STOP_MARGIN before the deadline; nothing ran past it.
    assert len(step_clock) <= 300 - markup.STOP_MARGIN * 1000 + 3


def test_ordinary_text_renders_within_its_deadline(step_clock):
    output = render(MATH_SUMMARY, timeout=0.3)

    assert tex_sources(output) == ["\\theta_{t+1} = \\theta_t - \\eta g_t"]
    assert len(step_clock) < 300


def test_a_bounded_render_answers_even_when_one_step_never_ends(monkeypatch):
    """No step needs to look at the clock: the render is abandoned at its deadline."""
    release = threading.Event()

    class StuckCleaner:
        def clean(self, html):
            release.wait()
            return html

    monkeypatch.setattr(markup, "_cleaner", StuckCleaner())
    try:
        with pytest.raises(markup.RenderTimeout):
            render("*ordinary* text", timeout=0.05)
    finally:
        release.set()


def test_render_without_a_timeout_is_not_limited(step_clock):
    output = render("![" * 2_000)

    assert output.startswith("<p>![![") and step_clock == []


MATH_SUMMARY = "## Method\n\nThe update is $\\theta_{t+1} = \\theta_t - \\eta g_t$, with *momentum*.\n"


# --- Excerpts and plain text ------------------------------------------------------------

LONG_SUMMARY = (
    "# Method\n\n"
    "![figure](https://example.org/figures/overview.png)\n\n"
    "The value $ V_D^{\\pi}(s) = \\sum_t r_t $ is **learnt** with *an emphasis "
    + "that goes on "
    * 40
    + "to the end*.\n\n"
    "Second paragraph, see https://example.org/a/very/long/path/to/a/figure/"
    "with/a/long/name.png for details.\n\n"
    "$$\n\\mathcal{L} = \\sum_i x_i\n$$\n"
)


def test_excerpt_is_the_first_paragraph_cut_at_a_word():
    rendered = markup.render_document(LONG_SUMMARY)
    excerpt = rendered.excerpt_html

    assert tex_sources(excerpt) == ["V_D^{\\pi}(s) = \\sum_t r_t"]
    assert "<h1" not in excerpt and "<img" not in excerpt and "Method" not in excerpt
    assert "Second paragraph" not in excerpt
    # Cut after about 300 characters, between words, the emphasis closed.
    text = html.unescape(
        re.sub(r'<span class="math.*?</span></span></span>', "", excerpt)
    )
    assert excerpt.endswith("goes on</em>…</p>\n")
    assert 250 < len(re.sub(r"<[^>]+>", "", text)) < 320
    assert rendered.html == render(LONG_SUMMARY)


def test_a_short_first_paragraph_is_the_whole_excerpt():
    rendered = markup.render_document("Short and *sweet*.\n\nMore.")

    assert rendered.excerpt_html == "<p>Short and <em>sweet</em>.</p>\n"


def test_plain_text_has_no_markdown_and_math_between_markers():
    plain = markup.render_document(LONG_SUMMARY).plain_text

    assert "**" not in plain and "#" not in plain and "![" not in plain
    assert plain.startswith(
        f"Method\n\nThe value {markup.MATH_START}V_D^{{\\pi}}(s) = \\sum_t r_t"
        f"{markup.MATH_STOP} is learnt with an emphasis that goes on"
    )
    assert "see example.org/a/very/long/path/to/a/figur… for details." in plain
    assert max(len(word) for word in plain.split()) <= 40
    assert plain.endswith(
        f"{markup.MATH_START}\\mathcal{{L}} = \\sum_i x_i{markup.MATH_STOP}"
    )

"""Random Markdown and TeX through the renderer (hypothesis).

Three properties: rendering never raises, its output passes the same static XSS check
as the corpus, and no plain word of the input goes missing from the output's text.
"""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shortscience.markup import render
from tests.security.xss import load_vectors, text_content, unsafe_parts

PROPERTY_SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Words the checks look for. No HTML entity name starts with "qz", so "&qz...;" can
# never turn one into another character.
WORDS = st.from_regex(r"qz[a-z0-9]{1,8}", fullmatch=True)

# Punctuation that stays in the text around words. Brackets, backticks, tildes, dollars,
# pipes and backslashes are left to the constructs below: with them, random text could
# build an image (its words become alt text), a fence info string or a table row
# longer than its header (the extra cells are dropped), which lose words by design.
JUNK = st.text(alphabet="*_#>-+=:!&<\"'/;.,?%@^", min_size=1, max_size=4)

URLS = st.sampled_from(
    [
        "https://example.com/a",
        "/papers/1/",
        "mailto:a@example.com",
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "java&#x09;script:alert(1)",
        "&#106;avascript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "data:image/svg+xml,<svg onload=alert(1)>",
        '" onmouseover="alert(1)',
        "<javascript:alert(1)>",
        "x onerror=alert(1)",
        "https://example.com/a.png",
    ]
) | st.text(alphabet="abcjavscript:/.&#;%()<>\"' =", max_size=30)

TEX_TOKENS = st.sampled_from(
    [
        "x", "y", "2", "+", "-", "=", "^", "_", "{", "}", "&", "\\\\", "<", ">", "'",
        '"', "(", ")", "[", "]", "|", ",", " ", "\\frac", "\\sqrt", "\\sum", "\\int",
        "\\left(", "\\right)", "\\text{", "\\mathbb", "\\alpha", "\\begin{aligned}",
        "\\end{aligned}", "\\color{red}", "\\href{javascript:alert(1)}{x}",
        "\\url{javascript:alert(1)}", '\\htmlClass{x" onclick="alert(1)}{y}',
        "\\htmlId{x}{y}", "\\htmlStyle{background:url(javascript:alert(1))}{y}",
        "\\htmlData{onclick=alert(1)}{y}", "\\includegraphics{javascript:alert(1)}",
        "\\def\\a{\\a\\a}\\a", "\\gdef\\b#1{#1#1}", "\\b{x}", "\\rule{1em}{1em}",
        "\\textcolor{red}{x}", "\\operatorname{<img src=x onerror=alert(1)>}",
        "\\tag{1}", "\\verb|<script>|", "\\char`<", "<script>alert(1)</script>",
        "</annotation>", "</math><img src=x onerror=alert(1)>",
    ]
)  # fmt: skip
TEX = (
    st.lists(TEX_TOKENS, min_size=1, max_size=12)
    .map("".join)
    .filter(lambda t: t.strip())
)


@st.composite
def inline(draw):
    """Return (markdown, plain words it holds) for a run of inline Markdown."""
    words: list[str] = []
    parts = []
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(
            st.sampled_from(
                [
                    "word", "word", "emphasis", "code", "link", "image", "autolink",
                    "math", "junk", "cite",
                ]
            )
        )  # fmt: skip
        if kind == "word":
            word = draw(WORDS)
            words.append(word)
            parts.append(word)
        elif kind == "emphasis":
            word = draw(WORDS)
            words.append(word)
            mark = draw(st.sampled_from(["*", "**", "_", "~~"]))
            parts.append(f"{mark}{word}{mark}")
        elif kind == "code":
            word = draw(WORDS)
            words.append(word)
            parts.append(f"`{word}`")
        elif kind == "link":
            word = draw(WORDS)
            words.append(word)
            parts.append(f"[{word}]({draw(URLS)})")
        elif kind == "image":
            parts.append(f"![picture]({draw(URLS)})")
        elif kind == "autolink":
            parts.append(f"<{draw(URLS)}>")
        elif kind == "math":
            opener, closer = draw(
                st.sampled_from(
                    [("$", "$"), ("$$", "$$"), ("\\(", "\\)"), ("\\[", "\\]")]
                )
            )
            parts.append(f"{opener}{draw(TEX)}{closer}")
        elif kind == "cite":
            parts.append(
                draw(
                    st.sampled_from(
                        ["\\cite{arXiv:1706.03762}", "\\cite{doi:10.1000/x?y}"]
                    )
                )
            )
        else:
            parts.append(draw(JUNK))
    separators = st.sampled_from([" ", " ", "\n"])
    text = parts[0] + "".join(draw(separators) + part for part in parts[1:])
    return text, words


@st.composite
def block(draw):
    text, words = draw(inline())
    kind = draw(
        st.sampled_from(
            [
                "paragraph",
                "heading",
                "list",
                "ordered",
                "quote",
                "fence",
                "table",
                "math",
            ]
        )
    )
    if kind == "heading":
        first, _, rest = text.partition("\n")
        return f"{'#' * draw(st.integers(1, 6))} {first}\n{rest}", words
    if kind in ("list", "ordered"):
        marker = "- " if kind == "list" else "1. "
        indent = " " * len(marker)
        return marker + text.replace("\n", "\n" + indent), words
    if kind == "quote":
        return "> " + text.replace("\n", "\n> "), words
    if kind == "fence":
        return f"```\n{text}\n```", words
    if kind == "table":
        cells = draw(st.lists(WORDS, min_size=2, max_size=6))
        header, row = (
            cells[: len(cells) // 2],
            cells[len(cells) // 2 :][: len(cells) // 2],
        )
        row += [""] * (len(header) - len(row))
        table = (
            f"| {' | '.join(header)} |\n|{'---|' * len(header)}\n| {' | '.join(row)} |"
        )
        # A blank line after it: lines that follow a table directly are more rows of it.
        return table + "\n", header + [c for c in row if c]
    if kind == "math":
        return f"$$\n{draw(TEX)}\n$$", []
    return text, words


@st.composite
def documents(draw):
    blocks = draw(st.lists(block(), min_size=1, max_size=6))
    separators = st.sampled_from(["\n\n", "\n\n", "\n"])
    text = blocks[0][0] + "".join(draw(separators) + b for b, _ in blocks[1:])
    return text, [w for _, words in blocks for w in words]


@PROPERTY_SETTINGS
@given(documents())
def test_random_markdown_renders_safely_and_keeps_every_word(document):
    source, words = document

    output = render(source)

    text = text_content(output)
    assert unsafe_parts(output) == []
    assert [w for w in words if w not in text] == []


@PROPERTY_SETTINGS
@given(
    st.lists(
        st.sampled_from(load_vectors())
        | st.text(max_size=40)
        | st.sampled_from(
            ["\n", "\n\n", "- ", "> ", "    ", "```", "|", "$", "\\(", "\\]"]
        ),
        max_size=12,
    ).map("".join)
)
def test_any_text_renders_safely(source):
    assert unsafe_parts(render(source)) == []


@PROPERTY_SETTINGS
@given(TEX, st.sampled_from([("$$\n", "\n$$"), ("\\[\n", "\n\\]")]))
def test_random_tex_renders_safely_and_keeps_its_source(tex, delimiters):
    opener, closer = delimiters

    output = render(f"{opener}{tex}{closer}")

    # KaTeX keeps the source in its MathML annotation; a formula it refuses is shown
    # as its source.
    assert unsafe_parts(output) == []
    assert tex.strip() in text_content(output)

"""The sanitiser: an explicit nh3 allowlist for rendered Markdown and KaTeX output."""

from __future__ import annotations

import nh3

_MATHML_TAGS = {
    "math", "semantics", "annotation", "mrow", "mi", "mo", "mn", "ms", "mtext",
    "mspace", "msup", "msub", "msubsup", "mfrac", "msqrt", "mroot", "mover",
    "munder", "munderover", "mtable", "mtr", "mtd", "mlabeledtr", "mstyle",
    "mpadded", "mphantom", "menclose",
}  # fmt: skip

# KaTeX draws stretchy glyphs (\sqrt, \widehat, long arrows, braces) as SVG.
_SVG_TAGS = {"svg", "path", "line"}

_HTML_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "em", "strong", "del",
    "s", "code", "pre", "blockquote", "ul", "ol", "li", "a", "img", "table",
    "thead", "tbody", "tr", "th", "td", "span", "div", "sup", "sub",
}  # fmt: skip

_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "img": {"src", "alt", "title", "loading", "class"},
    "ol": {"start"},
    "code": {"class"},
    "pre": {"class"},
    # Tables carry column alignment as inline style.
    "th": {"style"},
    "td": {"style"},
    "span": {"class", "style", "aria-hidden", "title"},
    "div": {"class", "style", "title"},
    "svg": {"xmlns", "width", "height", "viewBox", "preserveAspectRatio", "style"},
    "path": {"d"},
    "line": {"x1", "y1", "x2", "y2", "stroke-width"},
    "math": {"xmlns", "display"},
    "annotation": {"encoding"},
    "mi": {"mathvariant"},
    "mn": {"mathvariant"},
    "mtext": {"mathvariant"},
    "mo": {
        "mathvariant",
        "stretchy",
        "fence",
        "separator",
        "lspace",
        "rspace",
        "minsize",
        "maxsize",
        "symmetric",
        "movablelimits",
        "accent",
    },
    "mspace": {"width", "height", "depth", "mathbackground"},
    "mfrac": {"linethickness"},
    "mover": {"accent"},
    "munder": {"accentunder"},
    "munderover": {"accent", "accentunder"},
    "mstyle": {"displaystyle", "scriptlevel", "mathcolor", "mathsize", "style"},
    "mpadded": {
        "width",
        "height",
        "depth",
        "lspace",
        "voffset",
        "mathbackground",
        "class",
        "style",
    },
    "mtable": {
        "columnalign",
        "rowspacing",
        "columnspacing",
        "columnlines",
        "rowlines",
        "width",
    },
    "mtd": {"class", "width", "columnalign"},
    "menclose": {"notation"},
}

# Every property KaTeX 0.16 sets (found by rendering a battery of formulas and
# reading its style assignments), plus table alignment.
_STYLE_PROPERTIES = {
    "background-color", "border", "border-bottom-width", "border-color",
    "border-right-style", "border-right-width", "border-style",
    "border-top-width", "border-width", "bottom", "color", "height", "left",
    "margin", "margin-left", "margin-right", "margin-top", "min-width",
    "padding-left", "position", "text-shadow", "top", "vertical-align", "width",
    "text-align",
}  # fmt: skip

_cleaner = nh3.Cleaner(
    tags=_HTML_TAGS | _MATHML_TAGS | _SVG_TAGS,
    clean_content_tags={"script", "style"},
    attributes=_ATTRIBUTES,
    url_schemes={"http", "https", "mailto"},
    link_rel="nofollow ugc noopener",
    filter_style_properties=_STYLE_PROPERTIES,
    strip_comments=True,
)

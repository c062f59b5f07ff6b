"""{% fragment %}: keep a rendered piece of a page under the versions of what it shows.

    {% load fragments %}
    {% fragment "paper-head" "paper" paper.pk "venue" paper.venue_id %}...{% endfragment %}
    {% fragment "thread" "comment" summary.threaded_comments vary=variant %}...{% endfragment %}

After the name come pairs of a kind and an id (or a list of objects or ids); `vary=`
values also enter the key. The fragment is shared by every reader, signed in or not, so
it must hold nothing personal. See shortscience.cache.cache_fragment.

Two options serve the forms of signed-in pages:
- `csrf=True`: the fragment may hold forms. It is rendered with a placeholder for the CSRF
  token, which each request replaces with its own token, so one rendering serves every
  signed-in reader.
- `skip=value`: when the value is true the fragment is rendered and not kept (a form
  showing a reader's own errors, say).
"""

from django import template
from django.utils.safestring import mark_safe

from shortscience.cache import cache_fragment

register = template.Library()


def _ids(value) -> list[object]:
    if isinstance(value, (str, int)) or value is None:
        return [value]
    return [getattr(item, "pk", item) for item in value]


# Stands for the request's CSRF token in a kept fragment (no token has this shape).
CSRF_PLACEHOLDER = "csrf-token-of-this-request"


class FragmentNode(template.Node):
    def __init__(self, nodelist, name, pairs, vary, options):
        self.nodelist = nodelist
        self.name = name
        self.pairs = pairs
        self.vary = vary
        self.options = options

    def _render_inner(self, context, csrf: bool) -> str:
        if not csrf:
            return str(self.nodelist.render(context))
        with context.push(csrf_token=CSRF_PLACEHOLDER):
            return str(self.nodelist.render(context))

    def render(self, context):
        skip = "skip" in self.options and self.options["skip"].resolve(context)
        if skip:
            return self.nodelist.render(context)
        csrf = "csrf" in self.options and bool(self.options["csrf"].resolve(context))
        name = (
            self.name.resolve(context),
            *(value.resolve(context) for value in self.vary),
        )
        tags = []
        for kind, value in self.pairs:
            kind = kind.resolve(context)
            tags.extend((kind, ident) for ident in _ids(value.resolve(context)))
        html = cache_fragment(
            repr(name), tags, lambda: self._render_inner(context, csrf)
        )
        if csrf and CSRF_PLACEHOLDER in html:
            # The token only where a form is shown: asking for it marks the response
            # as carrying one, which keeps it out of the page cache.
            html = html.replace(CSRF_PLACEHOLDER, str(context.get("csrf_token", "")))
        # The template's own rendered output, escaped by the template engine.
        return mark_safe(html)  # noqa: S308  # nosec B308 B703


@register.filter
def with_csrf(html: str, token) -> str:
    """Put the request's CSRF token in for the placeholder of pieces rendered without it:
    `{{ cards|with_csrf:csrf_token }}` (the page's own token, so a page holds one)."""
    if CSRF_PLACEHOLDER not in html:
        return html
    # Safe text with a token of letters and digits put in.
    return mark_safe(html.replace(CSRF_PLACEHOLDER, str(token)))  # noqa: S308  # nosec B308 B703


@register.filter
def pluck(items, attribute: str) -> list[object]:
    """Return one attribute of each item: `page.object_list|pluck:"venue_id"`."""
    return [getattr(item, attribute) for item in items]


@register.tag("fragment")
def do_fragment(parser, token):
    bits = token.split_contents()[1:]
    if not bits:
        raise template.TemplateSyntaxError("fragment needs a name")
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    vary = [parser.compile_filter(b[5:]) for b in bits if b.startswith("vary=")]
    options = {
        b.split("=", 1)[0]: parser.compile_filter(b.split("=", 1)[1])
        for b in bits[1:]
        if b.startswith(("csrf=", "skip="))
    }
    args = [
        parser.compile_filter(b)
        for b in bits[1:]
        if not b.startswith(("vary=", "csrf=", "skip="))
    ]
    if len(args) % 2:
        raise template.TemplateSyntaxError("fragment takes pairs of a kind and ids")
    pairs = list(zip(args[::2], args[1::2], strict=True))
    return FragmentNode(nodelist, parser.compile_filter(bits[0]), pairs, vary, options)

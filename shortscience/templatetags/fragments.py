"""{% fragment %}: keep a rendered piece of a page under the versions of what it shows.

    {% load fragments %}
    {% fragment "paper-head" "paper" paper.pk "venue" paper.venue_id %}...{% endfragment %}
    {% fragment "paper-list" "paper" page.object_list vary=show_venue %}...{% endfragment %}

After the name come pairs of a kind and an id (or a list of objects or ids); `vary=`
values also enter the key. The fragment is shared by every reader, signed in or not, so
it must hold nothing personal. See shortscience.cache.cache_fragment.
"""

from django import template
from django.utils.safestring import mark_safe

from shortscience.cache import cache_fragment

register = template.Library()


def _ids(value) -> list[object]:
    if isinstance(value, (str, int)) or value is None:
        return [value]
    return [getattr(item, "pk", item) for item in value]


class FragmentNode(template.Node):
    def __init__(self, nodelist, name, pairs, vary):
        self.nodelist = nodelist
        self.name = name
        self.pairs = pairs
        self.vary = vary

    def render(self, context):
        name = (
            self.name.resolve(context),
            *(value.resolve(context) for value in self.vary),
        )
        tags = []
        for kind, value in self.pairs:
            kind = kind.resolve(context)
            tags.extend((kind, ident) for ident in _ids(value.resolve(context)))
        html = cache_fragment(
            repr(name), tags, lambda: str(self.nodelist.render(context))
        )
        # The template's own rendered output, escaped by the template engine.
        return mark_safe(html)  # noqa: S308  # nosec B308 B703


@register.filter
def pluck(items, attribute: str) -> list[object]:
    """Return one attribute of each item: `page.object_list|pluck:"venue_id"`."""
    return [getattr(item, attribute) for item in items]


@register.filter
def pluck_all(items, attribute: str) -> list[object]:
    """Return the members of one list attribute of each item, in one flat list:
    `page.object_list|pluck_all:"top_summaries"` (items without it give none)."""
    return [member for item in items for member in getattr(item, attribute, ())]


@register.tag("fragment")
def do_fragment(parser, token):
    bits = token.split_contents()[1:]
    if not bits:
        raise template.TemplateSyntaxError("fragment needs a name")
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    vary = [parser.compile_filter(b[5:]) for b in bits if b.startswith("vary=")]
    args = [parser.compile_filter(b) for b in bits[1:] if not b.startswith("vary=")]
    if len(args) % 2:
        raise template.TemplateSyntaxError("fragment takes pairs of a kind and ids")
    pairs = list(zip(args[::2], args[1::2], strict=True))
    return FragmentNode(nodelist, parser.compile_filter(bits[0]), pairs, vary)

"""{{ paper.arxiv_comment|with_links }}: a plain text with its web addresses as links."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from papers.links import split_for_links

register = template.Library()


@register.filter
def with_links(text: str) -> SafeString:
    """Escape the text and make each http(s) address in it a link that passes no rank."""
    return format_html_join(
        "",
        "{}",
        (
            (
                format_html(
                    '<a href="{}" rel="nofollow ugc noopener">{}</a>', url, piece
                )
                if url
                else piece,
            )
            for piece, url in split_for_links(text)
        ),
    )

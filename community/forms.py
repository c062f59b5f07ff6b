from django import forms

from papers import links

from .models import PaperLink


class PaperLinkForm(forms.Form):
    """The shape of a link: its kind and an address (papers.links checks the address)."""

    kind = forms.ChoiceField(
        label="What it leads to",
        choices=PaperLink.Kind.choices,
        initial=PaperLink.Kind.CODE,
    )
    url = forms.CharField(
        label="Address",
        max_length=links.MAX_URL,
        help_text="An http:// or https:// address, such as https://github.com/owner/repo.",
        error_messages={
            "required": "Enter the address of the link.",
            "max_length": f"A link can be at most {links.MAX_URL} characters long.",
        },
        widget=forms.URLInput(attrs={"placeholder": "https://github.com/…"}),
    )

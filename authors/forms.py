from django import forms

from .services import MAX_TEXT


class ClaimForm(forms.Form):
    note = forms.CharField(
        label="Note to the moderators (optional)",
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "Read only if the claim needs a moderator's check: for instance the name "
            "you published under, or a page that shows you are this author."
        ),
    )

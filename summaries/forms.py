from django import forms

from .services import MAX_BODY


class SummaryForm(forms.Form):
    body = forms.CharField(
        label="Summary",
        required=False,
        max_length=MAX_BODY,
        strip=False,
        widget=forms.Textarea(
            attrs={
                "rows": 24,
                "spellcheck": "true",
                "placeholder": "What problem does the paper solve, how, and what did it find? "
                "Use $...$ for inline math and $$...$$ for display math.",
            }
        ),
        error_messages={
            "max_length": f"A summary can be at most {MAX_BODY:,} characters long "
            "(this one has %(show_value)d)."
        },
    )
    is_anonymous = forms.BooleanField(
        label="Publish anonymously",
        required=False,
        help_text="Readers see “Anonymous”; the site still knows you wrote it.",
    )
    is_private = forms.BooleanField(
        label="Private",
        required=False,
        help_text="Only you and people you give the share link to can read it.",
    )


class PreviewForm(forms.Form):
    body = forms.CharField(required=False, max_length=MAX_BODY, strip=False)


class ImageForm(forms.Form):
    image = forms.FileField()


class AuthorResponseForm(forms.Form):
    body = forms.CharField(
        label="Your author response",
        max_length=10_000,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "true"}),
        help_text=(
            "Markdown with $...$ math, as in summaries. Shown under the summary, apart "
            "from the comments, with your name as an author of the paper."
        ),
    )

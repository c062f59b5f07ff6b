from django import forms

from .services import MAX_BODY


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment",
        strip=False,
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "A comment cannot be empty.",
            "max_length": f"A comment can be at most {MAX_BODY:,} characters long "
            "(this one has %(show_value)d).",
        },
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # Left empty by people; bots that fill every field give themselves away.
    website = forms.CharField(required=False, label="Leave this empty")

    def clean_body(self):
        body = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError("A comment cannot be empty.")
        return body

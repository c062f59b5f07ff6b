from django import forms

from .models import User
from .orcid import orcid_normalize


class ProfileForm(forms.ModelForm):
    website = forms.URLField(
        label="Website",
        required=False,
        max_length=200,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    # Wider than the stored 19 characters: people paste the https://orcid.org/ address.
    orcid = forms.CharField(
        label="ORCID iD",
        required=False,
        max_length=100,
        help_text=User._meta.get_field("orcid").help_text,
    )

    class Meta:
        model = User
        fields = [
            "display_name",
            "affiliation",
            "website",
            "orcid",
            "bio",
            "notify_on_comment",
            "notify_on_reply",
        ]
        labels = {"display_name": "Display name"}
        help_texts = {
            "display_name": "Shown on your summaries and comments instead of your username.",
            "bio": "Plain text, at most 2,000 characters.",
        }
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 6}),
        }

    def clean_display_name(self) -> str:
        return self.cleaned_data["display_name"].strip()

    def clean_orcid(self) -> str:
        value = self.cleaned_data["orcid"].strip()
        return orcid_normalize(value) if value else ""


class AccountDeleteForm(forms.Form):
    """Confirm who is deleting (password, or username for accounts without one)."""

    KEEP = "keep"
    REMOVE = "remove"

    summaries = forms.ChoiceField(
        label="Your summaries and comments",
        choices=[
            (
                REMOVE,
                "Remove them: summaries leave the site and comments show as deleted.",
            ),
            (
                KEEP,
                'Keep the published ones up under the name "deleted user", no longer '
                "linked to you.",
            ),
        ],
        widget=forms.RadioSelect,
        initial=REMOVE,
    )
    password = forms.CharField(
        label="Your password",
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    username = forms.CharField(
        label="Type your username to confirm", required=False, max_length=150
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # Accounts made through ORCID, GitHub or Google may have no password to type.
        if user.has_usable_password():
            del self.fields["username"]
            self.fields["password"].required = True
        else:
            del self.fields["password"]
            self.fields["username"].required = True

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("This is not your password.")
        return password

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if username != self.user.username:
            raise forms.ValidationError("This is not your username.")
        return username

    @property
    def keep_summaries(self) -> bool:
        return self.cleaned_data["summaries"] == self.KEEP

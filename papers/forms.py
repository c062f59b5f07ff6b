from django import forms

from shortscience.identifiers import ACCEPTED_FORMS, Identifier, classify

from .models import Venue


class AddPaperForm(forms.Form):
    q = forms.CharField(
        label="arXiv id, URL, DOI or title",
        max_length=500,
        widget=forms.TextInput(
            attrs={
                "placeholder": "1706.03762, https://arxiv.org/abs/1611.03530, 10.1038/nature14539 or a title",
                "autofocus": True,
                "autocomplete": "off",
            }
        ),
        help_text=ACCEPTED_FORMS,
    )

    def clean_q(self) -> Identifier:
        identifier = classify(self.cleaned_data["q"])
        if identifier.kind == "invalid":
            raise forms.ValidationError(identifier.message)
        if identifier.kind == "title" and len(str(identifier.value)) < 3:
            raise forms.ValidationError("Type at least three characters of the title.")
        return identifier


class VenueImportForm(forms.Form):
    key = forms.RegexField(
        label="dblp venue key",
        regex=r"^(conf|journals|series)/[\w-]+$",
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "conf/nips"}),
        error_messages={"invalid": 'Give a dblp venue key such as "conf/nips".'},
    )
    year = forms.IntegerField(min_value=1900, max_value=2100)
    toc = forms.RegexField(
        label="dblp table of contents (only when not <venue><year>)",
        regex=r"^db/[\w/-]+\.bht$",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "db/conf/nips/neurips2020.bht"}),
    )


class OpenReviewImportForm(forms.Form):
    venue = forms.ModelChoiceField(
        queryset=Venue.objects.exclude(openreview_id="").order_by("short_name"),
        empty_label=None,
        help_text="Venues with an OpenReview id (set it in the admin).",
    )
    year = forms.IntegerField(min_value=2013, max_value=2100)
    include_rejected = forms.BooleanField(
        label="Also store rejected and withdrawn submissions",
        required=False,
        help_text="Stored with their decision, outside the venue's list.",
    )
    api = forms.TypedChoiceField(
        label="OpenReview API",
        choices=[("", "2, then 1 if 2 lists nothing"), ("2", "2"), ("1", "1")],
        coerce=int,
        empty_value=None,
        required=False,
    )

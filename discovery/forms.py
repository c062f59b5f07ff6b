from typing import Any, cast

from django import forms

from papers.models import Venue

from .query import MAX_LENGTH

YEAR: dict[str, Any] = {"min_value": 1000, "max_value": 9999, "required": False}


def _venue_choices(venues: list[Venue]) -> list[tuple[str, str]]:
    return [("", "Any venue"), *((v.slug, v.short_name) for v in venues)]


class SearchForm(forms.Form):
    """Shape of the search page's GET parameters; the selector judges the query itself."""

    q = forms.CharField(
        label="Search",
        required=False,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "maxlength": MAX_LENGTH,
                "placeholder": "Title, author, topic, arXiv id or DOI",
                "autocomplete": "off",
            }
        ),
    )
    venue = forms.ChoiceField(required=False)
    year_from = forms.IntegerField(label="From year", **YEAR)
    year_to = forms.IntegerField(label="To year", **YEAR)
    has_summaries = forms.BooleanField(
        label="Only papers with summaries", required=False
    )
    cursor = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, venues: list[Venue], **kwargs):
        super().__init__(*args, **kwargs)
        self.venues = {v.slug: v for v in venues}
        cast(forms.ChoiceField, self.fields["venue"]).choices = _venue_choices(venues)

    def clean_venue(self) -> Venue | None:
        return self.venues.get(self.cleaned_data["venue"])


class WantedForm(forms.Form):
    venue = forms.ChoiceField(required=False)
    year = forms.IntegerField(**YEAR)
    cursor = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, venues: list[Venue], **kwargs):
        super().__init__(*args, **kwargs)
        self.venues = {v.slug: v for v in venues}
        cast(forms.ChoiceField, self.fields["venue"]).choices = _venue_choices(venues)

    def clean_venue(self) -> Venue | None:
        return self.venues.get(self.cleaned_data["venue"])

from django import forms

from users.models import User

from .models import ReadingList

MAX_IMPORT_BYTES = 5 * 1024 * 1024


class ListForm(forms.ModelForm):
    editor_names = forms.CharField(
        label="Editors",
        required=False,
        help_text="User names of the reading group's members who may add, annotate and "
        "reorder papers, separated by commas.",
    )

    class Meta:
        model = ReadingList
        fields = ["title", "description", "visibility"]
        widgets = {"visibility": forms.RadioSelect}

    def clean_editor_names(self) -> list[User]:
        names = [n.strip() for n in self.cleaned_data["editor_names"].split(",")]
        names = [n for n in names if n]
        found = {u.username: u for u in User.objects.filter(username__in=names)}
        missing = [n for n in names if n not in found]
        if missing:
            raise forms.ValidationError(f"No such user: {', '.join(missing)}")
        return list(found.values())


class ItemNoteForm(forms.Form):
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ImportForm(forms.Form):
    file = forms.FileField(
        help_text="A BibTeX (.bib), RIS (.ris) or CSL-JSON (.json) export of Zotero, "
        "BibSonomy, Mendeley, JabRef or this site."
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError("The file is larger than 5 MB.")
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError("The file is not UTF-8 text.") from exc

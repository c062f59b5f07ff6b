"""Reading list pages: thin views over lists.services and lists.selectors."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from papers.models import Paper

from . import formats, selectors, services
from .forms import ImportForm, ItemNoteForm, ListForm
from .models import ListItem, ReadingList


def _visible_list(request, pk: int) -> ReadingList:
    reading_list = get_object_or_404(ReadingList.objects.select_related("owner"), pk=pk)
    key = request.GET.get("key", "")
    if not selectors.list_can_view(
        reading_list=reading_list, user=request.user, key=key
    ):
        # A private list is not even admitted to exist.
        raise Http404("No such list.")
    return reading_list


def _editable_list(request, pk: int) -> ReadingList:
    reading_list = _visible_list(request, pk)
    if not selectors.list_can_edit(reading_list=reading_list, user=request.user):
        raise PermissionDenied("Only the list's owner and editors may change it.")
    return reading_list


@login_required
def list_mine(request):
    """Show the lists the reader keeps, edits and follows."""
    return render(
        request,
        "lists/list_mine.html",
        {
            "lists": selectors.list_for_user(user=request.user),
            "followed": selectors.list_followed(user=request.user),
        },
    )


@login_required
def list_create_view(request):
    form = ListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reading_list = services.list_create(
            owner=request.user,
            title=form.cleaned_data["title"],
            description=form.cleaned_data["description"],
            visibility=form.cleaned_data["visibility"],
        )
        if form.cleaned_data["editor_names"]:
            reading_list.editors.set(form.cleaned_data["editor_names"])
        paper_pk = request.GET.get("paper", "")
        if paper_pk.isdigit():
            paper = get_object_or_404(Paper, pk=int(paper_pk))
            services.list_add_paper(
                reading_list=reading_list, paper=paper, user=request.user
            )
        return redirect(reading_list)
    return render(request, "lists/list_form.html", {"form": form, "creating": True})


def list_detail(request, pk: int):
    reading_list = _visible_list(request, pk)
    can_edit = selectors.list_can_edit(reading_list=reading_list, user=request.user)
    key = request.GET.get("key", "")
    return render(
        request,
        "lists/list_detail.html",
        {
            "reading_list": reading_list,
            "items": selectors.list_items(reading_list=reading_list),
            "can_edit": can_edit,
            "is_owner": reading_list.owner_id == request.user.pk,
            "following": selectors.list_is_followed(
                reading_list=reading_list, user=request.user
            ),
            "editors": reading_list.editors.all(),
            "key_query": f"?key={key}" if key else "",
            "formats": formats.FORMATS,
        },
    )


@login_required
def list_edit(request, pk: int):
    reading_list = _editable_list(request, pk)
    is_owner = reading_list.owner_id == request.user.pk
    initial = {
        "editor_names": ", ".join(e.username for e in reading_list.editors.all())
    }
    form = ListForm(request.POST or None, instance=reading_list, initial=initial)
    if not is_owner:
        form.fields["visibility"].disabled = True
        form.fields["editor_names"].disabled = True
    if request.method == "POST" and form.is_valid():
        services.list_update(
            reading_list=reading_list,
            user=request.user,
            title=form.cleaned_data["title"],
            description=form.cleaned_data["description"],
            visibility=form.cleaned_data["visibility"],
            editors=form.cleaned_data["editor_names"] if is_owner else None,
        )
        if is_owner and request.POST.get("new_link"):
            services.list_new_share_key(reading_list=reading_list, user=request.user)
        return redirect(reading_list)
    return render(
        request,
        "lists/list_form.html",
        {"form": form, "reading_list": reading_list, "is_owner": is_owner},
    )


@login_required
@require_POST
def list_delete_view(request, pk: int):
    reading_list = _editable_list(request, pk)
    services.list_delete(reading_list=reading_list, user=request.user)
    messages.success(request, f"Deleted the list “{reading_list.title}”.")
    return redirect("lists:list-mine")


@login_required
def paper_add(request, paper_pk: int):
    """Choose a list for a paper (GET) or put it on one (POST)."""
    paper = get_object_or_404(Paper, pk=paper_pk)
    lists = selectors.list_for_user(user=request.user)
    if request.method == "POST":
        reading_list = get_object_or_404(lists, pk=request.POST.get("list", 0))
        services.list_add_paper(
            reading_list=reading_list,
            paper=paper,
            user=request.user,
            note=request.POST.get("note", "").strip(),
        )
        messages.success(request, f"Added to “{reading_list.title}”.")
        return redirect(reading_list)
    on_lists = set(
        ListItem.objects.filter(paper=paper, reading_list__in=lists).values_list(
            "reading_list_id", flat=True
        )
    )
    return render(
        request,
        "lists/paper_add.html",
        {"paper": paper, "lists": lists, "on_lists": on_lists},
    )


@login_required
@require_POST
def item_update(request, item_pk: int):
    """Change a paper's note, move it up or down, or take it off its list."""
    item = get_object_or_404(
        ListItem.objects.select_related("reading_list"), pk=item_pk
    )
    if not selectors.list_can_edit(reading_list=item.reading_list, user=request.user):
        raise Http404("No such list item.")
    action = request.POST.get("action", "note")
    if action == "remove":
        services.list_item_remove(item=item, user=request.user)
    elif action in ("up", "down"):
        services.list_item_move(
            item=item, user=request.user, offset=-1 if action == "up" else 1
        )
    else:
        form = ItemNoteForm(request.POST)
        if form.is_valid():
            services.list_item_update(
                item=item, user=request.user, note=form.cleaned_data["note"]
            )
    return redirect(f"{item.reading_list.get_absolute_url()}#item-{item.paper_id}")


@login_required
@require_POST
def list_follow_view(request, pk: int):
    reading_list = _visible_list(request, pk)
    if request.POST.get("action") == "unfollow":
        services.list_unfollow(reading_list=reading_list, user=request.user)
    else:
        services.list_follow(reading_list=reading_list, user=request.user)
    return redirect(reading_list)


@login_required
def list_import_view(request, pk: int | None = None):
    """Import a BibTeX, RIS or CSL-JSON file into a list (a new one without `pk`)."""
    reading_list = _editable_list(request, pk) if pk is not None else None
    form = ImportForm(request.POST or None, request.FILES or None)
    title_form = ListForm(request.POST or None, prefix="list") if pk is None else None
    if (
        request.method == "POST"
        and form.is_valid()
        and (title_form is None or title_form.is_valid())
    ):
        text = form.cleaned_data["file"]
        try:
            with transaction.atomic():
                reading_list, added, already = _import_into(
                    request, reading_list, title_form, text
                )
        except formats.UnreadableFile as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(
                request,
                f"Imported {added} paper{'s' if added != 1 else ''}"
                + (f"; {already} were on the list already." if already else "."),
            )
            return redirect(reading_list)
    return render(
        request,
        "lists/list_import.html",
        {"form": form, "title_form": title_form, "reading_list": reading_list},
    )


def _import_into(request, reading_list, title_form, text):
    if reading_list is None and title_form is not None:
        reading_list = services.list_create(
            owner=request.user,
            title=title_form.cleaned_data["title"],
            description=title_form.cleaned_data["description"],
            visibility=title_form.cleaned_data["visibility"],
        )
    added, already = services.list_import(
        reading_list=reading_list, user=request.user, text=text
    )
    return reading_list, added, already


def list_export_view(request, pk: int, ext: str):
    """Download the list as BibTeX (.bib), RIS (.ris) or CSL-JSON (.json)."""
    reading_list = _visible_list(request, pk)
    kinds = {extension: kind for kind, (extension, _) in formats.FORMATS.items()}
    if ext not in kinds:
        raise Http404("No such format.")
    kind = kinds[ext]
    text = services.list_export(reading_list=reading_list, kind=kind)
    response = HttpResponse(text, content_type=formats.FORMATS[kind][1])
    response["Content-Disposition"] = (
        f'attachment; filename="reading-list-{reading_list.pk}.{ext}"'
    )
    return response

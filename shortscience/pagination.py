from django.core.paginator import EmptyPage, Page, Paginator
from django.http import Http404


def paginate(request, object_list, per_page: int = 20) -> Page:
    """Return the page named by ?page=; page 1 when it is not a number, 404 past the end."""
    paginator = Paginator(object_list, per_page)
    raw = request.GET.get("page", "1")
    try:
        number = int(raw)
    except (TypeError, ValueError):
        number = 1
    if number < 1:
        number = 1
    try:
        return paginator.page(number)
    except EmptyPage as exc:
        raise Http404("No such page") from exc

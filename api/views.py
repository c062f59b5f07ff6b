"""Pages around the JSON API: its OpenAPI schema, its docs, and personal tokens."""

from functools import cache

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shortscience import markup

from . import docs, services
from .forms import TokenForm
from .models import ApiToken
from .v1 import DESCRIPTION, api


@cache
def openapi_schema() -> dict:
    """Return the API's OpenAPI 3 schema (made once per process)."""
    schema = api.get_openapi_schema(path_prefix=reverse("api:v1:api-root"))
    schema["info"]["x-docs"] = reverse("api:docs")
    return schema


@require_GET
def openapi_json(request):
    return JsonResponse(openapi_schema(), json_dumps_params={"ensure_ascii": False})


@cache
def _docs_context() -> dict:
    return {
        **docs.describe(openapi_schema()),
        "intro_html": markup.render(DESCRIPTION),
    }


@require_GET
def docs_page(request):
    return render(request, "api/docs.html", _docs_context())


@require_GET
def index(request):
    """Point a client that opens /api/v1/ at the schema and the docs."""
    return JsonResponse(
        {
            "openapi": request.build_absolute_uri(reverse("api:openapi")),
            "docs": request.build_absolute_uri(reverse("api:docs")),
            "paths": sorted(openapi_schema()["paths"]),
        }
    )


def not_found(request, rest: str = ""):
    return JsonResponse({"error": "There is no such API address."}, status=404)


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request):
    """List the user's tokens; a POST makes a new one and shows it, this once."""
    new_token = None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _, new_token = services.token_create(
            user=request.user, name=form.cleaned_data["name"]
        )
        form = TokenForm()
    tokens = ApiToken.objects.filter(user=request.user)
    response = render(
        request,
        "api/token_list.html",
        {"form": form, "tokens": tokens, "new_token": new_token},
        status=400 if form.errors else 200,
    )
    # The new token is in this page only: keep it out of every cache.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request, pk: int):
    if services.token_revoke(user=request.user, token_id=pk):
        messages.success(request, "The token is revoked: it no longer works.")
    return redirect("api:tokens")

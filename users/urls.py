from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "users"


def _account_view(name: str):
    """Point at a view of shortscience.accounts without importing it here.

    Those views read summaries and comments, which sit above users in the dependency
    order, so the import happens at request time only.
    """

    def view(request, *args, **kwargs):
        from shortscience import accounts

        return getattr(accounts, name)(request, *args, **kwargs)

    view.__name__ = name
    return view


urlpatterns = [
    path("users/", _account_view("user_directory"), name="user-list"),
    path("users/<str:username>/avatar.svg", views.user_avatar, name="user-avatar"),
    path(
        "settings/",
        RedirectView.as_view(pattern_name="users:settings-profile"),
        name="settings",
    ),
    path("settings/profile/", views.profile_settings, name="settings-profile"),
    path("settings/data/", _account_view("data_download"), name="settings-data"),
    path(
        "settings/delete/", _account_view("account_delete_view"), name="settings-delete"
    ),
]

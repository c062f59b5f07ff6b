from django.urls import path
from django.views.generic import RedirectView

from . import accounts, views

app_name = "users"

urlpatterns = [
    path("users/", accounts.user_directory, name="user-list"),
    path("users/<str:username>/avatar.svg", views.user_avatar, name="user-avatar"),
    path(
        "settings/",
        RedirectView.as_view(pattern_name="users:settings-profile"),
        name="settings",
    ),
    path("settings/profile/", views.profile_settings, name="settings-profile"),
    path("settings/sessions/", views.session_list, name="settings-sessions"),
    path("settings/sessions/end/", views.session_end, name="settings-sessions-end"),
    path(
        "settings/sessions/<int:pk>/end/",
        views.session_end,
        name="settings-session-end",
    ),
    path("settings/data/", accounts.data_download, name="settings-data"),
    path("settings/delete/", accounts.account_delete_view, name="settings-delete"),
]

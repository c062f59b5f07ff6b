from django.urls import path, re_path

from . import views

app_name = "community"

urlpatterns = [
    path("notifications/", views.notification_list, name="notification-list"),
    path(
        "notifications/read/",
        views.notification_mark_read,
        name="notification-mark-read",
    ),
    path("report/summary/<int:pk>/", views.report_summary, name="report-summary"),
    path("report/comment/<int:pk>/", views.report_comment, name="report-comment"),
    path("moderation/", views.moderation_queue, name="moderation-queue"),
    path("moderation/log/", views.moderation_log, name="moderation-log"),
    re_path(
        r"^moderation/(?P<kind>summary|comment|response)/(?P<pk>\d+)/(?P<action>hide|restore)/$",
        views.moderate,
        name="moderate",
    ),
    re_path(
        r"^moderation/users/(?P<pk>\d+)/(?P<action>ban|unban)/$",
        views.moderate_user,
        name="moderate-user",
    ),
    re_path(
        r"^moderation/claims/(?P<pk>\d+)/(?P<action>approve|reject)/$",
        views.claim_review,
        name="claim-review",
    ),
    path("papers/<int:pk>/links/", views.paper_links, name="paper-links"),
    path(
        "links/<int:pk>/withdraw/",
        views.paper_link_withdraw,
        name="paper-link-withdraw",
    ),
    re_path(
        r"^moderation/links/(?P<pk>\d+)/(?P<action>approve|reject)/$",
        views.paper_link_review,
        name="paper-link-review",
    ),
    path(
        "moderation/reports/<int:pk>/dismiss/",
        views.report_dismiss,
        name="report-dismiss",
    ),
]

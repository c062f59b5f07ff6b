from django.urls import path

from . import views

app_name = "summaries"

urlpatterns = [
    path("papers/<int:paper_pk>/write/", views.summary_write, name="summary-write"),
    path(
        "papers/<int:paper_pk>/autosave/",
        views.summary_autosave,
        name="summary-autosave",
    ),
    path("summaries/preview/", views.summary_preview, name="summary-preview"),
    path("summaries/images/", views.image_upload, name="image-upload"),
    path("summaries/<int:pk>/edit/", views.summary_edit, name="summary-edit"),
    path("summaries/<int:pk>/history/", views.summary_history, name="summary-history"),
    path(
        "summaries/<int:pk>/history/<int:number>/restore/",
        views.summary_restore,
        name="summary-restore",
    ),
    path("summaries/<int:pk>/delete/", views.summary_delete, name="summary-delete"),
    path("summaries/<int:pk>/deleted/", views.summary_deleted, name="summary-deleted"),
    path(
        "summaries/<int:pk>/undelete/",
        views.summary_undo_delete,
        name="summary-undelete",
    ),
    path("summaries/<int:pk>/share/", views.summary_share, name="summary-share"),
    path("summaries/<int:pk>/vote/", views.summary_vote, name="summary-vote"),
    path("summaries/<int:pk>/endorse/", views.summary_endorse, name="summary-endorse"),
    path(
        "summaries/<int:pk>/author-response/",
        views.author_response,
        name="author-response",
    ),
    path("cite/<str:kind>/<path:value>", views.cite_redirect, name="cite"),
]

from django.urls import path

from . import views

app_name = "comments"

urlpatterns = [
    path(
        "summaries/<int:summary_pk>/comments/", views.comment_post, name="comment-post"
    ),
    path("comments/<int:pk>/edit/", views.comment_edit, name="comment-edit"),
    path("comments/<int:pk>/delete/", views.comment_delete, name="comment-delete"),
    path("comments/<int:pk>/history/", views.comment_history, name="comment-history"),
]

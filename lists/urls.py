from django.urls import path

from . import feeds, views

app_name = "lists"

urlpatterns = [
    path("lists/", views.list_mine, name="list-mine"),
    path("lists/new/", views.list_create_view, name="list-create"),
    path("lists/import/", views.list_import_view, name="list-import-new"),
    path("lists/add/<int:paper_pk>/", views.paper_add, name="paper-add"),
    path("lists/<int:pk>/", views.list_detail, name="list-detail"),
    path("lists/<int:pk>/edit/", views.list_edit, name="list-edit"),
    path("lists/<int:pk>/delete/", views.list_delete_view, name="list-delete"),
    path("lists/<int:pk>/import/", views.list_import_view, name="list-import"),
    path("lists/<int:pk>/follow/", views.list_follow_view, name="list-follow"),
    path("lists/<int:pk>/feed.atom", feeds.ListAtomFeed(), name="list-atom"),
    path("lists/<int:pk>/export.<str:ext>", views.list_export_view, name="list-export"),
    path("lists/items/<int:item_pk>/", views.item_update, name="item-update"),
]

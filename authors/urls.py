from django.urls import path

from . import views

app_name = "authors"

urlpatterns = [
    path("papers/<int:paper_pk>/claim/", views.claim_create, name="claim-create"),
    path("authorship/", views.claim_list, name="claim-list"),
    path(
        "authorship/<int:pk>/withdraw/",
        views.claim_withdraw,
        name="claim-withdraw",
    ),
]

from django.urls import path

from . import views

app_name = "imageproxy"

urlpatterns = [
    path("img/<str:signature>/<str:encoded>", views.image_proxy, name="image"),
]

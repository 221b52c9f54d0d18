from django.urls import path

from . import api

urlpatterns = [
    path("promise/", api.PromiseApi.as_view(), name="promise"),
]

from django.urls import path

from . import api

urlpatterns = [
    path("availability/", api.AvailabilityApi.as_view(), name="availability"),
    path("promise/", api.PromiseApi.as_view(), name="promise"),
]

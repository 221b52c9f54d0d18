from django.urls import path

from . import api

urlpatterns = [
    path("locations/", api.LocationListApi.as_view(), name="location-list"),
    path("locations/<str:code>/", api.LocationDetailApi.as_view(), name="location-detail"),
]

from django.urls import path

from . import views

app_name = "inventory"
urlpatterns = [
    path("locations/", views.location_list_view, name="location_list"),
    path("locations/new/", views.location_create_view, name="location_create"),
    path("locations/<str:code>/", views.location_detail_view, name="location_detail"),
    path("locations/<str:code>/edit/", views.location_edit_view, name="location_edit"),
    path("locations/<str:code>/active/", views.location_set_active_view, name="location_set_active"),
]

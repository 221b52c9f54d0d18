from django.urls import path

from . import views

app_name = "sourcing"

urlpatterns = [
    path("dry-run/", views.dry_run_view, name="dry_run"),
]

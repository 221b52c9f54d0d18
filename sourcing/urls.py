from django.urls import path

from . import views

app_name = "sourcing"

urlpatterns = [
    path("dry-run/", views.dry_run_view, name="dry_run"),
    path("backorders/", views.backorder_queue_view, name="backorders"),
    path("orders/<str:number>/decisions/", views.order_decisions_view, name="order_decisions"),
    path("orders/<str:number>/source-again/", views.order_source_again_view, name="source_again"),
]

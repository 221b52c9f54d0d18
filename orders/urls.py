from django.urls import path

from . import outbox_views, sourcing_views, views

app_name = "orders"

urlpatterns = [
    path("", views.order_list_view, name="list"),
    path("export.csv", views.order_list_export_view, name="export"),
    path("new/", views.order_entry_view, name="entry"),
    path("new/skus/", views.sku_lookup_view, name="sku_lookup"),
    path("new/summary/", views.order_entry_summary_view, name="entry_summary"),
    path("backorders/", sourcing_views.backorder_queue_view, name="backorders"),
    path("outbox/", outbox_views.outbox_view, name="outbox"),
    path("outbox/<int:pk>/send-again/", outbox_views.outbox_send_again_view, name="outbox_send_again"),
    path("<str:number>/", views.order_detail_view, name="detail"),
    path("<str:number>/cancel/", views.order_cancel_view, name="cancel"),
    path("<str:number>/address/", views.order_address_view, name="address"),
    path("<str:number>/hold/", views.order_hold_view, name="hold"),
    path("<str:number>/release/", views.order_release_view, name="release"),
    path("<str:number>/lines/<int:line>/delivery/", views.order_line_delivery_view, name="line_delivery"),
    path("<str:number>/lines/<int:line>/requested/", views.order_line_requested_view, name="line_requested"),
    path("<str:number>/decisions/", sourcing_views.order_decisions_view, name="decisions"),
    path("<str:number>/source-again/", sourcing_views.order_source_again_view, name="source_again"),
    path("<str:number>/what-if/", sourcing_views.order_what_if_view, name="what_if"),
]

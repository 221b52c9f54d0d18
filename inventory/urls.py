from django.urls import path

from . import stock_views, views

app_name = "inventory"
urlpatterns = [
    path("locations/", views.location_list_view, name="location_list"),
    path("locations/new/", views.location_create_view, name="location_create"),
    path("locations/<str:code>/", views.location_detail_view, name="location_detail"),
    path("locations/<str:code>/edit/", views.location_edit_view, name="location_edit"),
    path("locations/<str:code>/active/", views.location_set_active_view, name="location_set_active"),
    path("locations/<str:code>/stock/", stock_views.location_stock_view, name="location_stock"),
    path(
        "locations/<str:code>/stock.<str:fmt>",
        stock_views.location_stock_export_view,
        name="location_stock_export",
    ),
    path("stock/", stock_views.stock_search_view, name="stock_search"),
    path("stock/import/", stock_views.stock_import_view, name="stock_import"),
    path("stock/import/<int:pk>/", stock_views.stock_import_detail_view, name="stock_import_detail"),
    path(
        "stock/import/<int:pk>/confirm/", stock_views.stock_import_confirm_view, name="stock_import_confirm"
    ),
    path("stock/import/<int:pk>/cancel/", stock_views.stock_import_cancel_view, name="stock_import_cancel"),
    path("stock/<str:sku_code>/", stock_views.sku_stock_view, name="sku_stock"),
    path("stock/<str:sku_code>/at/<str:code>/", stock_views.stock_level_view, name="stock_level"),
]

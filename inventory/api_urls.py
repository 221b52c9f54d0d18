from django.urls import path

from . import api

urlpatterns = [
    path("locations/", api.LocationListApi.as_view(), name="location-list"),
    path("locations/<str:code>/", api.LocationDetailApi.as_view(), name="location-detail"),
    path("products/sync/", api.ProductSyncApi.as_view(), name="products-sync"),
    path("inventory/sync/", api.InventorySyncApi.as_view(), name="inventory-sync"),
]

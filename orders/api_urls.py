from django.urls import path

from . import api

urlpatterns = [
    path("orders/", api.OrderListCreateApi.as_view(), name="order-list"),
    path("orders/<str:number>/", api.OrderDetailApi.as_view(), name="order-detail"),
    path("orders/<str:number>/status/", api.OrderTrackingApi.as_view(), name="order-status"),
    path("orders/<str:number>/cancel/", api.OrderCancelApi.as_view(), name="order-cancel"),
    path(
        "orders/<str:number>/shipping-address/",
        api.OrderShippingAddressApi.as_view(),
        name="order-shipping-address",
    ),
    path("orders/<str:number>/hold/", api.OrderHoldApi.as_view(), name="order-hold"),
    path("orders/<str:number>/release/", api.OrderReleaseApi.as_view(), name="order-release"),
    path(
        "orders/<str:number>/lines/<int:line>/delivery/",
        api.OrderLineDeliveryApi.as_view(),
        name="order-line-delivery",
    ),
    path(
        "orders/<str:number>/lines/<int:line>/requested-delivery/",
        api.OrderLineRequestedDeliveryApi.as_view(),
        name="order-line-requested-delivery",
    ),
    path(
        "orders/<str:number>/lines/<int:line>/ship/", api.OrderLineShipApi.as_view(), name="order-line-ship"
    ),
    path(
        "orders/<str:number>/lines/<int:line>/ready-for-pickup/",
        api.OrderLineReadyApi.as_view(),
        name="order-line-ready",
    ),
    path(
        "orders/<str:number>/lines/<int:line>/collect/",
        api.OrderLineCollectApi.as_view(),
        name="order-line-collect",
    ),
]

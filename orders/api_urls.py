from django.urls import path

from . import api, fulfilment_api

FO = "fulfilment-orders/<str:number>/"

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
    # Fulfilment orders: the work of one location for one order.
    path("fulfilment-orders/", fulfilment_api.FulfilmentOrderListApi.as_view(), name="fulfilment-order-list"),
    path(FO, fulfilment_api.FulfilmentOrderDetailApi.as_view(), name="fulfilment-order-detail"),
    path(
        f"{FO}acknowledge/",
        fulfilment_api.FulfilmentOrderAcknowledgeApi.as_view(),
        name="fulfilment-order-acknowledge",
    ),
    path(
        f"{FO}decline/", fulfilment_api.FulfilmentOrderDeclineApi.as_view(), name="fulfilment-order-decline"
    ),
    path(f"{FO}picks/", fulfilment_api.FulfilmentOrderPicksApi.as_view(), name="fulfilment-order-picks"),
    path(f"{FO}pack/", fulfilment_api.FulfilmentOrderPackApi.as_view(), name="fulfilment-order-pack"),
    path(f"{FO}ship/", fulfilment_api.FulfilmentOrderShipApi.as_view(), name="fulfilment-order-ship"),
    path(
        f"{FO}ready-for-pickup/",
        fulfilment_api.FulfilmentOrderReadyApi.as_view(),
        name="fulfilment-order-ready",
    ),
    path(
        f"{FO}collect/", fulfilment_api.FulfilmentOrderCollectApi.as_view(), name="fulfilment-order-collect"
    ),
    path(
        f"{FO}receive/", fulfilment_api.FulfilmentOrderReceiveApi.as_view(), name="fulfilment-order-receive"
    ),
    path("orders/<str:number>/arrival/", fulfilment_api.OrderArrivalApi.as_view(), name="order-arrival"),
]

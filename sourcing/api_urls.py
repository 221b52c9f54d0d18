from django.urls import path

from . import api

FO = "fulfilment-orders/<str:number>/"

urlpatterns = [
    path("promise/", api.PromiseApi.as_view(), name="promise"),
    path("fulfilment-orders/", api.FulfilmentOrderListApi.as_view(), name="fulfilment-order-list"),
    path(FO, api.FulfilmentOrderDetailApi.as_view(), name="fulfilment-order-detail"),
    path(
        f"{FO}acknowledge/", api.FulfilmentOrderAcknowledgeApi.as_view(), name="fulfilment-order-acknowledge"
    ),
    path(f"{FO}decline/", api.FulfilmentOrderDeclineApi.as_view(), name="fulfilment-order-decline"),
    path(f"{FO}picks/", api.FulfilmentOrderPicksApi.as_view(), name="fulfilment-order-picks"),
    path(f"{FO}pack/", api.FulfilmentOrderPackApi.as_view(), name="fulfilment-order-pack"),
    path(f"{FO}ship/", api.FulfilmentOrderShipApi.as_view(), name="fulfilment-order-ship"),
    path(f"{FO}ready-for-pickup/", api.FulfilmentOrderReadyApi.as_view(), name="fulfilment-order-ready"),
    path(f"{FO}collect/", api.FulfilmentOrderCollectApi.as_view(), name="fulfilment-order-collect"),
    path(f"{FO}receive/", api.FulfilmentOrderReceiveApi.as_view(), name="fulfilment-order-receive"),
    path("orders/<str:number>/arrival/", api.OrderArrivalApi.as_view(), name="order-arrival"),
]

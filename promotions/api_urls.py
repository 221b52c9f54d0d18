from django.urls import path

from . import api

urlpatterns = [
    path("pricing/quote/", api.QuoteApi.as_view(), name="pricing-quote"),
    path("pricing/snapshot/", api.SnapshotApi.as_view(), name="pricing-snapshot"),
]

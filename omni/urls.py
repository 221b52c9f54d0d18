from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import views

api_v1 = [
    path("", include("inventory.api_urls")),
    path("", include("orders.api_urls")),
    path("", include("sourcing.api_urls")),
    path("", include("promotions.api_urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon),
    path("accounts/", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("inventory.urls")),
    path("orders/", include("orders.urls")),
    path("sourcing/", include("sourcing.urls")),
    path("store/", include("store.urls")),
    path("promotions/", include("promotions.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

# An outage that escapes the views (OutageMiddleware) is still a 503, not a 500.
handler500 = "omni.outages.server_error"

admin.site.site_header = "Omni"
admin.site.site_title = "Omni"
if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

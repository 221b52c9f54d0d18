from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", views.SignOutView.as_view(), name="logout"),
    path("api-clients/", views.api_client_list_view, name="api_clients"),
    path("api-clients/<int:pk>/rotate/", views.api_client_rotate_view, name="api_client_rotate"),
    path("api-clients/<int:pk>/revoke/", views.api_client_revoke_view, name="api_client_revoke"),
]

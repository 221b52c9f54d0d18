from django.urls import path

from . import views

app_name = "promotions"

urlpatterns = [
    path("", views.promotion_list_view, name="list"),
    path("new/", views.promotion_create_view, name="create"),
    path("<int:pk>/", views.promotion_detail_view, name="detail"),
    path("<int:pk>/edit/", views.promotion_edit_view, name="edit"),
    path("<int:pk>/activate/", views.promotion_activate_view, name="activate"),
    path("<int:pk>/stop/", views.promotion_stop_view, name="stop"),
    path("<int:pk>/codes/", views.coupon_batch_view, name="codes"),
]

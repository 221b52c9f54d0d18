from django.urls import path

from . import views

app_name = "store"
W = "work/<str:number>/"

urlpatterns = [
    path("", views.queue_view, name="queue"),
    path("dashboard/", views.dashboard_view, name="dashboard"),
    path("handover/", views.handover_view, name="handover"),
    path("counts/", views.counts_view, name="counts"),
    path("counts/<int:task_id>/", views.count_view, name="count"),
    path(W, views.work_view, name="work"),
    path(f"{W}acknowledge/", views.acknowledge_view, name="acknowledge"),
    path(f"{W}decline/", views.decline_view, name="decline"),
    path(f"{W}pick/", views.pick_view, name="pick"),
    path(f"{W}scan/", views.scan_view, name="scan"),
    path(f"{W}recount/", views.recount_view, name="recount"),
    path(f"{W}finish-picking/", views.finish_pick_view, name="finish_pick"),
    path(f"{W}pack/", views.pack_view, name="pack"),
    path(f"{W}ship/", views.ship_view, name="ship"),
    path(f"{W}ready/", views.ready_view, name="ready"),
    path(f"{W}receive/", views.receive_view, name="receive"),
    path(f"{W}collect/", views.collect_view, name="collect"),
    path(f"{W}collect-without-code/", views.collect_without_code_view, name="collect_without_code"),
    path(f"{W}send-back/", views.send_back_view, name="send_back"),
]

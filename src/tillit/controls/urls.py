from django.urls import path

from tillit.controls import views

urlpatterns = [
    path("kontroller/", views.queue, name="controls-queue"),
    path("kontroller/antal/", views.queue_figures, name="controls-queue-figures"),
    path("kontroller/export.xlsx", views.queue_export, name="controls-queue-export"),
    path("kontroller/bibliotek/", views.control_list, name="controls-list"),
    path("kontroller/bibliotek/<str:control_id>/", views.control_detail, name="controls-detail"),
    path(
        "kontroller/bibliotek/<str:control_id>/livscykel/", views.control_step, name="controls-step"
    ),
    path("kontroller/korningar/", views.run_list, name="controls-runs"),
    path("kontroller/korningar/starta/", views.run_start, name="controls-run-start"),
    path("kontroller/korningar/<int:pk>/", views.run_detail, name="controls-run"),
    path("kontroller/traffar/avfarda/", views.hit_bulk, name="controls-hit-bulk"),
    path("kontroller/traffar/<int:pk>/", views.hit_detail, name="controls-hit"),
    path("kontroller/traffar/<int:pk>/<str:action>/", views.hit_action, name="controls-hit-action"),
]

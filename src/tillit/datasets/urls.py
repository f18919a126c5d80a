from django.urls import path

from tillit.datasets import views

urlpatterns = [
    path("data/", views.dataset_list, name="datasets-list"),
    path("data/ladda-upp/", views.upload, name="datasets-upload"),
    path("data/inlasning/<int:pk>/", views.attempt_detail, name="datasets-attempt"),
    path(
        "data/inlasning/<int:pk>/felrapport.csv",
        views.attempt_errors_csv,
        name="datasets-attempt-errors",
    ),
    path("data/profiler/", views.profile_list, name="datasets-profiles"),
    path("data/profiler/ny/", views.profile_edit, name="datasets-profile-create"),
    path("data/profiler/<int:pk>/", views.profile_edit, name="datasets-profile-edit"),
    path("data/ogonblicksbild/<int:pk>/gallra/", views.snapshot_retire, name="datasets-retire"),
    path(
        "data/ogonblicksbild/<int:pk>/aterkalla/", views.snapshot_withdraw, name="datasets-withdraw"
    ),
    path("data/leverantorer/samma/", views.entity_review, name="datasets-entities"),
    path("data/<str:name>/", views.dataset_detail, name="datasets-detail"),
]

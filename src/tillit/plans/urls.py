from django.urls import path

from tillit.plans import views

urlpatterns = [
    path("handlingsplan/", views.plan_list, name="plans-list"),
    path("handlingsplan/ny/", views.plan_create, name="plans-create"),
    path("handlingsplan/exempel/<str:key>/", views.plan_import_seeded, name="plans-import-seeded"),
    path("handlingsplan/importera/", views.share_import, name="plans-share-import"),
    path("handlingsplan/<int:pk>/", views.plan_detail, name="plans-detail"),
    path("handlingsplan/<int:pk>/andra/", views.plan_update, name="plans-update"),
    path("handlingsplan/<int:pk>/omraden/", views.area_create, name="plans-area-create"),
    path("handlingsplan/<int:pk>/atgarder/", views.measure_create, name="plans-measure-create"),
    path("handlingsplan/<int:pk>/dela.<str:fmt>", views.plan_share, name="plans-share"),
    path(
        "handlingsplan/<int:pk>/statusrapporter/", views.report_create, name="plans-report-create"
    ),
    path("handlingsplan/atgard/<int:pk>/", views.measure_detail, name="plans-measure"),
    path("handlingsplan/statusrapport/<int:pk>/", views.report_detail, name="plans-report"),
    path(
        "handlingsplan/statusrapport/<int:pk>/utfarda/",
        views.report_issue,
        name="plans-report-issue",
    ),
    path(
        "handlingsplan/statusrapport/<int:pk>/rapport.<str:fmt>",
        views.report_file,
        name="plans-report-file",
    ),
    path("utbildningar/", views.training, name="plans-training"),
    path("utbildningar/ny/", views.course_create, name="plans-course-create"),
    path("utbildningar/<int:pk>/", views.course_detail, name="plans-course"),
    path("rutiner/", views.routine_list, name="plans-routines"),
    path("rutiner/ny/", views.routine_create, name="plans-routine-create"),
    path("rutiner/<int:pk>/", views.routine_detail, name="plans-routine"),
    path("rutiner/<int:pk>/dela.<str:fmt>", views.routine_share, name="plans-routine-share"),
]

from django.urls import path

from tillit.reports import views

urlpatterns = [
    path("", views.overview, name="reports-overview"),
    path("rapporter/", views.reports_list, name="reports-list"),
    path("tips/inkomna/", views.section, {"key": "tips"}, name="section-tips"),
]

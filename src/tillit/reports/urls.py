from django.urls import path

from tillit.reports import views

urlpatterns = [
    path("", views.overview, name="reports-overview"),
    path("rapporter/", views.reports_list, name="reports-list"),
    path("lagesbild/floden/", views.flow_map, name="reports-flows"),
    path("lagesbild/kontrollernas-effekt/", views.effectiveness, name="reports-effectiveness"),
    path("lagesbild/nyckeltal/", views.figures, name="reports-figures"),
]

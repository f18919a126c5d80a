from django.urls import include, path

from tillit.config.api import api
from tillit.config.health import health

urlpatterns = [
    path("health", health, name="health"),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("tillit.accounts.urls")),
    path("", include("tillit.datasets.urls")),
    path("", include("tillit.controls.urls")),
    path("", include("tillit.cases.urls")),
    path("", include("tillit.tips.urls")),
    path("", include("tillit.risks.urls")),
    path("", include("tillit.plans.urls")),
    path("", include("tillit.sampling.urls")),
    path("", include("tillit.reports.urls")),
]

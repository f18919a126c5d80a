from django.urls import path

from tillit.risks import views

urlpatterns = [
    path("risker/", views.home, name="risks-home"),
    path("risker/omraden/", views.area_list, name="risk-area-list"),
    path("risker/omraden/nytt/", views.area_create, name="risk-area-create"),
    path("risker/omraden/<int:pk>/", views.area_detail, name="risk-area-detail"),
    path("risker/omraden/<int:pk>/bedom/", views.area_assess, name="risk-assess"),
    path("risker/omraden/<int:pk>/andra/", views.area_edit, name="risk-area-edit"),
    path("risker/omraden/<int:pk>/avveckla/", views.area_retire, name="risk-area-retire"),
    path("risker/bedomningar/<int:pk>/", views.assessment_detail, name="risk-assessment-detail"),
    path("risker/installningar/", views.settings_view, name="risk-settings"),
]

from django.urls import path

from tillit.sampling import views

urlpatterns = [
    path("stickprov/", views.sample_list, name="sampling-list"),
    path("stickprov/nytt/", views.sample_create, name="sampling-create"),
    path("stickprov/<int:pk>/", views.sample_detail, name="sampling-detail"),
    path("stickprov/<int:pk>/rapport.<str:fmt>", views.sample_report, name="sampling-report"),
    path("stickprov/post/<int:pk>/", views.item_detail, name="sampling-item"),
    path("stickprov/post/<int:pk>/arende/", views.item_case, name="sampling-item-case"),
]

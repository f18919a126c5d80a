from django.urls import path

from tillit.accounts import views

urlpatterns = [
    path("konto/logga-in/", views.LoginView.as_view(), name="accounts-login"),
    path("konto/logga-ut/", views.logout, name="accounts-logout"),
    path("konto/tvafaktor/", views.otp, name="accounts-otp"),
    path("administration/", views.admin_index, name="accounts-admin"),
    path("administration/anvandare/ny/", views.user_create, name="accounts-user-create"),
    path("administration/api-nycklar/ny/", views.token_create, name="accounts-token-create"),
    path("administration/atkomstlogg/", views.access_log, name="accounts-access-log"),
]

from django.urls import path

from tillit.accounts import oidc, saml, views

urlpatterns = [
    path("konto/logga-in/", views.LoginView.as_view(), name="accounts-login"),
    path("konto/logga-ut/", views.logout, name="accounts-logout"),
    path("konto/tvafaktor/", views.otp, name="accounts-otp"),
    # single sign-on (OpenID Connect); 404 unless TILLIT_OIDC_ENABLED
    path("konto/sso/", oidc.StartView.as_view(), name="accounts-oidc-start"),
    path("konto/sso/svar/", oidc.CallbackView.as_view(), name="accounts-oidc-callback"),
    # single sign-on (SAML 2.0); 404 unless TILLIT_SAML_ENABLED
    path("konto/saml/", saml.StartView.as_view(), name="accounts-saml-start"),
    path("konto/saml/acs/", saml.AcsView.as_view(), name="accounts-saml-acs"),
    path("konto/saml/metadata/", saml.MetadataView.as_view(), name="accounts-saml-metadata"),
    path("administration/", views.admin_index, name="accounts-admin"),
    path("administration/anvandare/ny/", views.user_create, name="accounts-user-create"),
    path("administration/anvandare/<int:pk>/", views.user_detail, name="accounts-user"),
    path("konto/", views.account, name="accounts-account"),
    path("konto/losenord/", views.password_change, name="accounts-password-change"),
    path("konto/api-nycklar/ny/", views.token_create, name="accounts-token-create"),
    path("konto/api-nycklar/<int:pk>/aterkalla/", views.token_revoke, name="accounts-token-revoke"),
    path("administration/atkomstlogg/", views.access_log, name="accounts-access-log"),
]

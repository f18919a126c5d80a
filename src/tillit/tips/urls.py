from django.urls import path

from tillit.tips import views

# Everything under /tips/ and /visselblasning/ is public, except the receivers' pages under
# .../inkomna/, which need a login with the second factor (accounts.middleware).
urlpatterns = [
    path("tips/", views.tips_public, name="tips-public"),
    path("tips/lattlast/", views.tips_public_easy, name="tips-public-easy"),
    path("tips/uppfoljning/", views.tips_followup, name="tips-followup"),
    path("tips/klagomal/", views.complaint_public, name="tips-complaint"),
    path("tips/tillganglighet/", views.accessibility, name="tips-accessibility"),
    path("visselblasning/", views.whistle_public, name="tips-whistle"),
    path("visselblasning/lattlast/", views.whistle_public_easy, name="tips-whistle-easy"),
    path("visselblasning/uppfoljning/", views.whistle_followup, name="tips-whistle-followup"),
    path("tips/inkomna/", views.inbox, name="tips-inbox"),
    path("visselblasning/inkomna/", views.whistle_inbox, name="tips-whistle-inbox"),
    path("tips/inkomna/nyckel/", views.unlock, name="tips-unlock"),
    path("tips/inkomna/<int:pk>/", views.report_detail, name="tips-report"),
    path("tips/inkomna/<int:pk>/bekrafta/", views.report_ack, name="tips-ack"),
    path("tips/inkomna/<int:pk>/svar/", views.report_reply, name="tips-reply"),
    path("tips/inkomna/<int:pk>/avsluta/", views.report_close, name="tips-close"),
    path("tips/inkomna/<int:pk>/arende/", views.report_handover, name="tips-handover"),
    path("tips/inkomna/<int:pk>/fil/<int:attachment_pk>/", views.report_file, name="tips-file"),
    path("tips/inkomna/<int:pk>/identitet/", views.report_vault, name="tips-vault"),
    path("tips/inkomna/identitet/", views.custodian, name="tips-custodian"),
    path("tips/inkomna/gallring/", views.retention, name="tips-retention"),
    path("tips/inkomna/statistik/", views.statistics_view, name="tips-statistics"),
    path("tips/inkomna/mottagare/", views.members, name="tips-members"),
    path("tips/inkomna/klagomal/", views.complaints, name="tips-complaints"),
    path("tips/inkomna/utforare/<str:orgnr>/", views.provider, name="tips-provider"),
]

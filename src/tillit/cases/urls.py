from django.urls import path

from tillit.cases import views

urlpatterns = [
    path("arenden/", views.case_list, name="cases-list"),
    path("arenden/nytt/", views.case_create, name="cases-create"),
    path("arenden/anmal/", views.staff_report, name="cases-report"),
    path("arenden/delningslogg/", views.ledger, name="cases-ledger"),
    path("arenden/statistik/", views.statistics, name="cases-statistics"),
    path("arenden/gallring/", views.retention, name="cases-retention"),
    path("arenden/gallring/foresla/", views.retention_propose, name="cases-retention-propose"),
    path(
        "arenden/gallring/<int:request_pk>/<str:decision>/",
        views.retention_decide,
        name="cases-retention-decide",
    ),
    path("arenden/<int:pk>/", views.case_detail, name="cases-detail"),
    path("arenden/<int:pk>/status/", views.case_transition, name="cases-transition"),
    path("arenden/<int:pk>/uppgifter/", views.case_update, name="cases-update"),
    path("arenden/<int:pk>/team/", views.case_team, name="cases-team"),
    path("arenden/<int:pk>/berorda/", views.case_subject, name="cases-subject"),
    path("arenden/<int:pk>/dagbok/", views.case_diary, name="cases-diary"),
    path("arenden/<int:pk>/handlingar/", views.case_document_upload, name="cases-document-upload"),
    path(
        "arenden/<int:pk>/handlingar/<int:document_pk>/",
        views.document_download,
        name="cases-document",
    ),
    path("arenden/<int:pk>/kopplingar/", views.case_link, name="cases-link"),
    path("arenden/<int:pk>/uppgifter-att-gora/", views.case_task, name="cases-task"),
    path(
        "arenden/<int:pk>/uppgifter-att-gora/<int:task_pk>/klar/",
        views.case_task_done,
        name="cases-task-done",
    ),
    path("arenden/<int:pk>/uppsat/", views.case_intent, name="cases-intent"),
    path("arenden/<int:pk>/utfall/<str:kind>/", views.outcome_add, name="cases-outcome"),
    path("arenden/<int:pk>/dokument/<str:kind>/<int:outcome_pk>/", views.draft, name="cases-draft"),
    path(
        "arenden/<int:pk>/aterkrav/<int:claim_pk>/betalning/",
        views.claim_payment,
        name="cases-claim-payment",
    ),
    path(
        "arenden/<int:pk>/aterkrav/<int:claim_pk>/avskrivning/",
        views.claim_write_off,
        name="cases-claim-write-off",
    ),
    path("arenden/mallar/", views.templates, name="cases-templates"),
    path(
        "arenden/<int:pk>/berorda/<int:subject_pk>/",
        views.subject_update,
        name="cases-subject-update",
    ),
    path("arenden/<int:pk>/brev/<str:kind>/", views.letter_send, name="cases-letter"),
    path(
        "arenden/<int:pk>/brev-svar/<int:letter_pk>/", views.letter_reply, name="cases-letter-reply"
    ),
    path("arenden/<int:pk>/utlamnande/", views.disclosure_register, name="cases-disclosure"),
    path(
        "arenden/<int:pk>/utlamnande/<int:request_pk>/maskering/",
        views.disclosure_mask,
        name="cases-disclosure-mask",
    ),
    path(
        "arenden/<int:pk>/utlamnande/<int:request_pk>/beslut/",
        views.disclosure_decide,
        name="cases-disclosure-decide",
    ),
    path(
        "arenden/<int:pk>/polisanmalan/<int:report_pk>/skickad/",
        views.police_sent,
        name="cases-police-sent",
    ),
    path(
        "arenden/<int:pk>/sanktioner/<int:sanction_pk>/uppfoljning/",
        views.sanction_follow_up,
        name="cases-sanction-follow-up",
    ),
    path("arenden/<int:pk>/export/", views.case_export, name="cases-export"),
]

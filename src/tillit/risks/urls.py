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
    path("risker/analyser/", views.analysis_list, name="risk-analysis-list"),
    path("risker/analyser/<int:pk>/", views.analysis_detail, name="risk-analysis-detail"),
    path(
        "risker/analyser/<int:pk>/omraden/<int:area_pk>/",
        views.analysis_area,
        name="risk-analysis-area",
    ),
    path(
        "risker/analyser/<int:pk>/omraden/<int:area_pk>/bedom/",
        views.analysis_assess,
        name="risk-analysis-assess",
    ),
    path("risker/analyser/<int:pk>/kopiera/", views.analysis_copy, name="risk-analysis-copy"),
    path(
        "risker/analyser/<int:pk>/till-namnderna/",
        views.analysis_roll_out,
        name="risk-analysis-roll-out",
    ),
    path(
        "risker/analyser/<int:pk>/sammanstall/",
        views.analysis_roll_up,
        name="risk-analysis-roll-up",
    ),
    path("risker/workshoppar/", views.workshop_list, name="risk-workshop-list"),
    path("risker/workshoppar/<int:pk>/", views.workshop_detail, name="risk-workshop-detail"),
    path("risker/workshoppar/<int:pk>/status/", views.workshop_status, name="risk-workshop-status"),
    path(
        "risker/workshoppar/<int:pk>/konsensus/<int:area_pk>/",
        views.workshop_consensus,
        name="risk-workshop-consensus",
    ),
    path(
        "risker/workshoppar/<int:pk>/protokoll.<str:fmt>",
        views.workshop_minutes,
        name="risk-workshop-minutes",
    ),
    path("risker/workshop/delta/<str:token>/", views.workshop_score, name="risk-workshop-score"),
    path("risker/verksamhetsanalyser/", views.operative_list, name="risk-operative-list"),
    path(
        "risker/verksamhetsanalyser/<int:pk>/", views.operative_detail, name="risk-operative-detail"
    ),
    path("risker/riskbefattningar/", views.position_list, name="risk-position-list"),
    path(
        "risker/riskbefattningar/<int:pk>/kontroll/",
        views.position_check,
        name="risk-position-check",
    ),
    path("risker/bolag/", views.organisation_list, name="risk-organisation-list"),
    path("risker/bolag/<int:pk>/", views.organisation_detail, name="risk-organisation-detail"),
    path("risker/regelverk/", views.rule_list, name="risk-rule-list"),
    path("risker/regelverk/<int:pk>/", views.rule_detail, name="risk-rule-detail"),
    path(
        "risker/regelverk/<int:pk>/fynd/<int:finding_pk>/risk/",
        views.rule_finding_to_risk,
        name="risk-rule-finding-risk",
    ),
    path("risker/internkontrollplan/", views.ic_plan, name="risk-ic-plan"),
    path(
        "risker/internkontrollplan/<int:board_pk>/<int:year>.<str:fmt>",
        views.ic_plan_export,
        name="risk-ic-plan-export",
    ),
    path("risker/dela/", views.share_page, name="risk-share"),
    path("risker/dela/riskkatalog.<str:fmt>", views.share_catalogue, name="risk-share-catalogue"),
    path(
        "risker/dela/analysmall/<int:pk>.<str:fmt>",
        views.share_template,
        name="risk-share-template",
    ),
]

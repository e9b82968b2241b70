"""greatfeedback personas routes (owned by its feature; see urls.py). The named routes
come before ``api/personas/<id>``; the legacy ``api/personas/built-in`` is gone (404)."""

from django.urls import path

from annotations.api.greatfeedback import views_personas as views

ANNOTATION = "api/v1/annotations/<str:annotation_id>"

urlpatterns = [
    path("api/personas", views.PersonaCreate.as_view(), name="gf-persona-create"),
    path("api/personas/mine", views.PersonaMine.as_view(), name="gf-persona-mine"),
    path(
        "api/personas/category/<str:category>",
        views.PersonaCategory.as_view(),
        name="gf-persona-category",
    ),
    path(
        "api/personas/reset-defaults",
        views.PersonaResetDefaults.as_view(),
        name="gf-persona-reset-defaults",
    ),
    path("api/personas/<str:persona_id>", views.PersonaDetail.as_view(), name="gf-persona-detail"),
    path(f"{ANNOTATION}/run-personas", views.RunPersonas.as_view(), name="gf-run-personas"),
    path(f"{ANNOTATION}/persona-runs", views.PersonaRunList.as_view(), name="gf-persona-runs"),
]

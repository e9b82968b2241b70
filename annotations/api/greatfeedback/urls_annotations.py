"""greatfeedback's documented annotation routes (owned by its feature; see urls.py)."""

from django.urls import path

from annotations.api.greatfeedback import views

ANNOTATION = "api/v1/annotations/<str:annotation_id>"

urlpatterns = [
    path(
        "api/v1/sites/<str:site_id>/annotations",
        views.AnnotationList.as_view(),
        name="gf-annotation-list",
    ),
    path(ANNOTATION, views.AnnotationDetail.as_view(), name="gf-annotation-detail"),
    path(f"{ANNOTATION}/replies", views.ReplyCreate.as_view(), name="gf-annotation-replies"),
    path(
        f"{ANNOTATION}/markdown", views.AnnotationMarkdown.as_view(), name="gf-annotation-markdown"
    ),
]

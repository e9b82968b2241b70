"""Dashboard URLs of greatfeedback annotations (names ``annotations:<entity>-<action>``),
mounted under ``w/<str:ws>/`` in config/urls.py. The API and the widget endpoints live in
``annotations.api.greatfeedback``."""

from django.urls import path

from annotations import views

app_name = "annotations"

urlpatterns = [
    path("annotations/", views.AnnotationListView.as_view(), name="annotation-list"),
    path(
        "annotations/<str:annotation_id>/",
        views.AnnotationDetailView.as_view(),
        name="annotation-detail",
    ),
    path(
        "annotations/<str:annotation_id>/update/",
        views.AnnotationUpdateView.as_view(),
        name="annotation-update",
    ),
    path(
        "annotations/<str:annotation_id>/replies/",
        views.ReplyCreateView.as_view(),
        name="reply-create",
    ),
    path(
        "annotations/<str:annotation_id>/run-personas/",
        views.AnnotationRunPersonasView.as_view(),
        name="annotation-run-personas",
    ),
    path(
        "projects/<str:project_id>/annotations/",
        views.AnnotationListView.as_view(),
        name="site-annotation-list",
    ),
    path(
        "projects/<str:project_id>/stakeholders/",
        views.StakeholderListView.as_view(),
        name="stakeholder-list",
    ),
    path(
        "projects/<str:project_id>/stakeholders/new/",
        views.StakeholderCreateView.as_view(),
        name="stakeholder-create",
    ),
    path(
        "projects/<str:project_id>/stakeholders/<str:stakeholder_id>/revoke/",
        views.StakeholderRevokeView.as_view(),
        name="stakeholder-revoke",
    ),
]

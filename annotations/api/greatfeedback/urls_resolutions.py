"""greatfeedback resolutions routes, and the signed local upload/read URL of an upload key."""

from django.urls import path

from annotations.api.greatfeedback import resolution_views as views

ANNOTATION = "api/v1/annotations/<str:annotation_id>"

urlpatterns = [
    path(
        f"{ANNOTATION}/resolutions/upload-url",
        views.ResolutionUploadUrl.as_view(),
        name="gf-resolution-upload-url",
    ),
    path(f"{ANNOTATION}/resolutions", views.ResolutionList.as_view(), name="gf-resolution-list"),
    path("api/v1/uploads/<path:key>", views.UploadObject.as_view(), name="gf-upload"),
]

"""greatfeedback widget routes: the annotation widget's endpoints (widget token, CORS per
site: annotations.cors) and stakeholder management (API token or session). Paths as the
document and issue 10 fix them, without trailing slashes."""

from django.urls import path

from annotations.api.greatfeedback import widget_views as views

SITE = "api/widget/sites/<str:site_id>"

urlpatterns = [
    path(
        f"{SITE}/annotations",
        views.WidgetAnnotationCreate.as_view(),
        name="gf-widget-annotation-create",
    ),
    path(
        f"{SITE}/annotations/upload-url",
        views.WidgetScreenshotUploadUrl.as_view(),
        name="gf-widget-screenshot-upload-url",
    ),
    path(
        f"{SITE}/annotations/lookup",
        views.WidgetAnnotationLookup.as_view(),
        name="gf-widget-annotation-lookup",
    ),
    path(
        f"{SITE}/stakeholder-link",
        views.WidgetStakeholderLink.as_view(),
        name="gf-widget-stakeholder-link",
    ),
    path(
        f"{SITE}/stakeholders",
        views.StakeholderListCreate.as_view(),
        name="gf-stakeholders",
    ),
    path(
        f"{SITE}/stakeholders/<str:token>",
        views.StakeholderDetail.as_view(),
        name="gf-stakeholder",
    ),
]

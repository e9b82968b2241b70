"""greatfeedback's annotation surface, one route module per feature so each can grow on its
own: the documented /api/v1 annotation routes, the widget endpoints and stakeholders,
resolutions and uploads, personas, and the widget script."""

from annotations.api.greatfeedback import (
    urls_annotations,
    urls_assets,
    urls_personas,
    urls_resolutions,
    urls_widget,
)

urlpatterns = [
    *urls_annotations.urlpatterns,
    *urls_widget.urlpatterns,
    *urls_resolutions.urlpatterns,
    *urls_personas.urlpatterns,
    *urls_assets.urlpatterns,
]

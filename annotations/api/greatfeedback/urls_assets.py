"""greatfeedback assets routes: the annotation widget script (latest, major-pinned and
exact-content URLs, like /widget/feedback.js), the screenshot module it loads lazily, and
its demo page (annotations/widget_assets.py)."""

from django.urls import path, re_path

from annotations import widget_assets as assets

urlpatterns = [
    path("widget/annotate.js", assets.annotate_js, name="annotate-js"),
    path(
        f"widget/annotate.{assets.WIDGET_MAJOR}.js",
        assets.annotate_js,
        {"variant": "major"},
        name="annotate-js-major",
    ),
    re_path(
        r"^widget/annotate\.(?P<digest>[0-9a-f]{16})\.js$",
        assets.annotate_js,
        {"variant": "exact"},
        name="annotate-js-exact",
    ),
    path(
        f"widget/vendor/modern-screenshot-{assets.SCREENSHOT_VERSION}.mjs",
        assets.screenshot_module,
        name="annotate-screenshot-module",
    ),
    path("widget/annotate-demo/", assets.annotate_demo, name="annotate-demo"),
]

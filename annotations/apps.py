from django.apps import AppConfig


class AnnotationsConfig(AppConfig):
    name = "annotations"
    verbose_name = "greatfeedback annotations"

    def ready(self) -> None:
        from annotations import cors  # noqa: F401  (connects the widget's CORS origin check)

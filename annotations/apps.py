from django.apps import AppConfig


class AnnotationsConfig(AppConfig):
    name = "annotations"
    verbose_name = "greatfeedback annotations"

    def ready(self) -> None:
        from corsheaders.signals import check_request_enabled

        from annotations import cors  # noqa: F401  (connects the widget's CORS origin check)
        from annotations.uploads import cors_for_upload_urls

        check_request_enabled.connect(cors_for_upload_urls, dispatch_uid="gf-upload-cors")

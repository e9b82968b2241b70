from django.apps import AppConfig


class AnnotationsConfig(AppConfig):
    name = "annotations"
    verbose_name = "greatfeedback annotations"

    def ready(self) -> None:
        from accounts.models import Workspace
        from accounts.signals import workspace_created
        from annotations import cors  # noqa: F401  (connects the widget's CORS origin check)
        from annotations.personas.signals import seed_new_workspace

        workspace_created.connect(
            seed_new_workspace, sender=Workspace, dispatch_uid="annotations.personas.seed"
        )

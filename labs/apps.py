from django.apps import AppConfig
from django.db.models.signals import post_migrate


class LabsConfig(AppConfig):
    name = "labs"
    verbose_name = "Labs"
    # Run beside the web server and the task worker by `manage.py rundashboard`.
    background_commands = {"lab reaper": ["reaplabs"]}

    def ready(self) -> None:
        from dashboard.interfaces import team_page
        from dashboard.interfaces.metrics import metric_families
        from dashboard.policy.creation import extra_labels
        from dashboard.terminal.activity import container_used
        from labs import class_list, library, metrics, runtime

        extra_labels.connect(runtime.labels_for, dispatch_uid="labs.session_labels")
        team_page.sections.connect(class_list.team_section, dispatch_uid="labs.team_classes")
        container_used.connect(runtime.container_used, dispatch_uid="labs.activity")
        metric_families.connect(metrics.families, dispatch_uid="labs.metrics")
        post_migrate.connect(library.install_bundled, sender=self, dispatch_uid="labs.bundled")

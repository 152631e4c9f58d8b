import json

from django.core.management.base import BaseCommand, CommandError

from labs.grades import grades, grades_csv
from labs.models import LabClass


class Command(BaseCommand):
    help = (
        "Print a class's grades: a learner a row, each step with when it first passed, and the "
        "score (steps passed over steps); CSV, or JSON with --json."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("class_id", type=int)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: object, class_id: int, **options: object) -> None:
        lab_class = LabClass.objects.select_related("version__lab", "team").filter(pk=class_id)
        found = lab_class.first()
        if found is None:
            raise CommandError(f"no class {class_id}")
        if options["json"]:
            self.stdout.write(json.dumps(grades(found), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(grades_csv(found), ending="")

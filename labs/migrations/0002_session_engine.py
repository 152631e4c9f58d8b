from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def engine_of_class(apps, schema_editor) -> None:
    """Sessions made before they were spread over engines ran on their class's engine."""
    LabClass = apps.get_model("labs", "LabClass")
    LabSession = apps.get_model("labs", "LabSession")
    LabSession.objects.update(
        engine=Subquery(LabClass.objects.filter(pk=OuterRef("lab_class_id")).values("engine")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [("labs", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="labsession",
            name="engine",
            field=models.CharField(default="local", max_length=40),
        ),
        migrations.RunPython(engine_of_class, migrations.RunPython.noop),
    ]

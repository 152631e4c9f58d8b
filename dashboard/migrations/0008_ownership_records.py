"""The quota ledger becomes the record of who owns what Dockboard made (containers first: the
ledger's rows are carried over as they are), and the installation gets its id."""

import uuid

import django.db.models.deletion
from django.db import migrations, models


def make_installation(apps, schema_editor):
    apps.get_model("dashboard", "Installation").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0007_terminal_preference"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="admittedcontainer", name="one_entry_a_container"),
        migrations.RenameModel("AdmittedContainer", "OwnershipRecord"),
        migrations.RenameField("ownershiprecord", "container_id", "object_id"),
        migrations.AlterField(
            model_name="ownershiprecord",
            name="object_id",
            field=models.CharField(max_length=255),
        ),
        migrations.AddField(
            model_name="ownershiprecord",
            name="kind",
            field=models.CharField(
                choices=[("container", "Container"), ("volume", "Volume"), ("network", "Network"),
                         ("service", "Service"), ("image", "Image")],
                default="container",
                max_length=16,
            ),  # fmt: skip
        ),
        migrations.AddField(
            model_name="ownershiprecord",
            name="lab_session",
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.AlterField(
            model_name="ownershiprecord",
            name="team",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="dashboard.team",
            ),
        ),
        migrations.AlterField(
            model_name="ownershiprecord",
            name="owner_id",
            field=models.BigIntegerField(db_index=True, null=True),
        ),
        migrations.AddConstraint(
            model_name="ownershiprecord",
            constraint=models.UniqueConstraint(
                fields=("engine", "kind", "object_id"), name="one_record_an_object"
            ),
        ),
        migrations.CreateModel(
            name="Installation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
        ),  # fmt: skip
        migrations.RunPython(make_installation, migrations.RunPython.noop),
    ]

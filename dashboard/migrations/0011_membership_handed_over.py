from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0010_container_requests"),
    ]

    operations = [
        migrations.AddField(
            model_name="membership",
            name="handed_over",
            field=models.BooleanField(default=False),
        ),
    ]

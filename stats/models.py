"""Samples of the engines and their running containers, kept at three resolutions: every
collection (``RAW``), then averaged over a minute and over an hour (``stats.rollup``).

Times are whole seconds since the epoch, as charts read them; rates are per second between two
readings. A gap in the rows is a gap in what was known (the collector or the engine was down).
"""

from django.db import models

RAW, MINUTE, HOUR = 0, 60, 3600


class ContainerSample(models.Model):
    engine = models.CharField(max_length=64)
    container_id = models.CharField(max_length=64)
    step = models.PositiveIntegerField()  # RAW, MINUTE or HOUR
    at = models.BigIntegerField()
    cpu = models.FloatField()  # percent, 100 a CPU
    memory = models.BigIntegerField()
    memory_limit = models.BigIntegerField()
    net_rx = models.FloatField()  # bytes a second
    net_tx = models.FloatField()
    block_read = models.FloatField()
    block_write = models.FloatField()
    pids = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["engine", "container_id", "step", "at"])]

    def __str__(self) -> str:
        return f"{self.container_id[:12]} on {self.engine} at {self.at}"


class EngineSample(models.Model):
    engine = models.CharField(max_length=64)
    step = models.PositiveIntegerField()
    at = models.BigIntegerField()
    cpu = models.FloatField()  # its running containers', percent of one CPU
    cpus = models.PositiveIntegerField()
    memory = models.BigIntegerField()  # its running containers'
    memory_total = models.BigIntegerField()
    containers = models.PositiveIntegerField()  # running
    disk = models.BigIntegerField(null=True)  # `docker system df`: images, containers, volumes

    class Meta:
        indexes = [models.Index(fields=["engine", "step", "at"])]

    def __str__(self) -> str:
        return f"{self.engine} at {self.at}"

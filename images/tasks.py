from django.tasks import task

from images import pull_runner


@task()
def pull_image(job_id: str) -> None:
    """Run a queued pull job in the worker (`manage.py taskworker`)."""
    pull_runner.run_by_id(job_id)

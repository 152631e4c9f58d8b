from django.tasks import task

from images import build_runner, pull_runner, push_runner


@task()
def pull_image(job_id: str) -> None:
    """Run a queued pull job in the worker (`manage.py taskworker`)."""
    pull_runner.run_by_id(job_id)


@task()
def build_image(job_id: str) -> None:
    """Run a queued build job in the worker."""
    build_runner.run_by_id(job_id)


@task()
def push_image(job_id: str) -> None:
    """Run a queued push job in the worker."""
    push_runner.run_by_id(job_id)

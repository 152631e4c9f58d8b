from django.tasks import task

from labs import launch


@task()
def launch_session(session_id: int) -> None:
    """Make a lab session's network and services (`manage.py taskworker`)."""
    launch.launch(session_id)

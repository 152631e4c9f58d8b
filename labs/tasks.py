from django.tasks import task

from labs import actions


@task()
def launch_session(session_id: int) -> None:
    """Make a lab session's network and services (`manage.py taskworker`)."""
    actions.launch(session_id)

from django.tasks import task

from labs import launch


@task()
def launch_session(session_id: int, again: bool = False) -> None:
    """Make a lab session's network and services (`manage.py taskworker`); ``again`` after a
    reset."""
    launch.launch(session_id, again=again)

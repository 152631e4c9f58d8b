import asyncio

from django.conf import settings
from django.core.management.base import BaseCommand

from dashboard.management.commands.rundashboard import split_bind
from dockerapi.server import serve


def keep_sqlite_connection() -> None:
    """The endpoint's database work runs in one thread (``database_sync_to_async``), which
    closes its connection after every call unless told to keep it: with SQLite, opening it
    again costs more than most calls (PostgreSQL's pool keeps its connections already)."""
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        database["CONN_MAX_AGE"] = None


class Command(BaseCommand):
    help = "Serve the Docker Engine API to the docker CLI, through Dockboard's policy gate."

    def handle(self, *args: object, **options: object) -> None:
        host, port = split_bind(settings.DOCKBOARD_DOCKER_API, "DOCKBOARD_DOCKER_API")
        keep_sqlite_connection()
        self.stdout.write(f"Docker Engine API endpoint at tcp://{host}:{port}", ending="\n")
        self.stdout.flush()
        asyncio.run(serve(host, port))

import os
import shutil
import sys

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dashboard.ops.first_run import issue_setup_token
from dashboard.ops.supervisor import run_together


def split_bind(bind: str, setting: str = "DOCKBOARD_BIND") -> tuple[str, int]:
    """``host:port`` (``[v6]:port`` for IPv6) as DOCKBOARD_BIND gives it."""
    host, sep, port = bind.rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise CommandError(f"{setting} must be host:port, not {bind!r}")
    return host.strip("[]"), int(port)


def web_server_command(host: str, port: int, processes: int = 1) -> list[str]:
    """uvicorn serving Dockboard (the benchmarks start it the same way); with several
    processes, uvicorn's own manager shares the one listening socket among them."""
    return [
        sys.executable, "-m", "uvicorn", "dashboard.asgi:application",
        "--host", host, "--port", str(port), "--lifespan", "off",
        # Terminal frames are small or flow-controlled: refuse huge ones early, and spend no
        # CPU deflating terminal output.
        "--ws-max-size", "1048576", "--ws-per-message-deflate", "false",
        *(["--workers", str(processes)] if processes > 1 else []),
    ]  # fmt: skip


def worker_command() -> list[str]:
    return [sys.executable, "-m", "django", "taskworker"]


def background_commands() -> dict[str, list[str]]:
    """The processes apps ask to run beside the server (``background_commands`` of an
    AppConfig: a name and a management command)."""
    return {
        name: [sys.executable, "-m", "django", *command]
        for config in apps.get_app_configs()
        for name, command in getattr(config, "background_commands", {}).items()
    }


def _share_metrics() -> None:
    """Every process started here keeps its counters in one directory, summed by `/metrics`
    (``dashboard.ops.metrics``); emptied first, as the counters of a run before are gone."""
    directory = settings.DATA_DIR / "metrics"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(mode=0o700, parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)


class Command(BaseCommand):
    help = "Serve Dockboard and run its task worker together; Ctrl+C stops both."

    def handle(self, *args: object, **options: object) -> None:
        host, port = split_bind(settings.DOCKBOARD_BIND)
        web, workers = settings.DOCKBOARD_WEB_PROCESSES, settings.DOCKBOARD_TASK_WORKERS
        if web > 1 and not settings.DOCKBOARD_REDIS_URL:
            raise CommandError(
                "DOCKBOARD_WEB_PROCESSES > 1 needs DOCKBOARD_REDIS_URL: the in-process channel "
                "layer cannot reach another process (a logout there would leave its terminals "
                "open)."
            )
        if web < 1 or workers < 1:
            raise CommandError("DOCKBOARD_WEB_PROCESSES and DOCKBOARD_TASK_WORKERS are at least 1.")
        url_host = f"[{host}]" if ":" in host else host
        if token := issue_setup_token():
            self.stdout.write(
                self.style.WARNING("No administrator yet. Create one, once, at:\n")
                + f"    http://{url_host}:{port}/setup/{token}/\n"
            )
        self.stdout.write(
            f"Dockboard at http://{url_host}:{port}/ (engine: {settings.DOCKER_HOST})"
        )
        _share_metrics()
        task_workers = {
            "task worker" if workers == 1 else f"task worker {n}": worker_command()
            for n in range(1, workers + 1)
        }
        code = run_together(
            {
                "web server": web_server_command(host, port, web),
                **task_workers,
                **background_commands(),
            }
        )
        if code:
            raise CommandError("Dockboard stopped because one of its processes exited.")
